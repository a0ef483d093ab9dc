/**
 * keys.ts against tweetnacl itself: random keys and messages must give byte-identical output,
 * and each side must open/verify what the other produced (E2E-01, AUTH-02).
 */
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  boxKeyPairFromSecret,
  fromBase64,
  generateDeviceKeys,
  open,
  randomBytes,
  seal,
  sign,
  signingKeyPairFromSeed,
  toBase64,
  tryFromBase64,
  verify,
  Base64Error,
} from './keys.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const message = fc.uint8Array({ minLength: 0, maxLength: 300 });
const RUNS = { numRuns: 60 };

describe('generateDeviceKeys', () => {
  it('makes nacl-format keys that tweetnacl derives the same way', () => {
    for (let i = 0; i < 10; i++) {
      const keys = generateDeviceKeys();
      expect(keys.signing.secretKey.length).toBe(64);
      const fromNacl = nacl.sign.keyPair.fromSecretKey(keys.signing.secretKey);
      expect(nacl.sign.keyPair.fromSeed(keys.signing.secretKey.slice(0, 32)).publicKey).toEqual(keys.signing.publicKey);
      expect(fromNacl.publicKey).toEqual(keys.signing.publicKey);
      expect(nacl.box.keyPair.fromSecretKey(keys.box.secretKey).publicKey).toEqual(keys.box.publicKey);
    }
  });
  it('makes different keys each time', () => {
    const a = generateDeviceKeys();
    const b = generateDeviceKeys();
    expect(a.signing.publicKey).not.toEqual(b.signing.publicKey);
    expect(a.box.secretKey).not.toEqual(b.box.secretKey);
  });
  it('derives pairs from seeds and secrets exactly as tweetnacl does', () => {
    fc.assert(fc.property(bytes(32), (seed) => {
      expect(signingKeyPairFromSeed(seed)).toEqual(nacl.sign.keyPair.fromSeed(seed));
      expect(boxKeyPairFromSecret(seed).publicKey).toEqual(nacl.box.keyPair.fromSecretKey(seed).publicKey);
    }), { numRuns: 30 });
  });
});

describe('sign / verify', () => {
  it('signs byte-identically to nacl.sign.detached, and each side verifies the other', () => {
    fc.assert(fc.property(bytes(32), message, (seed, msg) => {
      const pair = nacl.sign.keyPair.fromSeed(seed);
      const ours = sign(msg, pair.secretKey);
      const theirs = nacl.sign.detached(msg, pair.secretKey);
      expect(ours).toEqual(theirs);
      expect(nacl.sign.detached.verify(msg, ours, pair.publicKey)).toBe(true);
      expect(verify(msg, theirs, pair.publicKey)).toBe(true);
    }), RUNS);
  });
  it('rejects a signature after any single bit flip of message, signature or key', () => {
    fc.assert(fc.property(bytes(32), fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), fc.constantFrom('msg', 'sig', 'key'), (seed, msg, where, part) => {
      const pair = nacl.sign.keyPair.fromSeed(seed);
      const sig = sign(msg, pair.secretKey);
      const m = msg.slice(), s = sig.slice(), k = pair.publicKey.slice();
      const target = part === 'msg' ? m : part === 'sig' ? s : k;
      target[where % target.length] ^= 1 << (where % 8);
      expect(verify(m, s, k)).toBe(false);
      expect(verify(m, s, k)).toBe(nacl.sign.detached.verify(m, s, k));
    }), RUNS);
  });
  it('verifies false, never throws, on malformed lengths or random keys', () => {
    const keys = generateDeviceKeys();
    const msg = randomBytes(10);
    const sig = sign(msg, keys.signing.secretKey);
    expect(verify(msg, sig.subarray(0, 63), keys.signing.publicKey)).toBe(false);
    expect(verify(msg, sig, keys.signing.publicKey.subarray(0, 31))).toBe(false);
    expect(verify(msg, sig, new Uint8Array(32))).toBe(false);
    fc.assert(fc.property(bytes(32), bytes(64), (key, s) => {
      expect(verify(msg, s, key)).toBe(false);
    }), RUNS);
  });
  it('is stricter than tweetnacl on one point only: a malleated signature (S + L) is refused', () => {
    // tweetnacl does not check S < L, so the same signature has a second accepted encoding;
    // OpenSSL does. Documented in keys.ts: honest signatures verify identically.
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const pair = nacl.sign.keyPair.fromSeed(randomBytes(32));
    const msg = Uint8Array.of(1, 2, 3);
    const sig = sign(msg, pair.secretKey);
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]);
    let malleated = s + L;
    const mal = sig.slice();
    for (let i = 0; i < 32; i++) { mal[32 + i] = Number(malleated & 255n); malleated >>= 8n; }
    expect(nacl.sign.detached.verify(msg, mal, pair.publicKey)).toBe(true);
    expect(verify(msg, mal, pair.publicKey)).toBe(false);
  });
  it('refuses a signing key of the wrong size', () => {
    expect(() => sign(new Uint8Array(1), new Uint8Array(32))).toThrow(RangeError);
  });
});

