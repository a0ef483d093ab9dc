/**
 * The observation vocabulary: the normalised view the harness compares, after every step,
 * between the model and the implementation. Both sides produce exactly this shape.
 *
 * Comparison rules (conformance/compare.ts applies them):
 * - `result` must be equal (same `ok`, same stable `code`).
 * - `accounts[x].registered`, and for every device present on either side: role, status,
 *   signOutReason, online, messages (exact order), notices (exact order) must be equal.
 * - `deviceListVersion` is compared by change, not value (LIFE-02): where the model's version
 *   increased in this step the implementation's must have strictly increased; where the model's
 *   did not change, the implementation's must not change either.
 */
import type { OpResult } from './errors.js';
import type { AccountId, DeviceId } from './events.js';

export type DeviceRole = 'primary' | 'companion';

/**
 * - `idle`: exists, not linked and not linking (new, or its attempt ended or was cancelled).
 * - `linking`: showing a QR code or holding a pairing code.
 * - `linked`: in the account's device list (the primary is 'linked' while registered).
 * - `signed-out`: removed; `signOutReason` says why.
 */
export type DeviceStatus = 'idle' | 'linking' | 'linked' | 'signed-out';

export type SignOutReason = 'unlinked' | 'primary-dormant' | 'idle' | 'primary-reregistered' | 'primary-logout';

export interface DeviceView {
  readonly role: DeviceRole;
  readonly status: DeviceStatus;
  /** Present exactly when status is 'signed-out'. */
  readonly signOutReason?: SignOutReason;
  readonly online: boolean;
  /** Message ids this device holds (history, received, sent), in the order it got them. */
  readonly messages: readonly string[];
  /** Names of devices this device was told were linked to its account (NOTE-01), in order. */
  readonly notices: readonly string[];
}

export interface AccountView {
  readonly registered: boolean;
  /** The latest device-list version (0 before the first registration); compared by change. */
  readonly deviceListVersion: number;
  /** Every device that exists: the primary once registered, companions once created. */
  readonly devices: Readonly<Partial<Record<DeviceId, DeviceView>>>;
}

export interface Observation {
  /** The result of the step just taken. */
  readonly result: OpResult;
  readonly accounts: Readonly<Record<AccountId, AccountView>>;
}

export const EMPTY_ACCOUNT: AccountView = { registered: false, deviceListVersion: 0, devices: {} };
