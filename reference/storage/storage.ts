/**
 * The reference server's persistence: ONE interface, two implementations (memory.ts for tests,
 * sqlite.ts for `linkspec serve`). Everything the server has acknowledged lives here, so a
 * restart (RESTART) loses nothing: accounts, devices, signed device lists, queued deliveries,
 * QR attempts and references, pairing codes, and the virtual clock (meta).
 *
 * Requirements served: PAIR-03/04 (QR refs single-use and expiring), PAIR-06 (codes, attempts),
 * LIMIT-01/02 (linked devices), LIFE-02 (device lists with strictly increasing versions, the
 * primary's signature stored verbatim, never forged), OFF-02 (queued deliveries, acked, in order),
 * E2E-03 (a removed device's queue is dropped), EXP-01/04 (offline-since times survive restarts).
 *
 * Contract for every implementation:
 * - Methods are synchronous (better-sqlite3 is). Records go in and come out as plain JSON-able
 *   objects; an implementation returns copies, never live references the caller could mutate.
 * - Binary values (keys, signatures) are base64 strings exactly as the server received them; the
 *   storage never interprets them.
 * - `get*` returns `undefined` when nothing matches; `list*` returns `[]`.
 * - `put*` is an upsert keyed by the record's key (named on each record type).
 * - `transaction(fn)` runs `fn` atomically: either all its writes are kept or none (an exception
 *   inside rolls back and is rethrown). Nested calls join the outer transaction.
 * - No method throws for a missing record; a method throws only when the store itself fails.
 */

/** An account, keyed by its phone number (the harness's account name maps to one). */
export interface AccountRecord {
  readonly phone: string;
  /** False before the first registration and after LOGOUT. */
  readonly registered: boolean;
  /** The current primary device's id (the last one, once logged out); null before any registration. */
  readonly primaryDeviceId: string | null;
  /** The current primary's Ed25519 identity public key (base64): the root of trust (AUTH-02). */
  readonly primaryIdentityKey: string | null;
  /** How many times a primary registered on this number (REGISTER and REREGISTER each add one). */
  readonly registrations: number;
}

export type DeviceRole = 'primary' | 'companion';

/** Server-side device status; 'linking' and 'idle' are client states and never stored here. */
export type StoredDeviceStatus = 'linked' | 'signed-out';

export type StoredSignOutReason = 'unlinked' | 'primary-dormant' | 'idle' | 'primary-reregistered' | 'primary-logout';

/** A device the server knows as part of an account, keyed by `id`. */
export interface DeviceRecord {
  /** Server-wide unique id: the base64 Ed25519 identity public key of the device. */
  readonly id: string;
  readonly phone: string;
  readonly role: DeviceRole;
  /** Ed25519 identity public key, base64 (equal to `id`). */
  readonly identityKey: string;
  /** X25519 box public key, base64: what senders encrypt to. */
  readonly boxKey: string;
  /** The device's own Ed25519 signature over its box key, base64 (binds boxKey to identityKey). */
  readonly boxKeySignature: string;
  /** As the device announced itself (NOTE-01). */
  readonly name: string;
  readonly platform: string;
  readonly status: StoredDeviceStatus;
  /** Present exactly when status is 'signed-out'. */
  readonly signOutReason?: StoredSignOutReason;
  /** Virtual ms when it became linked (primary: registered). */
  readonly linkedAt: number;
  /**
   * Virtual ms when its last connection closed; null while connected (or never connected after
   * linking). Drives EXP-01 (primary) and EXP-04 (companion). A server shutdown does not set it.
   */
  readonly offlineSince: number | null;
  /** ADV link material (companions only), base64: details bytes, HMAC, account and device signatures. */
  readonly link?: {
    readonly details: string;
    readonly accountSignature: string;
    readonly deviceSignature: string;
    /** The primary identity key that signed this link (base64; absent in records stored before it was kept). */
    readonly primaryIdentityKey?: string;
  };
  /**
   * True when the server added this device without the primary (test control `inject`, the
   * AUTH-02 attack). Such a device is never in a primary-signed list.
   */
  readonly injected: boolean;
}

