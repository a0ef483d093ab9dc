/**
 * The camera decodes real PNG pixels; tampering changes exactly the field asked for, to another
 * value of the same shape.
 */
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { decodeQrPng, tamperQrText } from '../qrCamera.js';

const TEXT = 'AbCdEfGh12345678,bm9pc2Vub2lzZQ==,a2V5a2V5a2V5a2V5,c2VjcmV0c2VjcmV0,linkspec';

describe('qrCamera', () => {
  it('reads the text back from a PNG, and says why when there is none', async () => {
    const png = await QRCode.toBuffer(TEXT, { type: 'png', margin: 2, scale: 2 });
    expect(decodeQrPng(new Uint8Array(png))).toEqual({ ok: true, text: TEXT });
    expect(decodeQrPng(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false });
  });

  it.each([['ref', 0], ['key', 2], ['secret', 3]] as const)('tampering with %s changes field %i only', (tamper, index) => {
    const before = TEXT.split(',');
    const after = tamperQrText(TEXT, tamper).split(',');
    expect(after).toHaveLength(before.length);
    after.forEach((field, i) => (i === index ? expect(field).not.toBe(before[i]) : expect(field).toBe(before[i])));
    expect(after[index]).toHaveLength(before[index].length);
    if (index > 0) expect(after[index]).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });

  it('leaves an untampered code alone', () => {
    expect(tamperQrText(TEXT, 'none')).toBe(TEXT);
  });
});
