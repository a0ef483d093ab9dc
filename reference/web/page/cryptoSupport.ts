/**
 * What this browser's WebCrypto offers for the reference's key types, and whether its Ed25519
 * signature is byte-identical to tweetnacl's for this device's own key (Ed25519 is deterministic,
 * RFC 8032, so it must be). Shown on the page and read by the browser tests; the client itself
 * always signs with tweetnacl (naclKeys.ts says why).
 */
import { sign } from '../../crypto/keys.js';

export interface CryptoSupport { readonly ed25519: boolean; readonly x25519: boolean; readonly ed25519MatchesNacl: boolean }

/** PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

async function supports(algorithm: string, usages: KeyUsage[]): Promise<boolean> {
  try {
    await crypto.subtle.generateKey({ name: algorithm } as AlgorithmIdentifier, false, usages);
    return true;
  } catch {
    return false;
  }
}

export async function cryptoSupport(signingSecretKey: Uint8Array): Promise<CryptoSupport> {
  const ed25519 = await supports('Ed25519', ['sign', 'verify']);
  const x25519 = await supports('X25519', ['deriveBits']);
  let ed25519MatchesNacl = false;
  if (ed25519) {
    const pkcs8 = new Uint8Array(48);
    pkcs8.set(ED25519_PKCS8_PREFIX);
    pkcs8.set(signingSecretKey.subarray(0, 32), 16);
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const message = new TextEncoder().encode('linkspec web companion: same bytes?');
    const theirs = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key, message));
    const ours = sign(message, signingSecretKey);
    ed25519MatchesNacl = theirs.length === ours.length && theirs.every((b, i) => b === ours[i]);
  }
  return { ed25519, x25519, ed25519MatchesNacl };
}
