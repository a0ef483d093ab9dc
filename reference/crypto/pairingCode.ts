/**
 * Pairing codes: the alternative to scanning a QR code (PAIR-06).
 *
 * Guarantees:
 * - `generatePairingCode` draws every character uniformly from `rules.alphabet`, with no modulo
 *   bias. For a power-of-two alphabet it reads whole bit groups from random bytes - WhatsApp's
 *   8 characters of a 32-letter alphabet are exactly 5 random bytes, 5 bits each; any other
 *   alphabet size uses node's rejection-sampled `randomInt`.
 * - `formatPairingCode` groups by 4 with dashes ('XXXX-XXXX'); `normalisePairingCode` undoes it:
 *   it accepts dashes, spaces and lowercase, and returns null for a wrong length or any
 *   character outside the alphabet.
 * - `deriveCodeKey` is PBKDF2-SHA256 (131,072 iterations by default, as WhatsApp), 32 bytes,
 *   asynchronous so a server deriving keys does not block its event loop. Pass the NORMALISED
 *   code, so 'abcd-efgh' and 'ABCDEFGH' derive the same key.
 */
import { pbkdf2, randomBytes, randomInt } from 'node:crypto';
import type { PairingCodeRules } from '../../model/profile.js';

export const PAIRING_CODE_ITERATIONS = 131_072;
export const CODE_KEY_BYTES = 32;
const GROUP = 4;

/** Only what code generation needs from the rules. */
export type PairingCodeShape = Pick<PairingCodeRules, 'length' | 'alphabet'>;

function checkRules(rules: PairingCodeShape): void {
  const chars = [...rules.alphabet];
  if (chars.length < 2 || new Set(chars).size !== chars.length || chars.includes('-') || chars.some((c) => /\s/.test(c))) {
    throw new RangeError('pairing-code alphabet needs at least 2 distinct characters, none a dash or space');
  }
  if (!Number.isSafeInteger(rules.length) || rules.length < 1) {
    throw new RangeError(`pairing-code length must be a positive integer, got ${rules.length}`);
  }
}

export function generatePairingCode(rules: PairingCodeShape): string {
  checkRules(rules);
  const alphabet = [...rules.alphabet];
  const bits = Math.log2(alphabet.length);
  if (Number.isInteger(bits) && bits <= 8) return fromBitGroups(alphabet, rules.length, bits);
  let code = '';
  for (let i = 0; i < rules.length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** Read `length` groups of `bits` bits, most significant first, from fresh random bytes. */
function fromBitGroups(alphabet: string[], length: number, bits: number): string {
  return codeFromBitGroups(randomBytes(Math.ceil((length * bits) / 8)), alphabet, length, bits);
}

/**
 * The code a power-of-two alphabet gives for these random bytes (5 bytes -> 8 characters for
 * WhatsApp's): what `generatePairingCode` does after drawing them. Exported for the test vectors
 * (vectors/), so other implementations can check their bit order. Throws RangeError when the
 * alphabet size is not a power of two or there are too few bytes.
 */
export function pairingCodeFromBytes(bytes: Uint8Array, rules: PairingCodeShape): string {
  checkRules(rules);
  const alphabet = [...rules.alphabet];
  const bits = Math.log2(alphabet.length);
  if (!Number.isInteger(bits) || bits > 8) throw new RangeError('pairingCodeFromBytes: the alphabet size must be a power of two up to 256');
  if (bytes.length < Math.ceil((rules.length * bits) / 8)) throw new RangeError(`pairingCodeFromBytes: need ${Math.ceil((rules.length * bits) / 8)} bytes`);
  return codeFromBitGroups(bytes, alphabet, rules.length, bits);
}

function codeFromBitGroups(bytes: Uint8Array, alphabet: string[], length: number, bits: number): string {
  let code = '';
  let acc = 0;
  let held = 0;
  let next = 0;
  for (let i = 0; i < length; i++) {
    while (held < bits) {
      acc = ((acc << 8) | bytes[next++]) & 0xffff;
      held += 8;
    }
    held -= bits;
    code += alphabet[(acc >> held) & ((1 << bits) - 1)];
  }
  return code;
}

/** 'ABCDEFGH' -> 'ABCD-EFGH' (groups of four). */
export function formatPairingCode(code: string): string {
  const chars = [...code];
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += GROUP) groups.push(chars.slice(i, i + GROUP).join(''));
  return groups.join('-');
}

/** What a user typed -> the code as generated, or null if it cannot be a code under `rules`. */
export function normalisePairingCode(input: string, rules: PairingCodeShape): string | null {
  if (typeof input !== 'string') return null;
  const alphabet = new Set(rules.alphabet);
  const out: string[] = [];
  for (const raw of input.replace(/[-\s]/g, '')) {
    const c = alphabet.has(raw) ? raw : raw.toUpperCase();
    if (!alphabet.has(c)) return null;
    out.push(c);
  }
  return out.length === rules.length ? out.join('') : null;
}

/** PBKDF2-SHA256(code, salt, iterations) -> 32 bytes. */
export function deriveCodeKey(code: string, salt: Uint8Array, iterations = PAIRING_CODE_ITERATIONS): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(code, 'utf8'), salt, iterations, CODE_KEY_BYTES, 'sha256', (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key));
    });
  });
}
