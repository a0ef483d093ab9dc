/**
 * The small linking QR image (PAIR-01) stays readable by the harness's camera: every rendered
 * QR of a random, realistic QR text decodes back to exactly that text through
 * conformance/qrCamera.ts (pngjs + jsqr), the path the conformance suite takes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQrPng } from '../../conformance/qrCamera.js';
import { toBase64 } from '../crypto/keys.js';
import { encodeQrText } from './qrText.js';
import { renderQrPng } from './render.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64);
const ref = fc.uint8Array({ minLength: 24, maxLength: 24 }).map((b) => `2@${toBase64(b)}`);
const platform = fc.option(fc.stringMatching(/^[a-z0-9-]{1,40}$/), { nil: undefined });

describe('renderQrPng at its small size', () => {
  it('decodes 100% through the harness camera (120 random QR texts)', async () => {
    await fc.assert(fc.asyncProperty(ref, key, key, key, platform, async (r, noise, identity, secret, p) => {
      const text = encodeQrText({ ref: r, noisePublic: noise, identityPublic: identity, advSecret: secret, ...(p === undefined ? {} : { platform: p }) });
      expect(decodeQrPng(await renderQrPng(text))).toEqual({ ok: true, text });
    }), { numRuns: 120, seed: 6 });
  });
});
