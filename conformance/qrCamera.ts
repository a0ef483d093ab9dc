/**
 * The primary's camera: decodes a QR code from PNG pixels (jsqr over pngjs), as a phone would,
 * and alters one field of the decoded text for the tamper checks (PAIR-07). The QR text format
 * is the contract's `ref,noise-pub,identity-pub,adv-secret[,platform]`.
 */
import { createHash } from 'node:crypto';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { QrTamper } from '../model/events.js';

// jsqr ships CommonJS with `exports.default`; under NodeNext the default import is the module.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

export type Decoded = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly why: string };

// Same pixels, same text: decoding is a pure function of the image, and jsqr takes tens of
// milliseconds, so images seen before (the photo, then the live scan of the same reference)
// are looked up by digest instead of decoded again.
const seen = new Map<string, Decoded>();
const SEEN_LIMIT = 512;

/** Reads the PNG and finds the QR code in it; `why` says what a camera would have seen. */
export function decodeQrPng(png: Uint8Array): Decoded {
  const digest = createHash('sha256').update(png).digest('base64');
  const known = seen.get(digest);
  if (known) return known;
  const decoded = decodeUncached(png);
  if (seen.size >= SEEN_LIMIT) seen.delete(seen.keys().next().value!);
  seen.set(digest, decoded);
  return decoded;
}

function decodeUncached(png: Uint8Array): Decoded {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png));
  } catch (error) {
    return { ok: false, why: `the QR image is not a readable PNG (${error instanceof Error ? error.message : String(error)})` };
  }
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  return found ? { ok: true, text: found.data } : { ok: false, why: 'no QR code could be read from the image' };
}

const FIELD: Record<Exclude<QrTamper, 'none'>, number> = { ref: 0, key: 2, secret: 3 };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Every byte (or character) of the field changed, so the result cannot be another valid value by chance. */
function alter(value: string): string {
  if (value.length >= 4 && value.length % 4 === 0 && BASE64.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length > 0) return Buffer.from(bytes.map((b) => b ^ 0x5a)).toString('base64');
  }
  const shift = (c: string): string => {
    const code = c.charCodeAt(0);
    if (c >= '0' && c <= '9') return String.fromCharCode(48 + ((code - 48 + 5) % 10));
    if (c >= 'a' && c <= 'z') return String.fromCharCode(97 + ((code - 97 + 13) % 26));
    if (c >= 'A' && c <= 'Z') return String.fromCharCode(65 + ((code - 65 + 13) % 26));
    return c;
  };
  const altered = [...value].map(shift).join('');
  return altered === value ? `${value}x` : altered;
}

/** The QR text with field ref / key / secret changed to another valid-looking value. */
export function tamperQrText(text: string, tamper: QrTamper): string {
  if (tamper === 'none') return text;
  const fields = text.split(',');
  const index = FIELD[tamper];
  if (fields.length <= index) return `${text},tampered`;
  fields[index] = alter(fields[index]);
  return fields.join(',');
}
