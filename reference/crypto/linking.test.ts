/** The ADV linking signatures (PAIR-02, PAIR-07, AUTH-02, LIFE-02): layout, binding, tamper. */
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { generateDeviceKeys, randomBytes, toBase64 } from './keys.js';
import {
  accountSignature,
  decodeDetails,
  detailsHmac,
  deviceListBytes,
  deviceSignature,
  encodeDetails,
  signDeviceList,
  verifyAccountSignature,
  verifyDeviceList,
  verifyDeviceSignature,
  type LinkDetails,
} from './linking.js';

const details = fc.record({
  rawId: fc.integer({ min: 0, max: 0xffff_ffff }),
  timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  keyIndex: fc.integer({ min: 0, max: 0xffff_ffff }),
});
const primary = generateDeviceKeys();
const companion = generateDeviceKeys();
const stranger = generateDeviceKeys();

describe('encodeDetails', () => {
  it('has the documented big-endian 16-byte layout', () => {
    const bytes = encodeDetails({ rawId: 0x01020304, timestamp: 0x0a0b0c0d0e0f, keyIndex: 7 });
    expect(Buffer.from(bytes).toString('hex')).toBe('01020304' + '00000a0b0c0d0e0f' + '00000007');
  });
  it('round-trips through decodeDetails and is injective', () => {
    fc.assert(fc.property(details, details, (a, b) => {
      expect(decodeDetails(encodeDetails(a))).toEqual(a);
      const same = a.rawId === b.rawId && a.timestamp === b.timestamp && a.keyIndex === b.keyIndex;
      expect(Buffer.from(encodeDetails(a)).equals(Buffer.from(encodeDetails(b)))).toBe(same);
    }), { numRuns: 100 });
  });
  it('refuses fields out of range', () => {
    const ok: LinkDetails = { rawId: 1, timestamp: 1, keyIndex: 1 };
    for (const bad of [{ rawId: -1 }, { rawId: 2 ** 32 }, { timestamp: 1.5 }, { timestamp: 2 ** 53 }, { keyIndex: NaN }]) {
      expect(() => encodeDetails({ ...ok, ...bad })).toThrow(RangeError);
    }
    expect(decodeDetails(new Uint8Array(15))).toBeNull();
  });
});

