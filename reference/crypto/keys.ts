/**
 * Device keys and the public-key primitives every reference device uses (AUTH-02, E2E-01,
 * PAIR-01/02/07, LIFE-02).
 *
 * Guarantees:
 * - Every output is byte-identical to tweetnacl's for the same inputs: `sign` to
 *   `nacl.sign.detached`, `seal` to `nacl.box`, `open` to `nacl.box.open`; keys are in nacl's
 *   formats (signing secret = seed || public, 64 bytes; box secret = raw 32-byte scalar).
 *   Tests (keys.test.ts) check this on random keys and messages against tweetnacl itself.
 * - Speed: the public-key work runs in node:crypto's native Ed25519/X25519 (about 100x
 *   tweetnacl). node has no XSalsa20, so `seal`/`open` derive nacl's precomputed box key
 *   (HSalsa20 of the X25519 shared secret, exactly `nacl.box.before`) once per
 *   (their public, my secret) pair, keep it in a bounded cache - a real device talks to few
 *   peers - and run tweetnacl's `box.after`/`box.open.after` for the symmetric part.
 * - `verify` never throws: malformed keys or signatures verify false. It is at least as strict
 *   as tweetnacl: OpenSSL also rejects a non-canonical S (>= L), which tweetnacl accepts, so a
 *   malleated copy of a valid signature is refused here. Honest signatures verify identically.
 * - `seal`/`open` throw on wrong key or nonce lengths, as tweetnacl does; `open` returns null
 *   on any forged or damaged ciphertext.
 * - `fromBase64` is strict and THROWS (`Base64Error`) on anything but canonical, padded,
 *   standard-alphabet base64; `tryFromBase64` is the same check returning null instead.
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes as nodeRandomBytes,
  randomFillSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import nacl from 'tweetnacl';

export interface SigningKeyPair {
  /** Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** nacl format, 64 bytes: 32-byte seed || 32-byte public key. */
  secretKey: Uint8Array;
}

export interface BoxKeyPair {
  /** X25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** X25519 secret scalar, 32 bytes (clamped when used, as nacl does). */
  secretKey: Uint8Array;
}

export interface DeviceKeys {
  signing: SigningKeyPair;
  box: BoxKeyPair;
}

export const SIGNATURE_BYTES = 64;
export const SIGNING_PUBLIC_BYTES = 32;
export const SIGNING_SECRET_BYTES = 64;
export const BOX_PUBLIC_BYTES = 32;
export const BOX_SECRET_BYTES = 32;
export const NONCE_BYTES = 24;

// DER prefixes that wrap a raw 32-byte private key into PKCS8 for node:crypto.
const ED25519_PKCS8_PREFIX = hex('302e020100300506032b657004220420');
const X25519_PKCS8_PREFIX = hex('302e020100300506032b656e04220420');

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cacheKey(bytes: Uint8Array): string {
  return view(bytes).toString('latin1');
}

/**
 * A small insertion-ordered cache: when full, the oldest entry goes. Enough for a device's
 * handful of peers and a test run's many throwaway keys without growing without bound.
 */
class BoundedCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}

const signingKeys = new BoundedCache<KeyObject>(1024);
const verifyingKeys = new BoundedCache<KeyObject | null>(4096);
const boxKeys = new BoundedCache<Uint8Array>(4096);
const boxPrivateKeys = new BoundedCache<KeyObject>(256);

// Raw keys come out of SPKI DER (the key is its last 32 bytes). Not JWK export, and keys are
// never made by generateKeyPairSync: on Node 20, exporting a JWK from a generateKeyPairSync key
// can deadlock the process when a GC runs mid-export (seen here: ExportJWKEdKey holds the key's
// mutex while allocating; the GC-run KeyGenJob destructor waits on the same mutex).
function publicRaw(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** The bytes of `parts`, one after another, in a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (bytes.length !== length) throw new RangeError(`bad ${name} size: ${bytes.length}, want ${length}`);
}

/** A fresh device: an Ed25519 signing pair and an X25519 box pair, from node's CSPRNG. */
export function generateDeviceKeys(): DeviceKeys {
  return {
    signing: signingKeyPairFromSeed(new Uint8Array(nodeRandomBytes(32))),
    box: boxKeyPairFromSecret(new Uint8Array(nodeRandomBytes(32))),
  };
}

const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');

/**
 * A private KeyObject from a raw 32-byte key. JWK import is ~20x faster than PKCS8 DER (OpenSSL
 * 3's decoder is slow) but wants the public half, which is what we are about to compute: node
 * builds the key from `d` alone and derives the public key from it, so a placeholder `x` is
 * harmless (tests compare every derived public key with tweetnacl's). Should a later Node check
 * `x`, the import throws and the DER route takes over.
 */
function privateKeyFromRaw(crv: 'Ed25519' | 'X25519', raw: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv, d: base64url(raw), x: PLACEHOLDER_X }, format: 'jwk' });
  } catch {
    const prefix = crv === 'Ed25519' ? ED25519_PKCS8_PREFIX : X25519_PKCS8_PREFIX;
    return createPrivateKey({ key: Buffer.concat([prefix, view(raw)]), format: 'der', type: 'pkcs8' });
  }
}

/** The signing pair for a 32-byte seed (same as `nacl.sign.keyPair.fromSeed`). */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  checkLength('seed', seed, 32);
  const privateKey = privateKeyFromRaw('Ed25519', seed);
  const publicKey = publicRaw(privateKey);
  const secretKey = concat(seed, publicKey);
  signingKeys.set(cacheKey(secretKey), privateKey); // the device signs next: reuse this object
  return { publicKey, secretKey };
}

