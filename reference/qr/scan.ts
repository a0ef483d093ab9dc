/**
 * Reading a QR code from an image, as a camera would (PAIR-02): the primary never receives the
 * QR text by any other path.
 *
 * Guarantees: `decodeQrPng` returns the decoded text, or null for anything it cannot read (not a
 * PNG, damaged pixels, no QR code). It never throws.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr ships CommonJS with `exports.default`; under NodeNext the default import is the module
// object, so the function sits on `.default` (fall back to the import itself for bundlers).
type JsQr = typeof jsQRModule.default;
const jsQR: JsQr = jsQRModule.default ?? (jsQRModule as unknown as JsQr);

export function decodeQrPng(png: Uint8Array): string | null {
  try {
    const image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    const found = jsQR(pixels, image.width, image.height, { inversionAttempts: 'dontInvert' });
    return found === null ? null : found.data;
  } catch {
    return null;
  }
}
