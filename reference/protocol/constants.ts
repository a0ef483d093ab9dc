/**
 * Wire-protocol constants shared by the reference server and client: size limits, close codes,
 * and the domain-separation prefixes of the signatures that are not ADV ones (crypto/linking.ts
 * owns 0x06 0x00/01/02). Distinct prefixes keep one kind of signature from standing in for
 * another (AUTH-01: no bearer secret on the wire, only signatures over fresh nonces).
 */
import { concat } from '../crypto/keys.js';

/** Largest text frame the server handles; larger ones are answered FRAME_TOO_LARGE. */
export const MAX_FRAME_BYTES = 1_048_576;
/** Frames above this are not even read: ws closes the socket with 1009 (message too big). */
export const HARD_FRAME_BYTES = 4 * MAX_FRAME_BYTES;

/** WebSocket close codes the server uses. */
export const CLOSE = {
  /** Normal closure (client disconnect, server shutdown). */
  NORMAL: 1000,
  /** Server going away (restart). */
  GOING_AWAY: 1001,
  /** Policy: no authentication or binding within the deadline (AUTH_DEADLINE), or a client not reading its frames (OUTBOUND_BACKLOG). */
  POLICY: 1008,
  /** Message above the connection's read limit (set by ws): HARD_FRAME_BYTES, or the pre-authentication limit. */
  TOO_BIG: 1009,
  /** Try again later: too many unauthenticated connections (TOO_MANY_UNAUTHENTICATED), refused at accept. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** How long (real time) the server waits for a companion's `link.answer` before INTERNAL. */
export const LINK_ANSWER_TIMEOUT_MS = 10_000;


const text = (s: string) => new TextEncoder().encode(s);
export const AUTH_PREFIX = text('linkspec-auth-v1');
export const BIND_PREFIX = text('linkspec-bind-v1');
export const BOX_KEY_PREFIX = text('linkspec-box-v1');
export const TRANSFER_PREFIX = text('linkspec-transfer-v1');

/** LIFE-03: the bytes the current primary signs to hand its number to a new identity key. */
export function transferBytes(phone: string, newIdentityKey: Uint8Array): Uint8Array {
  return concat(TRANSFER_PREFIX, text(phone), new Uint8Array([0]), newIdentityKey);
}

/** The bytes a device signs to authenticate (or bind) on a connection with this nonce. */
export function challengeBytes(prefix: Uint8Array, nonce: Uint8Array): Uint8Array {
  return concat(prefix, nonce);
}

/** The bytes a device signs to bind its box key to its identity key. */
export function boxKeyBytes(boxPublic: Uint8Array): Uint8Array {
  return concat(BOX_KEY_PREFIX, boxPublic);
}
