/** Envelopes (E2E-01, HIST-01): what one device seals only the addressed device opens. */
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { openFrom, sealFor } from './envelope.js';
import { fromBase64, generateDeviceKeys } from './keys.js';

const alice = generateDeviceKeys().box;
const bob = generateDeviceKeys().box;
const eve = generateDeviceKeys().box;

describe('sealFor / openFrom', () => {
  it('round-trips, is nacl.box underneath, and uses a fresh nonce each time', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (msg) => {
      const env = sealFor(msg, bob.publicKey, alice.secretKey);
      expect(openFrom(env, alice.publicKey, bob.secretKey)).toEqual(msg);
      expect(nacl.box.open(fromBase64(env.ciphertext), fromBase64(env.nonce), alice.publicKey, bob.secretKey)).toEqual(msg);
      expect(sealFor(msg, bob.publicKey, alice.secretKey).nonce).not.toBe(env.nonce);
    }), { numRuns: 40 });
  });
  it('opens to null for another recipient, a spoofed sender, or a malformed envelope', () => {
    const env = sealFor(Uint8Array.of(1, 2, 3), bob.publicKey, alice.secretKey);
    expect(openFrom(env, alice.publicKey, eve.secretKey)).toBeNull();
    expect(openFrom(env, eve.publicKey, bob.secretKey)).toBeNull();
    expect(openFrom({ ...env, nonce: 'AAAA' }, alice.publicKey, bob.secretKey)).toBeNull();
    expect(openFrom({ ...env, ciphertext: `${env.ciphertext}!` }, alice.publicKey, bob.secretKey)).toBeNull();
    expect(openFrom(env, alice.publicKey.subarray(1), bob.secretKey)).toBeNull();
    expect(openFrom(null as never, alice.publicKey, bob.secretKey)).toBeNull();
  });
});
