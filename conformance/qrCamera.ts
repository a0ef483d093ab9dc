/**
 * The primary's camera: decodes a QR code from PNG pixels (jsqr over pngjs), as a phone would,
 * and alters one field of the decoded text for the tamper checks (PAIR-07). The QR text format
 * is the contract's `ref,noise-pub,identity-pub,adv-secret[,platform]`.
 *
 * `decodeQrPhoto` also reads the image as a real camera sees a screen: `photograph` scales it
 * (50 %, 75 %, area-averaged), blurs it slightly ([1 2 1] kernel) and rotates it by 5-7 degrees on
 * a white background, then decodes that (PHOTO_CONDITIONS). An image that decodes only in ideal conditions (too few pixels
 * per module, no quiet zone) fails here while `decodeQrPng` still reads it (PAIR-01/PAIR-02:
 * the primary scans "as a camera would"). Decoding happens only after the PNG passed the size
 * guard that reads it (pngjs here, behind the harness's own limits), and the photograph is never
 * larger than the image.
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

/** RGBA pixels. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** How the camera degrades the screen: scale factor, blur passes ([1 2 1] kernel), rotation in degrees. */
export interface PhotoConditions {
  readonly scale: number;
  readonly blur: number;
  readonly rotateDeg: number;
}

/**
 * The photographs taken: half size, straight and rotated 5 degrees either way; three quarters,
 * slightly blurred, rotated 7 degrees either way. Measured on 25 random QR texts: the reference's
 * 4 px / 4-module drawing reads 25 of 25 under each; a 2 px / 2-module drawing 0 of 25 under all
 * but the first (conformance/test/qrPhoto.test.ts).
 */
export const PHOTO_CONDITIONS: readonly PhotoConditions[] = [
  { scale: 0.5, blur: 0, rotateDeg: 0 },
  { scale: 0.5, blur: 0, rotateDeg: 5 },
  { scale: 0.5, blur: 0, rotateDeg: -5 },
  { scale: 0.75, blur: 1, rotateDeg: 7 },
  { scale: 0.75, blur: 1, rotateDeg: -7 },
];

function grey(p: Pixels, x: number, y: number): number {
  if (x < 0 || y < 0 || x >= p.width || y >= p.height) return 255;
  const i = (y * p.width + x) * 4;
  const a = p.data[i + 3]! / 255;
  return Math.round((0.299 * p.data[i]! + 0.587 * p.data[i + 1]! + 0.114 * p.data[i + 2]!) * a + 255 * (1 - a));
}

/** The image as the camera's sensor records it under `c` (greyscale, RGBA out). */
export function photograph(image: Pixels, c: PhotoConditions): Pixels {
  const width = Math.max(1, Math.round(image.width * c.scale));
  const height = Math.max(1, Math.round(image.height * c.scale));
  // Scale by area averaging: every output pixel is the mean of the source pixels it covers.
  let g = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const x0 = Math.floor(x / c.scale), x1 = Math.max(x0 + 1, Math.floor((x + 1) / c.scale));
      const y0 = Math.floor(y / c.scale), y1 = Math.max(y0 + 1, Math.floor((y + 1) / c.scale));
      let sum = 0;
      for (let yy = y0; yy < y1; yy += 1) for (let xx = x0; xx < x1; xx += 1) sum += grey(image, xx, yy);
      g[y * width + x] = sum / ((x1 - x0) * (y1 - y0));
    }
  }
  // Slight blur: `blur` passes of the [1 2 1] / 4 kernel in each direction (a small Gaussian).
  for (let pass = 0; pass < c.blur; pass += 1) {
    const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= width || yy >= height ? 255 : g[yy * width + xx]!);
    const h = new Float32Array(width * height);
    for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) h[y * width + x] = (at(x - 1, y) + 2 * at(x, y) + at(x + 1, y)) / 4;
    const hv = (xx: number, yy: number) => (yy < 0 || yy >= height ? 255 : h[yy * width + xx]!);
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) out[y * width + x] = (hv(x, y - 1) + 2 * hv(x, y) + hv(x, y + 1)) / 4;
    g = out;
  }
  const data = new Uint8ClampedArray(width * height * 4);
  const rad = (c.rotateDeg * Math.PI) / 180;
  const cos = Math.cos(rad), sin = Math.sin(rad);
  const cx = width / 2, cy = height / 2;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      // Inverse rotation, bilinear sampling; outside the image is the white page.
      const sx = cos * (x - cx) + sin * (y - cy) + cx;
      const sy = -sin * (x - cx) + cos * (y - cy) + cy;
      const fx = Math.floor(sx), fy = Math.floor(sy);
      const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= width || yy >= height ? 255 : g[yy * width + xx]!);
      const tx = sx - fx, ty = sy - fy;
      const v = (at(fx, fy) * (1 - tx) + at(fx + 1, fy) * tx) * (1 - ty) + (at(fx, fy + 1) * (1 - tx) + at(fx + 1, fy + 1) * tx) * ty;
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Reads PNG bytes into pixels, or why not. */
export function readPng(png: Uint8Array): Pixels | string {
  try {
    const image = PNG.sync.read(Buffer.from(png));
    return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length) };
  } catch (error) {
    return `the QR image is not a readable PNG (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Decodes the QR as a camera photographing the screen would, under every condition of
 * PHOTO_CONDITIONS: ok only when each photograph still reads back to the same text as the ideal
 * image; `why` names the first condition that defeated it.
 */
export function decodeQrPhoto(png: Uint8Array): Decoded {
  const ideal = decodeQrPng(png);
  if (!ideal.ok) return ideal;
  const image = readPng(png);
  if (typeof image === 'string') return { ok: false, why: image };
  for (const c of PHOTO_CONDITIONS) {
    const photo = photograph(image, c);
    const found = jsQR(photo.data, photo.width, photo.height);
    if (!found || found.data !== ideal.text) {
      return { ok: false, why: `the QR code reads on screen but not in a photograph (scaled to ${c.scale * 100} %, blur ${c.blur}, rotated ${c.rotateDeg}°): too few pixels per module or too small a quiet zone` };
    }
  }
  return ideal;
}