/** The box public key for a 32-byte secret (same as `nacl.box.keyPair.fromSecretKey`). */
export function boxKeyPairFromSecret(secretKey: Uint8Array): BoxKeyPair {
  checkLength('box secret key', secretKey, BOX_SECRET_BYTES);
  const privateKey = boxPrivateKeyObject(secretKey);
  return { publicKey: publicRaw(privateKey), secretKey: secretKey.slice() };
}

function signingKeyObject(secretKey: Uint8Array): KeyObject {
  const id = cacheKey(secretKey);
  let key = signingKeys.get(id);
  if (key === undefined) {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d: base64url(secretKey.subarray(0, 32)), x: base64url(secretKey.subarray(32)) };
    key = createPrivateKey({ key: jwk, format: 'jwk' });
    signingKeys.set(id, key);
  }
  return key;
}

function verifyingKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = cacheKey(publicKey);
  let key = verifyingKeys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey) }, format: 'jwk' });
    } catch {
      key = null; // not a key node accepts: nothing can verify under it
    }
    verifyingKeys.set(id, key);
  }
  return key;
}

function base64url(bytes: Uint8Array): string {
  return view(bytes).toString('base64url');
}

/**
 * Detached Ed25519 signature, byte-identical to `nacl.sign.detached(message, secretKey)` for a
 * well-formed nacl secret key (second half = public key of the seed, as every generator makes).
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkLength('signing secret key', secretKey, SIGNING_SECRET_BYTES);
  return new Uint8Array(nodeSign(null, view(message), signingKeyObject(secretKey)));
}

/** True only if `signature` is a valid Ed25519 signature of `message` under `publicKey`. */
export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== SIGNING_PUBLIC_BYTES) return false;
  const key = verifyingKeyObject(publicKey);
  if (key === null) return false;
  try {
    return nodeVerify(null, view(message), key, view(signature));
  } catch {
    return false;
  }
}

type HSalsa20 = (out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array) => void;
const hsalsa20 = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20: HSalsa20 } }).lowlevel.crypto_core_hsalsa20;
const ZERO16 = new Uint8Array(16);
const SIGMA = new Uint8Array(Buffer.from('expand 32-byte k', 'latin1'));

/**
 * nacl's precomputed box key (`nacl.box.before`): HSalsa20(X25519(secret, public), 0), cached
 * per (their public, my secret).
 */
export function boxSharedKey(theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array {
  checkLength('box public key', theirBoxPublic, BOX_PUBLIC_BYTES);
  checkLength('box secret key', mySecretBox, BOX_SECRET_BYTES);
  const id = cacheKey(theirBoxPublic) + cacheKey(mySecretBox);
  let key = boxKeys.get(id);
  if (key === undefined) {
    key = computeBoxSharedKey(theirBoxPublic, mySecretBox);
    boxKeys.set(id, key);
  }
  return key;
}

/** A device has one box secret: build its KeyObject once. */
function boxPrivateKeyObject(secret: Uint8Array): KeyObject {
  const id = cacheKey(secret);
  let key = boxPrivateKeys.get(id);
  if (key === undefined) {
    key = privateKeyFromRaw('X25519', secret);
    boxPrivateKeys.set(id, key);
  }
  return key;
}

function computeBoxSharedKey(theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = diffieHellman({
      privateKey: boxPrivateKeyObject(mySecretBox),
      publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(theirBoxPublic) }, format: 'jwk' }),
    });
  } catch {
    // OpenSSL refuses low-order public keys (all-zero shared secret); tweetnacl computes on.
    // Stay byte-identical by letting tweetnacl do exactly what it does.
    return nacl.box.before(theirBoxPublic, mySecretBox);
  }
  const key = new Uint8Array(32);
  hsalsa20(key, ZERO16, shared, SIGMA);
  return key;
}

/** Authenticated encryption, byte-identical to `nacl.box(plaintext, nonce, theirPublic, mySecret)`. */
export function seal(plaintext: Uint8Array, nonce: Uint8Array, theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array {
  checkLength('nonce', nonce, NONCE_BYTES);
  return nacl.box.after(plaintext, nonce, boxSharedKey(theirBoxPublic, mySecretBox));
}

/** The plaintext, or null if the ciphertext is forged or damaged (== `nacl.box.open`). */
export function open(ciphertext: Uint8Array, nonce: Uint8Array, theirBoxPublic: Uint8Array, mySecretBox: Uint8Array): Uint8Array | null {
  checkLength('nonce', nonce, NONCE_BYTES);
  return nacl.box.open.after(ciphertext, nonce, boxSharedKey(theirBoxPublic, mySecretBox));
}

// Small requests (nonces, ids) are cut from a pool refilled from the CSPRNG, so a nonce costs a
// copy instead of a system call. Pool bytes are handed out once and never reused.
const POOL_BYTES = 4096;
const SMALL_REQUEST = 64;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

/** `n` bytes from node's CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  if (n > SMALL_REQUEST) return new Uint8Array(nodeRandomBytes(n));
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  return view(bytes).toString('base64');
}

/** Thrown by `fromBase64` on anything that is not canonical standard base64. */
export class Base64Error extends Error {
  constructor(text: string) {
    super(`not canonical base64: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`);
    this.name = 'Base64Error';
  }
}

const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict decode: padded, standard alphabet, canonical (unused trailing bits zero), so every
 * byte string has exactly one accepted text. Node's own decoder skips junk silently, which
 * would let two different texts name the same key.
 */
export function tryFromBase64(text: string): Uint8Array | null {
  if (typeof text !== 'string' || !BASE64_SHAPE.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Strict decode; THROWS `Base64Error` on invalid input (see `tryFromBase64` for null instead). */
export function fromBase64(text: string): Uint8Array {
  const bytes = tryFromBase64(text);
  if (bytes === null) throw new Base64Error(String(text));
  return bytes;
}
