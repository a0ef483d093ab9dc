/**
 * One end-to-end encrypted envelope to one device (E2E-01, HIST-01): the server only ever sees
 * `{ nonce, ciphertext }` in base64.
 *
 * Guarantees: every envelope gets a fresh random 24-byte nonce, so one key pair never reuses a
 * nonce; the ciphertext is exactly `nacl.box` of the plaintext. `openFrom` returns null (never
 * throws) on a forged, damaged or malformed envelope, including bad base64 or a wrong-size
 * nonce or key.
 */
import { NONCE_BYTES, open, randomBytes, seal, toBase64, tryFromBase64 } from './keys.js';

export interface Envelope {
  /** 24 bytes, base64. */
  nonce: string;
  /** nacl.box output (16-byte tag + plaintext length), base64. */
  ciphertext: string;
}

export function sealFor(plaintext: Uint8Array, recipientBoxPublic: Uint8Array, senderBoxSecret: Uint8Array): Envelope {
  const nonce = randomBytes(NONCE_BYTES);
  return { nonce: toBase64(nonce), ciphertext: toBase64(seal(plaintext, nonce, recipientBoxPublic, senderBoxSecret)) };
}

export function openFrom(env: Envelope, senderBoxPublic: Uint8Array, recipientBoxSecret: Uint8Array): Uint8Array | null {
  if (typeof env !== 'object' || env === null) return null;
  const nonce = tryFromBase64(env.nonce);
  const ciphertext = tryFromBase64(env.ciphertext);
  if (nonce === null || ciphertext === null || nonce.length !== NONCE_BYTES) return null;
  try {
    return open(ciphertext, nonce, senderBoxPublic, recipientBoxSecret);
  } catch {
    return null; // wrong-size key: nothing can open it
  }
}