describe('detailsHmac', () => {
  it('is HMAC-SHA256 (RFC 4231 test case 2)', () => {
    const mac = detailsHmac(new Uint8Array(Buffer.from('Jefe')), new Uint8Array(Buffer.from('what do ya want for nothing?')));
    expect(Buffer.from(mac).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('account and device signatures', () => {
  it('verify for the right keys and details, and sign exactly the documented bytes', () => {
    fc.assert(fc.property(details, (d) => {
      const bytes = encodeDetails(d);
      const acc = accountSignature(primary.signing.secretKey, bytes, companion.signing.publicKey);
      expect(verifyAccountSignature(primary.signing.publicKey, bytes, companion.signing.publicKey, acc)).toBe(true);
      const accMsg = new Uint8Array([0x06, 0x00, ...bytes, ...companion.signing.publicKey]);
      expect(nacl.sign.detached.verify(accMsg, acc, primary.signing.publicKey)).toBe(true);

      const dev = deviceSignature(companion.signing.secretKey, bytes, companion.signing.publicKey, primary.signing.publicKey);
      expect(verifyDeviceSignature(companion.signing.publicKey, bytes, primary.signing.publicKey, dev)).toBe(true);
      const devMsg = new Uint8Array([0x06, 0x01, ...bytes, ...companion.signing.publicKey, ...primary.signing.publicKey]);
      expect(nacl.sign.detached.verify(devMsg, dev, companion.signing.publicKey)).toBe(true);
    }), { numRuns: 30 });
  });
  it('bind the exact companion, account and details (PAIR-07)', () => {
    fc.assert(fc.property(details, details, (d, other) => {
      fc.pre(d.rawId !== other.rawId || d.timestamp !== other.timestamp || d.keyIndex !== other.keyIndex);
      const bytes = encodeDetails(d);
      const acc = accountSignature(primary.signing.secretKey, bytes, companion.signing.publicKey);
      expect(verifyAccountSignature(primary.signing.publicKey, encodeDetails(other), companion.signing.publicKey, acc)).toBe(false);
      expect(verifyAccountSignature(primary.signing.publicKey, bytes, stranger.signing.publicKey, acc)).toBe(false);
      expect(verifyAccountSignature(stranger.signing.publicKey, bytes, companion.signing.publicKey, acc)).toBe(false);
      const dev = deviceSignature(companion.signing.secretKey, bytes, companion.signing.publicKey, primary.signing.publicKey);
      expect(verifyDeviceSignature(companion.signing.publicKey, bytes, stranger.signing.publicKey, dev)).toBe(false);
      expect(verifyDeviceSignature(stranger.signing.publicKey, bytes, primary.signing.publicKey, dev)).toBe(false);
    }), { numRuns: 20 });
  });
  it('cannot stand in for each other (distinct prefixes)', () => {
    // A companion signing "account-shaped" bytes with its own key must not pass as a device signature.
    const bytes = encodeDetails({ rawId: 1, timestamp: 2, keyIndex: 3 });
    const acc = accountSignature(companion.signing.secretKey, bytes, companion.signing.publicKey);
    expect(verifyDeviceSignature(companion.signing.publicKey, bytes, primary.signing.publicKey, acc)).toBe(false);
    expect(verifyAccountSignature(primary.signing.publicKey, bytes, companion.signing.publicKey, randomBytes(64))).toBe(false);
  });
});

describe('device lists (LIFE-02)', () => {
  const entry = fc.record({ id: fc.string({ maxLength: 8 }), identityKey: fc.constantFrom(...[0, 1, 2, 3].map(() => toBase64(randomBytes(32)))) });
  const list = fc.record({ account: fc.string({ maxLength: 12 }), version: fc.nat(), devices: fc.array(entry, { maxLength: 5 }) });

  it('encode canonically: any device order gives the same bytes and signature check', () => {
    fc.assert(fc.property(list, (l) => {
      const shuffled = { ...l, devices: [...l.devices].reverse() };
      expect(deviceListBytes(shuffled)).toEqual(deviceListBytes(l));
      const sig = signDeviceList(primary.signing.secretKey, l);
      expect(verifyDeviceList(primary.signing.publicKey, shuffled, sig)).toBe(true);
    }), { numRuns: 40 });
  });
  it('reject any change of version, account or devices, and a non-primary signer (AUTH-02)', () => {
    fc.assert(fc.property(list, entry, (l, extra) => {
      const sig = signDeviceList(primary.signing.secretKey, l);
      expect(verifyDeviceList(primary.signing.publicKey, { ...l, version: l.version + 1 }, sig)).toBe(false);
      expect(verifyDeviceList(primary.signing.publicKey, { ...l, account: `${l.account}x` }, sig)).toBe(false);
      expect(verifyDeviceList(primary.signing.publicKey, { ...l, devices: [...l.devices, extra] }, sig)).toBe(false);
      expect(verifyDeviceList(stranger.signing.publicKey, l, sig)).toBe(false);
      const forged = signDeviceList(stranger.signing.secretKey, l);
      expect(verifyDeviceList(primary.signing.publicKey, l, forged)).toBe(false);
    }), { numRuns: 30 });
  });
  it('cannot be confused by ids or keys that contain JSON punctuation', () => {
    const key = toBase64(randomBytes(32));
    const a = { account: 'a', version: 1, devices: [{ id: 'x","y', identityKey: key }] };
    const b = { account: 'a', version: 1, devices: [{ id: 'x', identityKey: key }, { id: 'y', identityKey: key }] };
    expect(deviceListBytes(a)).not.toEqual(deviceListBytes(b));
    expect(verifyDeviceList(primary.signing.publicKey, { ...a, version: -1 }, signDeviceList(primary.signing.secretKey, a))).toBe(false);
  });
});
