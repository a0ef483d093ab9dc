/**
 * The adapter contract: what any implementation offers the harness. Other teams implement this
 * (in-process, or over the remote driver protocol); the reference is just one implementation.
 *
 * The harness translates each model step (model/events.ts) into calls on a Driver, and compares
 * `observe()` with the model's observation after every step. Devices and accounts are the
 * harness's symbolic names (`A`, `A.primary`, `A.c1` …); the driver maps them to its own ids.
 *
 * QR codes are exchanged as images: the harness decodes the PNG pixels itself (jsqr), as the
 * primary's camera would, may alter one field to test PAIR-07, and hands the text to `scanQr`.
 * The QR text format is WhatsApp's: comma-separated fields
 *   `ref,noise-pub,identity-pub,adv-secret[,platform]`   (ref: any printable text without a
 *   comma; the others base64). The harness tampers with field 0 (ref), 2 (key) or 3 (secret).
 */
import type { ErrorCode, OpResult } from '../model/errors.js';
import type { AccountId, CompanionId, DeviceId, IdCheckOutcome } from '../model/events.js';
import type { Observation } from '../model/observation.js';
import type { Profile } from '../model/profile.js';

/** How a lying server lies about an account's devices (capability 'lying-server'). */
export type ServerLie = 'replay-old-list' | 'relist-removed' | 'unbound-key';
export const SERVER_LIES: readonly ServerLie[] = ['replay-old-list', 'relist-removed', 'unbound-key'];

/** What an adapter can do. A check needing a capability it lacks is SKIPPED with the reason. */
export const CAPABILITIES = {
  'qr-image': 'Shows the linking QR code as a PNG image (PAIR-01..04, PAIR-07).',
  'pairing-code': 'Links by pairing code (PAIR-06).',
  'id-check': 'The primary can have an ID check that passes or fails (PAIR-05).',
  clock: 'A virtual clock the harness advances (PAIR-04, PAIR-06, EXP-*).',
  offline: 'Devices can be taken offline and back (OFF-*, EXP-01, EXP-04).',
  messaging: 'Devices send and receive messages (E2E-02, E2E-03, OFF-*).',
  history: 'A new companion receives the primary\'s history (HIST-01).',
  notices: 'Devices are told when a device is linked (NOTE-01).',
  lifecycle: 'The primary can re-register and log out (LIFE-01).',
  restart: 'The server restarts without losing what it acknowledged.',
  'server-injection': 'The server can be made to add a device the primary did not sign (AUTH-02).',
  'traffic-inspection': 'What the server relays can be read, to check it is ciphertext (E2E-01).',
  'device-list-inspection': 'An account\'s current device list can be fetched as a client sees it, with whether it verifies under the primary\'s key (LIFE-02).',
  'server-traffic': 'Every frame the server received can be read, to check what the server learns (PAIR-08).',
  'key-change-notice': 'A device tells its user when another account\'s primary key changed (a safety-number change, LIFE-03).',
  'lying-server': 'The server can be made to lie about an account\'s devices (replay an older signed list, re-list a removed device, swap a box key), and counts what senders addressed to the lie (AUTH-02, LIFE-02, E2E-03).',
  concurrency: 'Overlapping operations from different devices can be issued at the same time (race-* checks, conformance/race).',
} as const;

export type Capability = keyof typeof CAPABILITIES;

/** A result with a value: the union of success and a stable error code. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: ErrorCode };

export interface DeviceInfo {
  /** The device's name as other devices are told it (NOTE-01): the harness uses the symbolic id. */
  readonly name: string;
  readonly platform: string;
}

/** One fresh, empty world: no accounts, no devices, clock at 0. */
export interface Driver {
  register(account: AccountId, options: { idCheck: boolean }): Promise<OpResult>;
  /**
   * A new phone with a fresh identity key takes the account's number (LIFE-01, LIFE-03). `proof`
   * false: it has no (or a wrong) verification code and no signature of the previous primary;
   * the implementation must refuse NUMBER_NOT_VERIFIED and change nothing.
   */
  reregister(account: AccountId, options: { proof: boolean }): Promise<OpResult>;
  logout(account: AccountId): Promise<OpResult>;
  setOnline(device: DeviceId, online: boolean): Promise<OpResult>;

