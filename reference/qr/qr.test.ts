/**
 * QR text format and the image path (PAIR-01, PAIR-02, PAIR-07): text -> PNG -> text round
 * trips for random contents, strict parsing, and a damaged image never throws.
 */
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { randomBytes, toBase64 } from '../crypto/keys.js';
import { encodeQrText, parseQrText, type QrContent } from './qrText.js';
import { renderQrPng, renderQrTerminal } from './render.js';
import { decodeQrPng } from './scan.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64);
const token = fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,40}$/);
const content: fc.Arbitrary<QrContent> = fc.record(
  { ref: token, noisePublic: key, identityPublic: key, advSecret: key, platform: token },
  { requiredKeys: ['ref', 'noisePublic', 'identityPublic', 'advSecret'] },
);

function sample(): QrContent {
  return { ref: `2@${toBase64(randomBytes(24))}`, noisePublic: toBase64(randomBytes(32)), identityPublic: toBase64(randomBytes(32)), advSecret: toBase64(randomBytes(32)), platform: 'linux' };
}

describe('qrText', () => {
  it('parse(encode(c)) === c, and encode(parse(t)) === t', () => {
    fc.assert(fc.property(content, (c) => {
      const text = encodeQrText(c);
      expect(text.split(',')).toHaveLength(c.platform === undefined ? 4 : 5);
      const parsed = parseQrText(text);
      expect(parsed).toEqual(c);
      expect(encodeQrText(parsed!)).toBe(text);
    }), { numRuns: 200 });
  });
  it('rejects wrong field counts, empty fields, bad base64 and wrong key sizes (PAIR-07)', () => {
    const good = encodeQrText(sample());
    const [ref, noise, identity, secret] = good.split(',');
    const short = toBase64(randomBytes(31));
    for (const bad of [
      '', ref, [ref, noise, identity].join(','), `${good},extra`, [ref, noise, identity, secret, 'linux', 'x'].join(','),
      ['', noise, identity, secret].join(','), [ref, short, identity, secret].join(','), [ref, noise, `${identity.slice(0, -1)}`, secret].join(','),
      [ref, noise, identity, secret.replace(/=$/, '')].join(','), [ref, noise, identity, secret, ''].join(','),
      [`a b`, noise, identity, secret].join(','), [ref, noise, identity, secret, 'lin\u00e9'].join(','),
    ]) {
      expect(parseQrText(bad)).toBeNull();
    }
    expect(parseQrText(42 as never)).toBeNull();
  });
  it('refuses to encode what it would not parse', () => {
    expect(() => encodeQrText({ ...sample(), ref: 'a,b' })).toThrow(RangeError);
    expect(() => encodeQrText({ ...sample(), advSecret: toBase64(randomBytes(16)) })).toThrow(RangeError);
    expect(() => encodeQrText({ ...sample(), platform: '' })).toThrow(RangeError);
  });
});

describe('render and scan', () => {
  it('round-trips text -> PNG -> text for random QR contents', async () => {
    await fc.assert(fc.asyncProperty(content, async (c) => {
      const text = encodeQrText(c);
      expect(decodeQrPng(await renderQrPng(text))).toBe(text);
    }), { numRuns: 25 });
  });
  it('a damaged image decodes to null or other text, never throws', async () => {
    const text = encodeQrText(sample());
    const png = await renderQrPng(text);
    const image = PNG.sync.read(Buffer.from(png));
    // Paint over the middle third of the symbol: far beyond what level-M correction repairs.
    for (let y = Math.floor(image.height / 3); y < Math.floor((2 * image.height) / 3); y++) {
      for (let x = 0; x < image.width; x++) {
        const at = (y * image.width + x) * 4;
        image.data[at] = image.data[at + 1] = image.data[at + 2] = 0;
      }
    }
    expect(decodeQrPng(new Uint8Array(PNG.sync.write(image)))).not.toBe(text);
    fc.assert(fc.property(fc.nat(), fc.nat({ max: 255 }), (where, value) => {
      const bytes = png.slice();
      bytes[where % bytes.length] = value;
      const out = decodeQrPng(bytes);
      expect(out === null || typeof out === 'string').toBe(true);
    }), { numRuns: 30 });
    expect(decodeQrPng(new Uint8Array(0))).toBeNull();
    expect(decodeQrPng(randomBytes(100))).toBeNull();
    expect(decodeQrPng(png.subarray(0, png.length >> 1))).toBeNull();
  });
  it('an image without a QR code decodes to null', () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(decodeQrPng(new Uint8Array(PNG.sync.write(blank)))).toBeNull();
  });
  it('draws a terminal rendering', async () => {
    const out = await renderQrTerminal(encodeQrText(sample()));
    expect(out.split('\n').length).toBeGreaterThan(10);
    expect(out).toMatch(/[\u2580\u2584\u2588]/);
  });
});
