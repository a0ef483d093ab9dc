/**
 * The pairing-code key exchange (PAIR-06, PAIR-08), after WhatsApp's (whatsmeow, Baileys): the
 * code never leaves the two devices. Each side wraps an ephemeral X25519 public key with
 * AES-256-CTR under PBKDF2-SHA256(code, 32-byte salt, 131,072 iterations); the server relays the
 * opaque blobs. Only a device that knows the code unwraps the other's key, so only it derives the
 * shared link key; a wrong code yields a different key and fails cryptographically (the
 * confirmation does not verify). Any 32 bytes are an X25519 key, so a blob gives no offline
 * oracle on the code.
 *
 *   companion blob (80 bytes) = salt(32) ‖ iv(16) ‖ AES-256-CTR(codeKey, iv, companionEphemeral.pub)
 *   primary blob   (48 bytes) = iv(16) ‖ AES-256-CTR(codeKey, iv, primaryEphemeral.pub)
 *   codeKey   = PBKDF2-SHA256(normalised code, salt, 131072, 32)
 *   shared    = X25519(own ephemeral secret, other's unwrapped public)
 *   linkKey   = SHA-256("linkspec-code-link-v1" ‖ shared ‖ companion blob ‖ primary blob)
 *   confirm   = HMAC-SHA256(linkKey, "linkspec-code-confirm-v1" ‖ companion identity key)   (companion -> primary)
 *   details HMAC in link.approve = HMAC-SHA256(linkKey, details)                          (primary -> companion)
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import nacl from 'tweetnacl';
import { concat } from './keys.js';
import { deriveCodeKey, PAIRING_CODE_ITERATIONS } from './pairingCode.js';

export const CODE_SALT_BYTES = 32;
export const CODE_IV_BYTES = 16;
export const COMPANION_BLOB_BYTES = CODE_SALT_BYTES + CODE_IV_BYTES + 32;
export const PRIMARY_BLOB_BYTES = CODE_IV_BYTES + 32;
const LINK_LABEL = new TextEncoder().encode('linkspec-code-link-v1');
const CONFIRM_LABEL = new TextEncoder().encode('linkspec-code-confirm-v1');

export interface Ephemeral { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }

/**
 * AES-256-CTR, the whole 16-byte IV as the counter block (as node's 'aes-256-ctr'); its own
 * inverse. WebCrypto, so the same code runs in the web companion (reference/web).
 */
async function ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const aes = await globalThis.crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CTR', false, ['encrypt']);
  return new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv.slice() as Uint8Array<ArrayBuffer>, length: 128 }, aes, data as Uint8Array<ArrayBuffer>));
}

/** The companion's side, step 1: a fresh ephemeral key wrapped under the code. */
export async function companionWrap(code: string, iterations = PAIRING_CODE_ITERATIONS): Promise<{ blob: Uint8Array; codeKey: Uint8Array; ephemeral: Ephemeral }> {
  const ephemeral = nacl.box.keyPair();
  const salt = new Uint8Array(nodeRandomBytes(CODE_SALT_BYTES));
  const iv = new Uint8Array(nodeRandomBytes(CODE_IV_BYTES));
  const codeKey = await deriveCodeKey(code, salt, iterations);
  return { blob: concat(salt, iv, await ctr(codeKey, iv, ephemeral.publicKey)), codeKey, ephemeral };
}

/**
 * The primary's side: unwrap the companion's key with the code typed, wrap its own, derive the
 * link key. With a wrong code the link key is simply a different one.
 */
export async function primaryAnswer(code: string, companionBlob: Uint8Array, iterations = PAIRING_CODE_ITERATIONS): Promise<{ blob: Uint8Array; linkKey: Uint8Array } | null> {
  if (companionBlob.length !== COMPANION_BLOB_BYTES) return null;
  const salt = companionBlob.subarray(0, CODE_SALT_BYTES);
  const iv = companionBlob.subarray(CODE_SALT_BYTES, CODE_SALT_BYTES + CODE_IV_BYTES);
  const codeKey = await deriveCodeKey(code, salt, iterations);
  const companionPublic = await ctr(codeKey, iv, companionBlob.subarray(CODE_SALT_BYTES + CODE_IV_BYTES));
  const ephemeral = nacl.box.keyPair();
  const ownIv = new Uint8Array(nodeRandomBytes(CODE_IV_BYTES));
  const blob = concat(ownIv, await ctr(codeKey, ownIv, ephemeral.publicKey));
  return { blob, linkKey: linkKey(nacl.scalarMult(ephemeral.secretKey, companionPublic), companionBlob, blob) };
}

/** The companion's side, step 2: unwrap the primary's key with its own code key, derive the link key. */
export async function companionLinkKey(codeKey: Uint8Array, ephemeral: Ephemeral, companionBlob: Uint8Array, primaryBlob: Uint8Array): Promise<Uint8Array | null> {
  if (primaryBlob.length !== PRIMARY_BLOB_BYTES) return null;
  const primaryPublic = await ctr(codeKey, primaryBlob.subarray(0, CODE_IV_BYTES), primaryBlob.subarray(CODE_IV_BYTES));
  return linkKey(nacl.scalarMult(ephemeral.secretKey, primaryPublic), companionBlob, primaryBlob);
}

function linkKey(shared: Uint8Array, companionBlob: Uint8Array, primaryBlob: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LINK_LABEL).update(shared).update(companionBlob).update(primaryBlob).digest());
}

/** The companion's proof that it derived the same link key (it knows the code). */
export function confirmation(linkKeyBytes: Uint8Array, companionIdentityKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', linkKeyBytes).update(CONFIRM_LABEL).update(companionIdentityKey).digest());
}

export function confirmationMatches(linkKeyBytes: Uint8Array, companionIdentityKey: Uint8Array, confirm: Uint8Array): boolean {
  const expected = confirmation(linkKeyBytes, companionIdentityKey);
  return expected.length === confirm.length && timingSafeEqual(expected, confirm);
}