/** One entry of a device list: what the primary signs (LIFE-02). */
export interface DeviceListEntry {
  readonly id: string;
  /** base64 Ed25519 identity public key. */
  readonly identityKey: string;
}

/**
 * The account's current device list, keyed by `phone` (only the latest is kept).
 * `signature` is the primary's signature (crypto/linking.ts signDeviceList) over
 * {account: phone, version, devices}, stored verbatim. It is null when the SERVER removed
 * devices on its own (dormancy, idleness, a companion unlinking itself): such a list may only
 * remove devices relative to the last signed one; the primary re-signs the same version when it
 * next connects (see PROTOCOL.md, "Server-asserted removals").
 */
export interface DeviceListRecord {
  readonly phone: string;
  /** Strictly increasing per account, across registrations and logouts; 0 = none yet. */
  readonly version: number;
  readonly devices: readonly DeviceListEntry[];
  readonly signature: string | null;
  /** The last list the primary signed (devices and version), kept to check server removals. */
  readonly lastSigned: { readonly version: number; readonly devices: readonly DeviceListEntry[]; readonly signature: string } | null;
}

export type DeliveryKind = 'message' | 'history' | 'notice';

/** A delivery waiting for its recipient's ack (OFF-02), keyed by `seq`. */
export interface QueuedDelivery {
  /** Assigned by `enqueue`: strictly increasing across the whole store, never reused. */
  readonly seq: number;
  readonly recipientDeviceId: string;
  readonly kind: DeliveryKind;
  /** The sending device's id ('server' for notices). */
  readonly senderDeviceId: string;
  /** JSON text; for 'message' and 'history' an E2E envelope the server cannot read (E2E-01). */
  readonly payload: string;
}

/** A device queue's size (Storage.queueUsage). */
export interface QueueUsage {
  readonly count: number;
  /** Sum of Buffer.byteLength(payload) over the queued deliveries. */
  readonly bytes: number;
}

export type QrAttemptState = 'active' | 'cancelled' | 'ended' | 'linked';

/** A companion's QR linking attempt, keyed by `attemptId` (PAIR-01, PAIR-04). */
export interface QrAttemptRecord {
  readonly attemptId: string;
  /** The companion's identity key (base64) as it announced it when the attempt started. */
  readonly companionId: string;
  readonly startedAt: number;
  /** The account the companion is linking to (`link.start {phone}`, PAIR-07); absent in older records. */
  readonly phone?: string;
  /** 'ended': its last reference expired; 'linked': one of its references linked it. */
  readonly state: QrAttemptState;
}

/** One server-issued one-time QR reference, keyed by `ref` (PAIR-03, PAIR-04). */
export interface QrRefRecord {
  /** Opaque printable text without commas. */
  readonly ref: string;
  readonly attemptId: string;
  /** 0-based position in the attempt; its window comes from profile qrRefWindow. */
  readonly index: number;
  /** Virtual ms window in which this reference is the one shown: [fromMs, untilMs). */
  readonly fromMs: number;
  readonly untilMs: number;
  /** True once an approval with this reference linked the companion. */
  readonly used: boolean;
}

/** 'expired': its lifetime ended while it was active (added after the first commit; additive). */
export type PairingCodeState = 'active' | 'used' | 'cancelled' | 'exhausted' | 'expired';

/** A pairing code bound to a phone number (PAIR-06), keyed by `codeId`. */
export interface PairingCodeRecord {
  readonly codeId: string;
  readonly phone: string;
  /** The holder's wrapped ephemeral key (base64, 80 bytes; PAIR-08: the server never holds the code). */
  readonly wrapped: string;
  /** The holder companion's identity key (base64). */
  readonly companionId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Wrong entries so far. */
  readonly attempts: number;
  readonly state: PairingCodeState;
}

/**
 * A companion that is linking (by QR or code) and has announced its keys, keyed by `id`
 * (its identity key). Kept so the server can finish a link after a restart.
 */
export interface PendingCompanionRecord {
  readonly id: string;
  readonly boxKey: string;
  readonly boxKeySignature: string;
  readonly name: string;
  readonly platform: string;
  /** The account its latest QR attempt is for (`link.start {phone}`, PAIR-07). */
  readonly phone?: string;
}