describe('seal / open', () => {
  it('seals byte-identically to nacl.box, and each side opens the other', () => {
    fc.assert(fc.property(bytes(32), bytes(32), bytes(24), message, (aSecret, bSecret, nonce, msg) => {
      const a = nacl.box.keyPair.fromSecretKey(aSecret);
      const b = nacl.box.keyPair.fromSecretKey(bSecret);
      const ours = seal(msg, nonce, b.publicKey, a.secretKey);
      const theirs = nacl.box(msg, nonce, b.publicKey, a.secretKey);
      expect(ours).toEqual(theirs);
      expect(nacl.box.open(ours, nonce, a.publicKey, b.secretKey)).toEqual(msg);
      expect(open(theirs, nonce, a.publicKey, b.secretKey)).toEqual(msg);
    }), RUNS);
  });
  it('matches nacl.box even for arbitrary (including low-order) public keys', () => {
    // Low-order points make OpenSSL refuse X25519; the fallback must still equal tweetnacl.
    const lowOrder = [new Uint8Array(32), Uint8Array.from([1, ...new Array(31).fill(0)])];
    const secret = randomBytes(32);
    const nonce = randomBytes(24);
    for (const pub of lowOrder) {
      expect(seal(Uint8Array.of(1, 2, 3), nonce, pub, secret)).toEqual(nacl.box(Uint8Array.of(1, 2, 3), nonce, pub, secret));
    }
    fc.assert(fc.property(bytes(32), bytes(32), (pub, sec) => {
      expect(seal(Uint8Array.of(7), nonce, pub, sec)).toEqual(nacl.box(Uint8Array.of(7), nonce, pub, sec));
    }), { numRuns: 30 });
  });
  it('opens to null on a damaged ciphertext, wrong nonce or wrong key', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), (msg, where) => {
      const a = generateDeviceKeys().box;
      const b = generateDeviceKeys().box;
      const nonce = randomBytes(24);
      const box = seal(msg, nonce, b.publicKey, a.secretKey);
      const damaged = box.slice();
      damaged[where % damaged.length] ^= 1 << (where % 8);
      expect(open(damaged, nonce, a.publicKey, b.secretKey)).toBeNull();
      const otherNonce = nonce.slice();
      otherNonce[where % 24] ^= 1;
      expect(open(box, otherNonce, a.publicKey, b.secretKey)).toBeNull();
      expect(open(box, nonce, generateDeviceKeys().box.publicKey, b.secretKey)).toBeNull();
      expect(open(box.subarray(0, 15), nonce, a.publicKey, b.secretKey)).toBeNull();
    }), { numRuns: 30 });
  });
  it('throws on a nonce or key of the wrong size, as tweetnacl does', () => {
    const k = generateDeviceKeys().box;
    expect(() => seal(new Uint8Array(1), new Uint8Array(23), k.publicKey, k.secretKey)).toThrow(RangeError);
    expect(() => open(new Uint8Array(20), new Uint8Array(24), k.publicKey.subarray(1), k.secretKey)).toThrow(RangeError);
  });
});

describe('randomBytes', () => {
  it('returns the asked length, never repeats a nonce-sized draw, and serves large requests', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = randomBytes(24);
      expect(n.length).toBe(24);
      seen.add(Buffer.from(n).toString('hex'));
    }
    expect(seen.size).toBe(2000);
    expect(randomBytes(0).length).toBe(0);
    expect(randomBytes(1000).length).toBe(1000);
    expect(() => randomBytes(-1)).toThrow(RangeError);
  });
  it('hands out copies: changing one draw does not change the next', () => {
    const a = randomBytes(8);
    a.fill(0);
    expect(randomBytes(8).every((b) => b === 0)).toBe(false);
  });
});

describe('base64', () => {
  it('round-trips any bytes, matching Buffer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      const text = toBase64(b);
      expect(text).toBe(Buffer.from(b).toString('base64'));
      expect(fromBase64(text)).toEqual(b);
    }), RUNS);
  });
  it('rejects non-canonical, unpadded, url-safe and junk input: fromBase64 throws, tryFromBase64 is null', () => {
    for (const bad of ['A', 'AB', 'AB=', 'AB==x', 'AR==', 'AAB=', 'ab-_', 'ab c', 'ab\ncd==', '====', 'YQ']) {
      expect(tryFromBase64(bad)).toBeNull();
      expect(() => fromBase64(bad)).toThrow(Base64Error);
    }
    expect(fromBase64('')).toEqual(new Uint8Array(0));
    expect(fromBase64('YQ==')).toEqual(Uint8Array.of(97));
  });
});
