/**
 * Limits on the QR images an adapter hands the harness's camera (issue 11), checked BEFORE any
 * decoding: the byte size, and the pixel count the PNG header (IHDR) declares. A decompression
 * bomb is a small file whose header declares a huge image; pngjs inflates non-interlaced images
 * only up to the declared size, so the header check bounds it. Interlaced images are inflated
 * without that bound, so for them the compressed data is inflated here first with a cap.
 *
 * Guarantees: `pngProblem` never allocates more than the caps; it returns a one-line reason
 * when the image is over a limit, and undefined otherwise (including for bytes that are not a
 * PNG at all: the camera then reports it cannot read them, as a phone would).
 */
import { inflateSync } from 'node:zlib';

export interface PngLimits {
  /** Bytes of the PNG file. A linking QR is a few kilobytes. */
  readonly maxBytes: number;
  /** Width × height declared by the header. */
  readonly maxPixels: number;
}

export const DEFAULT_PNG_LIMITS: PngLimits = { maxBytes: 4 * 1024 * 1024, maxPixels: 4_000_000 };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 33 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function pngProblem(bytes: Uint8Array, limits: PngLimits = DEFAULT_PNG_LIMITS): string | undefined {
  if (bytes.length > limits.maxBytes) return `the PNG has ${bytes.length} bytes, above the limit of ${limits.maxBytes}`;
  if (!isPng(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The first chunk must be IHDR: length(4) type(4) width(4) height(4) depth colour compression filter interlace.
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const pixels = width * height;
  if (pixels > limits.maxPixels) return `the PNG header declares ${width}×${height} = ${pixels} pixels, above the limit of ${limits.maxPixels}`;
  const interlaced = bytes[28] === 1;
  if (!interlaced) return undefined;
  // 16-bit RGBA is 8 bytes a pixel; Adam7 adds at most one filter byte per row of each of 7 passes.
  const cap = pixels * 8 + 7 * (height + 1) + 1024;
  try {
    inflateSync(idat(bytes, view), { maxOutputLength: cap });
  } catch (error) {
    if (error instanceof RangeError) return `the interlaced PNG inflates to more than ${cap} bytes for ${width}×${height} pixels (a decompression bomb)`;
  }
  return undefined;
}

/** The concatenated IDAT chunk data. */
function idat(bytes: Uint8Array, view: DataView): Buffer {
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}
