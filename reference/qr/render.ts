/**
 * Drawing the linking QR code (PAIR-01): a PNG for the harness's "camera" and a terminal
 * rendering for a person.
 *
 * Guarantees: `renderQrPng` yields a PNG that `decodeQrPng` (jsqr) reads back to the same text,
 * and that still decodes as a degraded photograph (conformance/qrCamera.ts `photograph`: scaled
 * to 50 %, slightly blurred, rotated a few degrees): error correction M, 4 pixels per module and
 * a 4-module quiet zone (the QR standard's minimum; at 2 px / 2 modules zbar read 6-8 of 25
 * images scaled to 50 % and jsqr failed at 5-7 degrees of rotation; reference/qr/render.test.ts
 * measures it). Rows are stored unfiltered: letting pngjs try its five row filters per row was
 * the largest single cost of the conformance suite; for a 2-colour image they only save bytes.
 */
import QRCode from 'qrcode';

export const QR_PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 } as const;
/** pngjs options (qrcode passes them through; its typings omit `filterType`). 0 = no row filter. */
const PNG_WRITER = { filterType: 0, deflateLevel: 1 } as const;

export async function renderQrPng(text: string): Promise<Uint8Array> {
  // One byte-mode segment: the QR text is ASCII, and qrcode's search for the cheapest mix of
  // segment modes (a shortest-path over the text) cost more than the drawing.
  // A fresh rendererOpts per call: qrcode writes the image size into it.
  const png = await QRCode.toBuffer([{ data: Buffer.from(text, 'utf8'), mode: 'byte' as const }], { ...QR_PNG_OPTIONS, rendererOpts: { ...PNG_WRITER } as { deflateLevel: number } });
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Half-height block characters, so the code fits a terminal. */
export async function renderQrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
