/**
 * The camera's degraded photograph: the reference's QR drawing (4 px per module, 4-module quiet
 * zone) survives 50 % scaling, blur and a few degrees of rotation for every random QR text, while
 * the old drawing (2 px, 2 modules) that decodes only in ideal conditions is flagged.
 */
import fc from 'fast-check';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../reference/crypto/keys.js';
import { encodeQrText } from '../../reference/qr/qrText.js';
import { QR_PNG_OPTIONS, renderQrPng } from '../../reference/qr/render.js';
import { decodeQrPhoto, decodeQrPng, photograph, readPng } from '../qrCamera.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64);
const ref = fc.uint8Array({ minLength: 24, maxLength: 24 }).map((b) => `2@${toBase64(b)}`);
const texts = fc.tuple(ref, key, key, key).map(([r, n, i, s]) => encodeQrText({ ref: r, noisePublic: n, identityPublic: i, advSecret: s, platform: 'web' }));

describe('QR drawing and the degraded photograph', () => {
  it('the reference draws at least a 4-module quiet zone at 4 px per module', () => {
    expect(QR_PNG_OPTIONS.margin).toBeGreaterThanOrEqual(4);
    expect(QR_PNG_OPTIONS.scale).toBeGreaterThanOrEqual(4);
  });

  it('every reference QR decodes as a degraded photograph (25 random texts)', async () => {
    const samples = fc.sample(texts, { numRuns: 25, seed: 11 });
    let read = 0;
    for (const text of samples) {
      const result = decodeQrPhoto(await renderQrPng(text));
      if (result.ok && result.text === text) read += 1;
    }
    expect(read).toBe(samples.length);
  });

  it('a QR that decodes only in ideal conditions (2 px, 2-module quiet zone) is flagged', async () => {
    const samples = fc.sample(texts, { numRuns: 10, seed: 12 });
    let flagged = 0;
    for (const text of samples) {
      const png = new Uint8Array(await QRCode.toBuffer([{ data: Buffer.from(text), mode: 'byte' }], { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 2 }));
      expect(decodeQrPng(png)).toEqual({ ok: true, text });
      const photo = decodeQrPhoto(png);
      if (!photo.ok) { flagged += 1; expect(photo.why).toMatch(/reads on screen but not in a photograph/); }
    }
    expect(flagged).toBe(samples.length);
  });

  it('a photograph is never larger than the image it is taken of', async () => {
    const image = readPng(await renderQrPng(fc.sample(texts, { numRuns: 1, seed: 1 })[0]!));
    if (typeof image === 'string') throw new Error(image);
    for (const scale of [0.5, 0.75]) {
      const p = photograph(image, { scale, blur: 1, rotateDeg: 7 });
      expect(p.width * p.height).toBeLessThanOrEqual(image.width * image.height);
    }
  });
});
