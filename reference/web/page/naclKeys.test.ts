/**
 * The browser's keys module (naclKeys.ts) against the Node one (reference/crypto/keys.ts): same
 * keys from the same seeds, same signatures, same sealed boxes, each opens the other's, the same
 * strictness on malleated signatures and bad base64. This is what lets a web companion and Node
 * devices talk (E2E-01, PAIR-02, LIFE-02).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as node from '../../crypto/keys.js';
import * as web from './naclKeys.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('browser keys = node keys', () => {
  it('export the same names', () => {
    expect(Object.keys(web).sort()).toEqual(Object.keys(node).sort());
  });

  it('derive the same key pairs and signatures', () => {
    fc.assert(fc.property(bytes(32), bytes(32), fc.uint8Array({ maxLength: 200 }), (seed, boxSecret, message) => {
      const a = node.signingKeyPairFromSeed(seed);
      const b = web.signingKeyPairFromSeed(seed);
      expect(b.publicKey).toEqual(a.publicKey);
      expect(b.secretKey).toEqual(a.secretKey);
      expect(web.boxKeyPairFromSecret(boxSecret).publicKey).toEqual(node.boxKeyPairFromSecret(boxSecret).publicKey);
      const sig = node.sign(message, a.secretKey);
      expect(web.sign(message, b.secretKey)).toEqual(sig);
      expect(web.verify(message, sig, a.publicKey)).toBe(true);
    }), { numRuns: 20 });
  });

  it('seal the same bytes and open each other', () => {
    fc.assert(fc.property(bytes(32), bytes(32), bytes(24), fc.uint8Array({ maxLength: 200 }), (s1, s2, nonce, message) => {
      const me = node.boxKeyPairFromSecret(s1);
      const them = node.boxKeyPairFromSecret(s2);
      const sealed = node.seal(message, nonce, them.publicKey, me.secretKey);
      expect(web.seal(message, nonce, them.publicKey, me.secretKey)).toEqual(sealed);
      expect(web.open(sealed, nonce, me.publicKey, them.secretKey)).toEqual(message);
      sealed[0] = sealed[0]! ^ 1;
      expect(web.open(sealed, nonce, me.publicKey, them.secretKey)).toBeNull();
    }), { numRuns: 20 });
  });

  it('refuse a malleated signature (S + L) as node does', () => {
    const pair = web.signingKeyPairFromSeed(new Uint8Array(32).fill(7));
    const message = new Uint8Array([1, 2, 3]);
    const sig = web.sign(message, pair.secretKey);
    const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, ...new Array(15).fill(0), 0x10];
    const malleated = sig.slice();
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const sum = malleated[32 + i]! + L[i]! + carry;
      malleated[32 + i] = sum & 0xff;
      carry = sum >> 8;
    }
    expect(node.verify(message, malleated, pair.publicKey)).toBe(false);
    expect(web.verify(message, malleated, pair.publicKey)).toBe(false);
    expect(web.verify(message, sig, pair.publicKey)).toBe(true);
  });

  it('decode base64 as strictly', () => {
    for (const text of ['', 'AA==', 'AB==', 'AAA=', 'AAB=', 'AAAA', 'A', 'AA', '====', 'AA=A', 'A-_=', ' AA==', 'AAAA\n']) {
      expect(web.tryFromBase64(text)).toEqual(node.tryFromBase64(text));
    }
    expect(() => web.fromBase64('AB==')).toThrow(web.Base64Error);
  });
});
