import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { companionLinkKey, companionWrap, confirmation, confirmationMatches, primaryAnswer, COMPANION_BLOB_BYTES } from './codeExchange.js';
import { deriveCodeKey } from './pairingCode.js';

const FAST = 1_000; // the exchange's logic; the protocol's count (131,072) is a parameter

describe('pairing-code exchange (PAIR-06, PAIR-08)', () => {
  it('the right code gives both sides the same link key, and the confirmation verifies', async () => {
    const c = await companionWrap('ABCD2345', FAST);
    expect(c.blob.length).toBe(COMPANION_BLOB_BYTES);
    const p = (await primaryAnswer('ABCD2345', c.blob, FAST))!;
    const k = (await companionLinkKey(c.codeKey, c.ephemeral, c.blob, p.blob))!;
    expect(Buffer.from(k)).toEqual(Buffer.from(p.linkKey));
    const id = new Uint8Array(32).fill(9);
    expect(confirmationMatches(p.linkKey, id, confirmation(k, id))).toBe(true);
  });

  it('a wrong code fails cryptographically: different keys, the confirmation does not verify', async () => {
    const c = await companionWrap('ABCD2345', FAST);
    const p = (await primaryAnswer('ABCD2346', c.blob, FAST))!;
    const k = (await companionLinkKey(c.codeKey, c.ephemeral, c.blob, p.blob))!;
    expect(Buffer.from(k)).not.toEqual(Buffer.from(p.linkKey));
    const id = new Uint8Array(32).fill(9);
    expect(confirmationMatches(p.linkKey, id, confirmation(k, id))).toBe(false);
  });

  it('the wrap is AES-256-CTR under PBKDF2-SHA256(code, salt) with the salt and IV in front', async () => {
    const c = await companionWrap('ABCD2345', FAST);
    const salt = c.blob.subarray(0, 32);
    const iv = c.blob.subarray(32, 48);
    const key = await deriveCodeKey('ABCD2345', salt, FAST);
    const node = createCipheriv('aes-256-ctr', key, iv);
    const plain = Buffer.concat([node.update(c.blob.subarray(48)), node.final()]);
    expect(Buffer.from(plain)).toEqual(Buffer.from(c.ephemeral.publicKey));
  });
});