  /** The companion starts linking by QR; it is created (online) if new. */
  startQrLinking(device: CompanionId, info: DeviceInfo): Promise<OpResult>;
  /** The QR code the companion shows now, as PNG bytes; NO_QR when it shows none. */
  qrImage(device: CompanionId): Promise<Outcome<Uint8Array>>;
  /**
   * `by` scans QR text (decoded by the harness) and approves, passing or failing its ID check. A
   * companion links only to the account it was started for: a primary of the other account is
   * refused WRONG_ACCOUNT (model/events.ts "Cross-account steps").
   */
  scanQr(by: DeviceId, qrText: string, idCheck: IdCheckOutcome): Promise<OpResult>;
  cancelLinking(device: CompanionId): Promise<OpResult>;

  /** The companion asks for a pairing code for its account's phone number; returns the code shown. */
  requestPairingCode(device: CompanionId, info: DeviceInfo): Promise<Outcome<string>>;
  /**
   * `by` picks the pending code request of `companion` (as its user picks a device, by name and
   * platform, from the primary's list) and enters a pairing code for it (any 8 characters; the
   * harness makes wrong ones). Each linking companion holds its own code (PAIR-06): the entry is
   * judged against `companion`'s code only; a companion with no request in by's account (never
   * asked, or another account's) is answered CODE_INVALID and nothing changes.
   */
  enterPairingCode(by: DeviceId, companion: CompanionId, code: string, idCheck: IdCheckOutcome): Promise<OpResult>;

  unlink(by: DeviceId, target: DeviceId): Promise<OpResult>;
  /** A message with this id (carried inside the encrypted payload) to the other account. */
  send(from: DeviceId, messageId: string): Promise<OpResult>;

  /** Move the virtual clock; every deadline reached is processed before this resolves. */
  advanceClock(ms: number): Promise<void>;
  restart(): Promise<void>;

  /**
   * The normalised view (model/observation.ts) after everything in flight has settled:
   * deliveries to online devices are done before this resolves. `result` is filled by the
   * harness; drivers return the accounts part.
   */
  observe(): Promise<Observation['accounts']>;

  /** capability 'server-injection': the server adds a device to the account that the primary did not sign. */
  injectDevice?(account: AccountId, name: string): Promise<void>;
  /** capability 'server-injection': how many messages the injected device could decrypt. */
  injectedDeviceReceived?(account: AccountId, name: string): Promise<number>;
  /** capability 'traffic-inspection': every payload the server relayed since the world began. */
  relayedPayloads?(): Promise<readonly string[]>;
  /** capability 'server-traffic' (PAIR-08): every frame (raw text) the server received since the world began. */
  serverTraffic?(): Promise<readonly string[]>;
  /**
   * capability 'key-change-notice' (LIFE-03): the accounts whose primary key `device` saw change
   * (one entry per change, oldest first), as its user was told ("the safety number changed").
   */
  keyChangeNotices?(device: DeviceId): Promise<readonly AccountId[]>;
  /**
   * capability 'device-list-inspection' (LIFE-02): `account`'s device list as another client
   * fetches it now: its version, the devices it covers (symbolic ids; unknown ones as 'other'),
   * and whether it verifies (signed by the account's primary, or a server-asserted removal from a
   * list the primary signed).
   */
  deviceList?(account: AccountId): Promise<{ readonly version: number; readonly devices: readonly string[]; readonly verified: boolean }>;
  /**
   * capability 'lying-server': from now on the server lies to every client about `account`'s
   * devices in this way (conformance/checks/lyingServer.ts lists the lies).
   */
  serverLie?(account: AccountId, lie: ServerLie): Promise<void>;
  /** capability 'lying-server': how many envelopes senders addressed to a device or key the lie introduced (must be 0). */
  addressedUnderLie?(account: AccountId): Promise<number>;

  close(): Promise<void>;
}

export interface Adapter {
  readonly name: string;
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** A fresh world under this profile. The harness opens one per test path. */
  open(profile: Profile): Promise<Driver>;
  /** Release shared resources (servers, sockets) when the run ends. */
  dispose?(): Promise<void>;
}
