/**
 * Drawing the linking QR code (PAIR-01): a PNG for the harness's "camera" and a terminal
 * rendering for a person.
 *
 * Guarantees: `renderQrPng` yields a PNG that `decodeQrPng` (jsqr) reads back to the same text.
 * Error correction M, 4 pixels per module and the standard 4-module quiet zone: small enough to
 * draw and scan in a few milliseconds, large enough that jsqr decodes it reliably (checked on
 * random QR contents in qr.test.ts).
 */
import QRCode from 'qrcode';

export const QR_PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 } as const;

export async function renderQrPng(text: string): Promise<Uint8Array> {
  const png = await QRCode.toBuffer(text, QR_PNG_OPTIONS);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Half-height block characters, so the code fits a terminal. */
export async function renderQrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