/**
 * The deadlines the server's clock can reach (reference/server/deadlines.ts), one index row each.
 * The STORE keeps the index: every write that changes what a row depends on (putDevice, putCode,
 * putQrAttempt, putQrRef) rewrites the affected rows in the same transaction, so the index can
 * never disagree with the records, and no handler has to remember it. A row holds the time its
 * deadline counts from, not the deadline itself: the profile's windows are the server's business.
 * - 'dormancy' (EXP-01): a linked primary-role device whose offlineSince is set, while its
 *   number has at least one linked, non-injected companion. key: the primary's id; from: offlineSince.
 * - 'idle' (EXP-04): a linked, non-injected companion whose offlineSince is set. key: its id;
 *   from: offlineSince.
 * - 'code' (PAIR-06): an active pairing code. key: codeId; from: expiresAt.
 * - 'qr' (PAIR-04): an active QR attempt with at least one reference. key: attemptId; from: the
 *   untilMs of its reference with the highest index (the one `listQrRefs(...).at(-1)` returns).
 */
export type DeadlineKind = 'dormancy' | 'idle' | 'code' | 'qr';

/** One row of the deadline index (see DeadlineKind). */
export interface DeadlineRow {
  readonly key: string;
  readonly from: number;
}

export interface Storage {
  // ---- accounts --------------------------------------------------------------------------
  /** The account with this phone number, or undefined if the number never registered. */
  getAccount(phone: string): AccountRecord | undefined;
  /** Insert or replace the account keyed by `phone`. */
  putAccount(account: AccountRecord): void;
  /** Every account, in any order. */
  listAccounts(): AccountRecord[];

  // ---- devices ---------------------------------------------------------------------------
  /** The device with this id (any status), or undefined. */
  getDevice(id: string): DeviceRecord | undefined;
  /** Insert or replace the device keyed by `id`. */
  putDevice(device: DeviceRecord): void;
  /** Every device of the account (any status, any role, injected too), in insertion order. */
  listDevices(phone: string): DeviceRecord[];

  // ---- device lists (LIFE-02) ------------------------------------------------------------
  /** The account's current device list, or undefined before its first registration. */
  getDeviceList(phone: string): DeviceListRecord | undefined;
  /** Replace the account's current device list. The caller guarantees the version increased. */
  putDeviceList(list: DeviceListRecord): void;

  // ---- queued deliveries (OFF-02, E2E-03) -----------------------------------------------
  /** Append a delivery; returns it with its new `seq` (greater than every seq ever assigned). */
  enqueue(delivery: Omit<QueuedDelivery, 'seq'>): QueuedDelivery;
  /** Every unacknowledged delivery for the device, in increasing `seq` order. */
  pendingFor(recipientDeviceId: string): QueuedDelivery[];
  /** Remove one delivery after its recipient acknowledged it; unknown or foreign seq: no-op, false. */
  ack(recipientDeviceId: string, seq: number): boolean;
  /** Drop everything queued for the device (it was removed: E2E-03). Returns how many were dropped. */
  dropQueue(recipientDeviceId: string): number;
  /** How many deliveries are queued for the device. */
  countPending(recipientDeviceId: string): number;
  /**
   * The device's unacknowledged deliveries with seq > `afterSeq`, in increasing seq order, at
   * most `limit` of them: a page of the queue, read without loading the rest (reconnect delivery
   * of a large backlog, issue 10).
   */
  pendingAfter(recipientDeviceId: string, afterSeq: number, limit: number): QueuedDelivery[];
  /**
   * What the device's queue holds: deliveries and the UTF-8 bytes of their payloads, without
   * reading them (per-device queue quotas, QUEUE_FULL).
   */
  queueUsage(recipientDeviceId: string): QueueUsage;
  /**
   * The part of that queue sent by `senderDeviceId` (its per-sender share of the quota, so one
   * sender cannot fill a device's queue and lock every other sender out: quotas.ts).
   */
  queueUsageFrom(recipientDeviceId: string, senderDeviceId: string): QueueUsage;

