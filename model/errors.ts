/**
 * The one table of stable error codes. The model predicts a code for every refused operation and
 * an implementation must return exactly that code; wire-level codes are what a server answers to
 * a malformed or abusive frame. Reports and messages cite these names; never rename one.
 */
import type { RequirementId } from './requirements.js';

export interface ErrorCodeInfo {
  /** `operation`: predicted by the model after a step. `wire`: a protocol-level answer. */
  readonly kind: 'operation' | 'wire';
  readonly meaning: string;
  readonly requirements: readonly RequirementId[];
}

export const ERROR_CODES = {
  // ---- operation codes: the model predicts them --------------------------------------------
  NOT_REGISTERED: { kind: 'operation', requirements: ['AUTH-01', 'LIFE-01'],
    meaning: 'The account has no registered primary (never registered, or logged out).' },
  ALREADY_REGISTERED: { kind: 'operation', requirements: ['LIFE-01'],
    meaning: 'The account already has a registered primary; re-register instead.' },
  UNKNOWN_DEVICE: { kind: 'operation', requirements: [],
    meaning: 'No such device exists yet.' },
  NOT_PRIMARY: { kind: 'operation', requirements: ['AUTH-01', 'AUTH-03'],
    meaning: 'Only the primary may do this (approve a link, unlink another device).' },
  PRIMARY_NOT_UNLINKABLE: { kind: 'operation', requirements: ['AUTH-03'],
    meaning: 'Nobody unlinks the primary.' },
  NOT_LINKED: { kind: 'operation', requirements: ['AUTH-03', 'EXP-03'],
    meaning: 'The device is not a linked device of the account (never linked, or still linking).' },
  ALREADY_LINKED: { kind: 'operation', requirements: ['PAIR-02'],
    meaning: 'The companion is already linked; sign it out before linking it again.' },
  SIGNED_OUT: { kind: 'operation', requirements: ['EXP-03'],
    meaning: 'The companion was signed out (unlinked, dormancy, idleness, primary re-registered or logged out); only a new pairing brings it back.' },
  DEVICE_OFFLINE: { kind: 'operation', requirements: ['OFF-01'],
    meaning: 'The device acting has no server connection.' },
  LIMIT_REACHED: { kind: 'operation', requirements: ['LIMIT-01'],
    meaning: 'The account already has the maximum number of linked companions.' },
  ID_CHECK_FAILED: { kind: 'operation', requirements: ['PAIR-05'],
    meaning: "The primary's ID check (PIN, biometric) did not pass; nothing was linked." },
  NO_QR: { kind: 'operation', requirements: ['PAIR-01'],
    meaning: 'The companion shows no QR code (not linking by QR), or no earlier QR was captured.' },
  NOT_LINKING: { kind: 'operation', requirements: ['PAIR-03'],
    meaning: 'The companion has no linking attempt to cancel.' },
  QR_INVALID: { kind: 'operation', requirements: ['PAIR-07'],
    meaning: 'The QR code does not verify: unknown reference, or altered key or secret.' },
  QR_USED: { kind: 'operation', requirements: ['PAIR-03'],
    meaning: 'The QR reference was already used or its attempt was cancelled.' },
  QR_EXPIRED: { kind: 'operation', requirements: ['PAIR-04'],
    meaning: 'The QR reference is no longer the one shown (rotated out, or the attempt ended).' },
  CODE_INVALID: { kind: 'operation', requirements: ['PAIR-06'],
    meaning: 'The pairing code is wrong, or is no longer the active code of the account.' },
  CODE_EXPIRED: { kind: 'operation', requirements: ['PAIR-06'],
    meaning: "The account's pairing code outlived its lifetime." },
  ATTEMPTS_EXHAUSTED: { kind: 'operation', requirements: ['PAIR-06'],
    meaning: "Too many wrong entries against the account's pairing code; request a new one." },
  NUMBER_NOT_VERIFIED: { kind: 'operation', requirements: ['LIFE-03'],
    meaning: "Registering or re-registering without valid proof of owning the number (no or a wrong one-time code, no previous primary's signature); nothing changed." },
  WRONG_ACCOUNT: { kind: 'operation', requirements: ['PAIR-07'],
    meaning: "A primary approved, by QR, a companion that is linking to another account; nothing was linked and the companion's QR reference is still unused." },
  // ---- wire codes: a protocol answer to a malformed or abusive frame -------------------------
  BAD_FRAME: { kind: 'wire', requirements: [],
    meaning: 'The frame is not valid JSON or does not match the schema of its type.' },
  UNKNOWN_TYPE: { kind: 'wire', requirements: [],
    meaning: 'The frame type is not part of the protocol.' },
  FRAME_TOO_LARGE: { kind: 'wire', requirements: [],
    meaning: 'The frame exceeds the maximum frame size.' },
  RATE_LIMITED: { kind: 'wire', requirements: [],
    meaning: 'Too many frames or operations in the window; retry later.' },
  OUT_OF_ORDER: { kind: 'wire', requirements: [],
    meaning: 'A handshake or linking step arrived before the step it depends on.' },
  AUTH_FAILED: { kind: 'wire', requirements: ['AUTH-01'],
    meaning: 'The challenge signature did not verify, or the device is unknown.' },
  BAD_SIGNATURE: { kind: 'wire', requirements: ['PAIR-02', 'AUTH-01', 'LIFE-02'],
    meaning: 'A signature (account, device, device list) did not verify.' },
  STALE_DEVICE_LIST: { kind: 'wire', requirements: ['LIFE-02'],
    meaning: 'A device list whose version is not above the stored one.' },
  UNTRUSTED_DEVICE: { kind: 'wire', requirements: ['AUTH-02'],
    meaning: "A device that is not in the primary-signed device list; nothing is encrypted to it." },
  TOO_MANY_CONNECTIONS: { kind: 'wire', requirements: [],
    meaning: 'The account already holds the maximum number of connections.' },
  AUTH_DEADLINE: { kind: 'wire', requirements: [],
    meaning: 'A socket neither authenticated nor bound as a linking companion within the deadline; the server closed it (close 1008, this code as the reason).' },
  OUTBOUND_BACKLOG: { kind: 'wire', requirements: [],
    meaning: "The client left more bytes unread than the server buffers for a connection; the server closed it (close 1008, this code as the reason). Deliveries stay queued until acked." },
  TOO_MANY_UNAUTHENTICATED: { kind: 'wire', requirements: [],
    meaning: 'The server holds as many unauthenticated connections as it allows, in total or from this address; the socket was closed at accept (close 1013, this code as the reason). Retry later.' },
  INTERNAL: { kind: 'wire', requirements: [],
    meaning: 'The server failed; the operation had no effect.' },
  QUEUE_FULL: { kind: 'wire', requirements: ['OFF-02'],
    meaning: "A recipient device's offline queue is over its quota, or holds the sending device's share of it; the message was not accepted for it (reference only, not part of the model)." },
  TOO_MANY_CODE_REQUESTS: { kind: 'wire', requirements: ['PAIR-06'],
    meaning: "The number already has the maximum of pending pairing-code requests (reference: 10); the new request is refused and every pending code stays valid: retry when one is entered, cancelled or expired (reference only, not part of the model)." },
  STORAGE_FULL: { kind: 'wire', requirements: [],
    meaning: 'The storage refused a write (disk full); the operation had no effect and the server keeps serving.' },
  STORAGE_CORRUPT: { kind: 'wire', requirements: [],
    meaning: 'The storage failed its integrity check at open; the server does not start.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type OperationErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['kind'] extends 'operation' ? K : never;
}[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** The result of every operation: a union, never a boolean. */
export type OpResult = { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode };

export const OK: OpResult = Object.freeze({ ok: true });
export function refused(code: ErrorCode): OpResult {
  return { ok: false, code };
}
