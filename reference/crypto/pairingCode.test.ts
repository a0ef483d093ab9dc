/** Pairing codes (PAIR-06): alphabet, format, normalisation, key derivation. */
import { pbkdf2Sync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, PAIRING_CODE_ALPHABET } from '../../model/profile.js';
import { deriveCodeKey, formatPairingCode, generatePairingCode, normalisePairingCode } from './pairingCode.js';

const rules = DEFAULT_PROFILE.pairingCode;

describe('generatePairingCode', () => {
  it('makes 8 characters of the WhatsApp alphabet, formatted XXXX-XXXX', () => {
    for (let i = 0; i < 200; i++) {
      const code = generatePairingCode(rules);
      expect(code).toMatch(/^[123456789ABCDEFGHJKLMNPQRSTVWXYZ]{8}$/);
      expect(formatPairingCode(code)).toMatch(/^[1-9A-Z]{4}-[1-9A-Z]{4}$/);
      expect(normalisePairingCode(formatPairingCode(code), rules)).toBe(code);
    }
  });
  it('uses every character of the alphabet in every position (no stuck bits)', () => {
    const seen = Array.from({ length: 8 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...generatePairingCode(rules)].forEach((c, at) => seen[at].add(c));
    for (const s of seen) expect(s.size).toBe(PAIRING_CODE_ALPHABET.length);
  });
  it('honours other lengths and alphabets, power of two or not', () => {
    for (const alphabet of ['AB', '0123456789', 'XYZ', PAIRING_CODE_ALPHABET + 'a']) {
      for (const length of [1, 6, 13]) {
        const code = generatePairingCode({ length, alphabet });
        expect([...code].length).toBe(length);
        expect([...code].every((c) => alphabet.includes(c))).toBe(true);
      }
    }
    expect(() => generatePairingCode({ length: 8, alphabet: 'AA' })).toThrow(RangeError);
    expect(() => generatePairingCode({ length: 0, alphabet: 'AB' })).toThrow(RangeError);
  });
});

describe('normalisePairingCode', () => {
  it('accepts lowercase, dashes and spaces', () => {
    expect(normalisePairingCode('abcd-efgh', rules)).toBe('ABCDEFGH');
    expect(normalisePairingCode(' 1234 5678 ', rules)).toBe('12345678');
  });
  it('rejects characters outside the alphabet and wrong lengths', () => {
    for (const bad of ['ABCD-EFG0', 'ABCDEFGI', 'ABCDEFGO', 'ABCDEFGU', 'ABCDEFG', 'ABCDEFGHJ', '', 'ABCD_EFGH']) {
      expect(normalisePairingCode(bad, rules)).toBeNull();
    }
  });
  it('is the inverse of formatPairingCode for every generated code', () => {
    fc.assert(fc.property(fc.constant(null), () => {
      const code = generatePairingCode(rules);
      expect(normalisePairingCode(formatPairingCode(code).toLowerCase(), rules)).toBe(code);
    }), { numRuns: 50 });
  });
});

describe('deriveCodeKey', () => {
  it('is PBKDF2-SHA256 with 32-byte output and the given iterations', async () => {
    const salt = Uint8Array.of(1, 2, 3, 4);
    const key = await deriveCodeKey('ABCDEFGH', salt, 1000);
    expect(Buffer.from(key)).toEqual(pbkdf2Sync('ABCDEFGH', salt, 1000, 32, 'sha256'));
    expect(await deriveCodeKey('ABCDEFGJ', salt, 1000)).not.toEqual(key);
  });
  it('defaults to 131,072 iterations', async () => {
    const salt = Uint8Array.of(9);
    expect(Buffer.from(await deriveCodeKey('12345678', salt))).toEqual(pbkdf2Sync('12345678', salt, 131_072, 32, 'sha256'));
  });
});