  // ---- QR attempts and references (PAIR-01/03/04) ------------------------------------------
  getQrAttempt(attemptId: string): QrAttemptRecord | undefined;
  /** Insert or replace the attempt keyed by `attemptId`. */
  putQrAttempt(attempt: QrAttemptRecord): void;
  /** Every attempt still in state 'active', in any order (deadlines are checked against these). */
  listActiveQrAttempts(): QrAttemptRecord[];
  /** The active attempts of one companion (normally at most one). */
  listActiveQrAttemptsOf(companionId: string): QrAttemptRecord[];
  getQrRef(ref: string): QrRefRecord | undefined;
  /** Insert or replace the reference keyed by `ref`. */
  putQrRef(ref: QrRefRecord): void;
  /** Every reference issued so far for the attempt, by increasing index. */
  listQrRefs(attemptId: string): QrRefRecord[];

  // ---- pairing codes (PAIR-06) --------------------------------------------------------------
  /** The most recently issued code of the phone number (any state), or undefined if none ever. */
  getLatestCode(phone: string): PairingCodeRecord | undefined;
  /** Insert or replace the code keyed by `codeId`. The phone's latest code is the one whose codeId was first inserted last. */
  putCode(code: PairingCodeRecord): void;
  /** The code with this codeId (any state), or undefined. */
  getCode(codeId: string): PairingCodeRecord | undefined;
  /** Every code in state 'active' (deadlines are checked against these). */
  listActiveCodes(): PairingCodeRecord[];
  /**
   * The most recently issued code the companion asked for for this number (any state), or
   * undefined: each linking companion holds its own code (PAIR-06), judged on its own.
   */
  getLatestCodeOf(phone: string, companionId: string): PairingCodeRecord | undefined;
  /** The number's active codes, one per linking companion, in issue order (the primary's list of requests). */
  listActiveCodesOf(phone: string): PairingCodeRecord[];

  // ---- the deadline index (EXP-01/04, PAIR-04/06) ---------------------------------------------
  /**
   * The rows of `kind` whose `from` is <= `upTo` - what is due, however many records the store
   * holds - in the order the store LISTS their records: 'dormancy' by account insertion order
   * (listAccounts), 'idle' by account then device insertion order (listDevices), 'code' as
   * listActiveCodes, 'qr' as listActiveQrAttempts. Rows whose number has no account come last.
   */
  dueDeadlines(kind: DeadlineKind, upTo: number): DeadlineRow[];

  // ---- companions announced while linking ----------------------------------------------------
  getPendingCompanion(id: string): PendingCompanionRecord | undefined;
  putPendingCompanion(companion: PendingCompanionRecord): void;

  // ---- pruning (issue 10: what can no longer matter is forgotten; server/pruning.ts decides) -
  /** Pending companions' ids greater than `afterId`, in increasing id order, at most `limit` (a pruning pass pages through them). */
  listPendingCompanionIds(afterId: string, limit: number): string[];
  /** Forget a pending companion (a later link.bind announces it again). */
  deletePendingCompanion(id: string): void;
  /** Whether any QR attempt, in any state, names the companion. */
  hasQrAttempts(companionId: string): boolean;
  /**
   * Forget up to `limit` QR attempts that are over (any state but 'active') and whose newest
   * reference's window closed before `before` (without references: that started before it),
   * with all their references. Returns how many attempts were forgotten.
   */
  pruneQrAttempts(before: number, limit: number): number;

  // ---- small named values (the virtual clock, counters) -----------------------------------
  /** A value stored under `key`, or undefined. */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;

  // ---- atomicity and lifetime ----------------------------------------------------------------
  /** Run `fn` atomically (see the contract above) and return its result. */
  transaction<T>(fn: () => T): T;
  /**
   * Optional, for stores shared by several server processes (postgres.ts): inside a transaction,
   * hold the account's lock until it ends, so two nodes' transactions on one account serialise
   * (LIMIT-01, E2E-03, EXP-01/02 under concurrency). A single-process store needs nothing: its
   * transactions already run one at a time.
   */
  lockAccount?(phone: string): void;
  /** Release resources (close the database). The store is unusable afterwards. */
  close(): void;
}
