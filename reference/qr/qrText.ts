/**
 * The text inside a linking QR code (PAIR-01, PAIR-07), in the open-source WhatsApp clients'
 * format: `ref,noisePublic,identityPublic,advSecret[,platform]`.
 *
 * Guarantees:
 * - `ref` and `platform` are non-empty printable ASCII (0x21-0x7E) without commas; the three key
 *   fields are canonical base64 of exactly 32 bytes each.
 * - `encodeQrText` throws RangeError on content that `parseQrText` would reject, so every QR we
 *   draw parses back to the same content.
 * - `parseQrText` is strict: it returns null (never throws) for a wrong field count, an empty or
 *   non-printable field, or a key field that is not 32 canonical base64 bytes. Anything it
 *   accepts re-encodes to the identical text, so a tampered code cannot hide behind an
 *   alternative spelling.
 */
import { tryFromBase64 } from '../crypto/keys.js';

export interface QrContent {
  /** The server-issued one-time reference. */
  ref: string;
  /** The companion's ephemeral (box) public key, base64 of 32 bytes. */
  noisePublic: string;
  /** The companion's identity (signing) public key, base64 of 32 bytes. */
  identityPublic: string;
  /** The fresh linking secret, base64 of 32 bytes. */
  advSecret: string;
  /** The companion's platform, shown to the user (NOTE-01). */
  platform?: string;
}

export const QR_KEY_BYTES = 32;
const TOKEN = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII, no space, no comma

function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

function isKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const bytes = tryFromBase64(value);
  return bytes !== null && bytes.length === QR_KEY_BYTES;
}

/** Why `c` cannot be a QR text, or null if it can. */
export function qrContentProblem(c: QrContent): string | null {
  if (!isToken(c.ref)) return 'ref must be non-empty printable ASCII without commas';
  if (!isKey(c.noisePublic)) return 'noisePublic must be base64 of 32 bytes';
  if (!isKey(c.identityPublic)) return 'identityPublic must be base64 of 32 bytes';
  if (!isKey(c.advSecret)) return 'advSecret must be base64 of 32 bytes';
  if (c.platform !== undefined && !isToken(c.platform)) return 'platform must be non-empty printable ASCII without commas';
  return null;
}

export function encodeQrText(c: QrContent): string {
  const problem = qrContentProblem(c);
  if (problem !== null) throw new RangeError(`invalid QR content: ${problem}`);
  const fields = [c.ref, c.noisePublic, c.identityPublic, c.advSecret];
  if (c.platform !== undefined) fields.push(c.platform);
  return fields.join(',');
}

export function parseQrText(text: string): QrContent | null {
  if (typeof text !== 'string') return null;
  const fields = text.split(',');
  if (fields.length !== 4 && fields.length !== 5) return null;
  const [ref, noisePublic, identityPublic, advSecret, platform] = fields;
  const content: QrContent = { ref, noisePublic, identityPublic, advSecret };
  if (platform !== undefined) content.platform = platform;
  return qrContentProblem(content) === null ? content : null;
}
