/**
 * reference/crypto/keys.ts for the browser: the same exports, computed by tweetnacl alone (the
 * bundler maps keys.ts here; reference/web/bundle.ts). keys.ts promises outputs byte-identical to
 * tweetnacl's; this IS tweetnacl, so the browser companion and the Node clients sign, seal and
 * open the same bytes (naclKeys.test.ts checks both against each other on random inputs).
 *
 * Why not WebCrypto: Chromium 137+ has Ed25519 and X25519 in WebCrypto (the page reports what it
 * finds, and checks that WebCrypto's Ed25519 signature equals this one), but the client signs
 * synchronously and nacl's box (XSalsa20-Poly1305) has no WebCrypto counterpart, so one code path.
 *
 * Strictness kept from keys.ts: `verify` refuses a non-canonical S (>= L), which tweetnacl alone
 * would accept; base64 decoding is strict (canonical, padded, standard alphabet).
 */
import nacl from 'tweetnacl';
import { Buffer } from 'buffer';

export interface SigningKeyPair { publicKey: Uint8Array; secretKey: Uint8Array }
export interface BoxKeyPair { publicKey: Uint8Array; secretKey: Uint8Array }
export interface DeviceKeys { signing: SigningKeyPair; box: BoxKeyPair }

export const SIGNATURE_BYTES = 64;
export const SIGNING_PUBLIC_BYTES = 32;
export const SIGNING_SECRET_BYTES = 64;
export const BOX_PUBLIC_BYTES = 32;
export const BOX_SECRET_BYTES = 32;
export const NONCE_BYTES = 24;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (bytes.length !== length) throw new RangeError(`bad ${name} size: ${bytes.length}, want ${length}`);
}

export function generateDeviceKeys(): DeviceKeys {
  return { signing: signingKeyPairFromSeed(randomBytes(32)), box: boxKeyPairFromSecret(randomBytes(32)) };
}

export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  checkLength('seed', seed, 32);
  const pair = nacl.sign.keyPair.fromSeed(seed);
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

export function boxKeyPairFromSecret(secretKey: Uint8Array): BoxKeyPair {
  checkLength('box secret key', secretKey, BOX_SECRET_BYTES);
  return { publicKey: nacl.box.keyPair.fromSecretKey(secretKey).publicKey, secretKey: secretKey.slice() };
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkLength('signing secret key', secretKey, SIGNING_SECRET_BYTES);
  return nacl.sign.detached(message, secretKey);
}

/** The group order L, little-endian: a canonical signature has S < L (RFC 8032 5.1.7). */
const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];

function canonicalS(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    if (s < L[i]!) return true;
    if (s > L[i]!) return false;
  }
  return false; // S == L
}

export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== SIGNING_PUBLIC_BYTES || !canonicalS(signature)) return false;
  try {
    return nacl.sign.detached.verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

export function boxSharedKey(theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array {
  checkLength('box public key', theirBoxPublic, BOX_PUBLIC_BYTES);
  checkLength('box secret key', mySecretBox, BOX_SECRET_BYTES);
  return nacl.box.before(theirBoxPublic, mySecretBox);
}

export function seal(plaintext: Uint8Array, nonce: Uint8Array, theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array {
  checkLength('nonce', nonce, NONCE_BYTES);
  return nacl.box.after(plaintext, nonce, boxSharedKey(theirBoxPublic, mySecretBox));
}

export function open(ciphertext: Uint8Array, nonce: Uint8Array, theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array | null {
  checkLength('nonce', nonce, NONCE_BYTES);
  return nacl.box.open.after(ciphertext, nonce, boxSharedKey(theirBoxPublic, mySecretBox));
}

/** `n` bytes from the platform CSPRNG (tweetnacl uses crypto.getRandomValues in a browser). */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  return nacl.randomBytes(n);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export class Base64Error extends Error {
  constructor(text: string) {
    super(`not canonical base64: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`);
    this.name = 'Base64Error';
  }
}

const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function tryFromBase64(text: string): Uint8Array | null {
  if (typeof text !== 'string' || !BASE64_SHAPE.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function fromBase64(text: string): Uint8Array {
  const bytes = tryFromBase64(text);
  if (bytes === null) throw new Base64Error(String(text));
  return bytes;
}
