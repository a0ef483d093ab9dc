/**
 * SQLite Storage (storage.ts) for `linkspec serve`: everything the server acknowledged survives
 * a restart and a kill -9 (RESTART; OFF-02 queued deliveries, LIFE-02 device lists, PAIR-03/04/06
 * single-use references and codes, EXP-01/04 offline-since times).
 *
 * Guarantees:
 * - Durability: WAL journal. Every write (and every `transaction`) is one SQLite transaction,
 *   committed to the WAL before the call returns, so a write the server acknowledged survives
 *   the process being killed (kill -9) the next instant: SQLite's documentation says
 *   "transactions are durable across application crashes regardless of the synchronous setting".
 *   The default `synchronous = NORMAL` therefore meets the RESTART guarantee; what it gives up is
 *   durability across an OS crash or power loss (the last commits may roll back, the database
 *   stays consistent). `{ synchronous: 'FULL' }` adds an fsync per commit and covers power loss
 *   too - measured on the development machine's disk at ~240 commits/s against ~25,000 for NORMAL, which
 *   would make a conformance run against `linkspec serve` crawl for a failure it never simulates.
 * - Atomicity: `transaction(fn)` is one SQLite transaction; an exception inside rolls all of it
 *   back and is rethrown. A nested call joins the outer transaction (no savepoint), exactly as
 *   the interface and MemoryStorage specify.
 * - Same observable behaviour as MemoryStorage: storage.contract.test.ts runs one set of cases
 *   against both. Records are stored as JSON text beside the typed columns the interface filters
 *   and orders by: the storage never interprets a record (binary values stay base64 as received),
 *   and what goes in comes back field for field, as a fresh copy.
 * - Order: every keyed table has an `ord INTEGER PRIMARY KEY` assigned on first insert and kept
 *   by upserts, so "insertion order" and "the code whose codeId was first inserted last" survive
 *   reopening and VACUUM (plain rowids may be renumbered by VACUUM). Queue `seq` is
 *   AUTOINCREMENT: strictly increasing and never reused, even after the newest row is acked.
 * - Schema: created on open inside one transaction and recorded in `schema_version`. A file from
 *   an EARLIER version is migrated in that same transaction (MIGRATIONS: each step keeps every
 *   row and derives what the new version adds); a file from a later version throws rather than
 *   guessing.
 * - `queue_usage` counts each device's queued deliveries and payload bytes, and
 *   `queue_usage_by_sender` the same per (device, sender), kept by enqueue, ack and dropQueue in
 *   their transaction (quotas read them without reading the queue).
 * - The deadline index (storage.ts DeadlineKind) is the `deadlines` table, indexed on
 *   (kind, from_ms) and rewritten by the writes it depends on inside their transaction.
 */
import Database from 'better-sqlite3';
import { accountDeadlines, attemptDeadline, codeDeadline } from './deadlineIndex.js';
import type {
  AccountRecord, DeadlineKind, DeadlineRow, DeviceListRecord, DeviceRecord, PairingCodeRecord, PendingCompanionRecord,
  QrAttemptRecord, QrRefRecord, QueuedDelivery, QueueUsage, Storage,
} from './storage.js';

/**
 * 1: the first release. 2: the deadline index (`deadlines`). 3: queue usage per device
 * (`queue_usage`). 4: queue usage per (device, sender) (`queue_usage_by_sender`). All issue 10.
 */
export const SQLITE_SCHEMA_VERSION = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  ord INTEGER PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devices_by_phone ON devices (phone, ord);
CREATE TABLE IF NOT EXISTS device_lists (
  ord INTEGER PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS queue_by_recipient ON queue (recipient, seq);
CREATE TABLE IF NOT EXISTS qr_attempts (
  ord INTEGER PRIMARY KEY, attempt_id TEXT NOT NULL UNIQUE, companion_id TEXT NOT NULL,
  state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_attempts_by_state ON qr_attempts (state, companion_id);
CREATE INDEX IF NOT EXISTS qr_attempts_by_companion ON qr_attempts (companion_id);
CREATE TABLE IF NOT EXISTS qr_refs (
  ord INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, attempt_id TEXT NOT NULL,
  idx INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_refs_by_attempt ON qr_refs (attempt_id, idx);
CREATE TABLE IF NOT EXISTS pairing_codes (
  ord INTEGER PRIMARY KEY, code_id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL,
  state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pairing_codes_by_phone ON pairing_codes (phone, ord);
CREATE INDEX IF NOT EXISTS pairing_codes_by_state ON pairing_codes (state);
CREATE TABLE IF NOT EXISTS pending_companions (
  ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deadlines (
  kind TEXT NOT NULL, key TEXT NOT NULL, phone TEXT, from_ms INTEGER NOT NULL, PRIMARY KEY (kind, key));
CREATE INDEX IF NOT EXISTS deadlines_by_time ON deadlines (kind, from_ms);
CREATE INDEX IF NOT EXISTS deadlines_by_phone ON deadlines (phone);
CREATE TABLE IF NOT EXISTS queue_usage (
  recipient TEXT PRIMARY KEY, count INTEGER NOT NULL, bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS queue_usage_by_sender (
  recipient TEXT NOT NULL, sender TEXT NOT NULL, count INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY (recipient, sender));
`;

/** Thrown when a database file carries a schema version this code does not know. */
export class SchemaVersionError extends Error {
  constructor(file: string, found: number) {
    super(`${file}: storage schema version ${found}, this linkspec reads version ${SQLITE_SCHEMA_VERSION}`);
    this.name = 'SchemaVersionError';
  }
}

/** Steps from an earlier schema version to the next, keyed by the version they start from. */
const MIGRATIONS: Record<number, (store: SqliteStorage) => void> = {
  1: (store) => store.backfillDeadlines(),
  2: (store) => store.backfillQueueUsage(),
  3: (store) => store.backfillQueueUsageBySender(),
};
const MIGRATIONS_FROM = new Set(Object.keys(MIGRATIONS).map(Number));

type Row = { record: string };
type Statement = Database.Statement<unknown[], Row>;

function parse<T>(row: Row | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.record) as T);
}

function deliveries(rows: unknown[]): QueuedDelivery[] {
  return (rows as { seq: number; record: string }[]).map((row) => ({ ...(JSON.parse(row.record) as Omit<QueuedDelivery, 'seq'>), seq: row.seq }));
}

function parseAll<T>(rows: Row[]): T[] {
  return rows.map((row) => JSON.parse(row.record) as T);
}

export interface SqliteStorageOptions {
  /** 'NORMAL' (default) survives kill -9; 'FULL' also survives power loss, at an fsync per commit. */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

/**
 * The store could not be opened: STORAGE_CORRUPT (not a database, or the integrity check failed)
 * or STORAGE_UNAVAILABLE (anything else: a missing directory, no permission, a full disk).
 * `linkspec serve` prints the message as one line and exits 2.
 */
export class StorageOpenError extends Error {
  constructor(readonly code: 'STORAGE_CORRUPT' | 'STORAGE_UNAVAILABLE', message: string) {
    super(message);
    this.name = 'StorageOpenError';
  }

  static from(file: string, error: unknown): StorageOpenError {
    if (error instanceof StorageOpenError) return error;
    const sqliteCode = (error as { code?: unknown })?.code;
    const message = error instanceof Error ? error.message : String(error);
    const corrupt = sqliteCode === 'SQLITE_CORRUPT' || sqliteCode === 'SQLITE_NOTADB';
    return new StorageOpenError(corrupt ? 'STORAGE_CORRUPT' : 'STORAGE_UNAVAILABLE', `${file}: ${message}`);
  }
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly q: Record<string, Statement>;

  /** Open (creating if needed) the database at `file`; ':memory:' gives a private in-memory one. */
  constructor(file: string, options: SqliteStorageOptions = {}) {
    try {
      this.db = new Database(file);
    } catch (error) {
      throw StorageOpenError.from(file, error);
    }
    try {
      // A damaged file is refused at open (STORAGE_CORRUPT), not found later by one unlucky device.
      const check = this.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StorageOpenError('STORAGE_CORRUPT', `${file}: the integrity check failed (${String(check).split('\n')[0]})`);
      this.db.pragma('journal_mode = WAL'); // ':memory:' answers 'memory', which is fine
      this.db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(SCHEMA);
        const found = this.schemaVersion(file);
        this.q = this.prepareAll();
        for (let version = found; version < SQLITE_SCHEMA_VERSION; version++) MIGRATIONS[version]!(this);
        this.db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION);
        this.db.exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } catch (error) {
      this.db.close();
      throw error instanceof SchemaVersionError ? error : StorageOpenError.from(file, error);
    }
  }

  /** The file's schema version (a new file: the current one); a later or unreadable one throws. */
  private schemaVersion(file: string): number {
    const rows = this.db.prepare('SELECT version FROM schema_version').all() as { version: number }[];
    if (rows.length === 0) {
      this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
      return SQLITE_SCHEMA_VERSION;
    }
    const found = rows[0].version;
    if (rows.length !== 1 || !MIGRATIONS_FROM.has(found) && found !== SQLITE_SCHEMA_VERSION) throw new SchemaVersionError(file, found);
    return found;
  }

  /** Version 1 -> 2: derive the deadline index from the records already stored. */
  backfillDeadlines(): void {
    const phones = this.db.prepare('SELECT DISTINCT phone FROM devices').all() as { phone: string }[];
    for (const { phone } of phones) this.reindexAccount(phone);
    for (const code of this.listActiveCodes()) this.setDeadline('code', code.codeId, null, codeDeadline(code)?.from);
    for (const attempt of this.listActiveQrAttempts()) this.reindexAttempt(attempt.attemptId);
  }

  /** Version 2 -> 3: count what each device's queue already holds (one pass over the queue). */
  backfillQueueUsage(): void {
    this.db.exec(`INSERT INTO queue_usage (recipient, count, bytes)
      SELECT recipient, COUNT(*), SUM(LENGTH(CAST(json_extract(record, '$.payload') AS BLOB))) FROM queue GROUP BY recipient`);
  }

  /** Version 3 -> 4: count each sender's part of each queue (one pass over the queue). */
  backfillQueueUsageBySender(): void {
    this.db.exec(`INSERT INTO queue_usage_by_sender (recipient, sender, count, bytes)
      SELECT recipient, json_extract(record, '$.senderDeviceId'), COUNT(*), SUM(LENGTH(CAST(json_extract(record, '$.payload') AS BLOB)))
      FROM queue GROUP BY recipient, json_extract(record, '$.senderDeviceId')`);
  }

  private setDeadline(kind: DeadlineKind, key: string, phone: string | null, from: number | undefined): void {
    if (from === undefined) this.q.deleteDeadline.run(kind, key);
    else this.q.putDeadline.run(kind, key, phone, from);
  }

  /** Rewrite the number's 'dormancy' and 'idle' rows from its devices. */
  private reindexAccount(phone: string): void {
    const { dormancy, idle } = accountDeadlines(this.listDevices(phone));
    this.q.deleteAccountDeadlines.run(phone);
    for (const row of dormancy) this.q.putDeadline.run('dormancy', row.key, phone, row.from);
    for (const row of idle) this.q.putDeadline.run('idle', row.key, phone, row.from);
  }

  private reindexAttempt(attemptId: string): void {
    this.setDeadline('qr', attemptId, null, attemptDeadline(this.getQrAttempt(attemptId), this.listQrRefs(attemptId))?.from);
  }

  private prepareAll(): Record<string, Statement> {
    const sql = {
      getAccount: 'SELECT record FROM accounts WHERE phone = ?',
      putAccount: 'INSERT INTO accounts (phone, record) VALUES (?, ?) ON CONFLICT (phone) DO UPDATE SET record = excluded.record',
      listAccounts: 'SELECT record FROM accounts ORDER BY ord',
      getDevice: 'SELECT record FROM devices WHERE id = ?',
      putDevice: 'INSERT INTO devices (id, phone, record) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, record = excluded.record',
      listDevices: 'SELECT record FROM devices WHERE phone = ? ORDER BY ord',
      getDeviceList: 'SELECT record FROM device_lists WHERE phone = ?',
      putDeviceList: 'INSERT INTO device_lists (phone, record) VALUES (?, ?) ON CONFLICT (phone) DO UPDATE SET record = excluded.record',
      enqueue: 'INSERT INTO queue (recipient, record) VALUES (?, ?) RETURNING seq',
      pendingFor: 'SELECT seq, record FROM queue WHERE recipient = ? ORDER BY seq',
      pendingAfter: 'SELECT seq, record FROM queue WHERE recipient = ? AND seq > ? ORDER BY seq LIMIT ?',
      ack: 'DELETE FROM queue WHERE recipient = ? AND seq = ? RETURNING record',
      addUsage: 'INSERT INTO queue_usage (recipient, count, bytes) VALUES (?, ?, ?) ON CONFLICT (recipient) DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes',
      dropUsage: 'DELETE FROM queue_usage WHERE recipient = ?',
      queueUsage: 'SELECT count, bytes FROM queue_usage WHERE recipient = ?',
      addUsageFrom: 'INSERT INTO queue_usage_by_sender (recipient, sender, count, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (recipient, sender) DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes',
      dropEmptyUsageFrom: 'DELETE FROM queue_usage_by_sender WHERE recipient = ? AND sender = ? AND count <= 0',
      dropUsageFrom: 'DELETE FROM queue_usage_by_sender WHERE recipient = ?',
      queueUsageFrom: 'SELECT count, bytes FROM queue_usage_by_sender WHERE recipient = ? AND sender = ?',
      dropQueue: 'DELETE FROM queue WHERE recipient = ?',
      countPending: 'SELECT COUNT(*) AS n FROM queue WHERE recipient = ?',
      getQrAttempt: 'SELECT record FROM qr_attempts WHERE attempt_id = ?',
      putQrAttempt: 'INSERT INTO qr_attempts (attempt_id, companion_id, state, record) VALUES (?, ?, ?, ?) ON CONFLICT (attempt_id) DO UPDATE SET companion_id = excluded.companion_id, state = excluded.state, record = excluded.record',
      listActiveQrAttempts: "SELECT record FROM qr_attempts WHERE state = 'active' ORDER BY ord",
      listActiveQrAttemptsOf: "SELECT record FROM qr_attempts WHERE state = 'active' AND companion_id = ? ORDER BY ord",
      getQrRef: 'SELECT record FROM qr_refs WHERE ref = ?',
      putQrRef: 'INSERT INTO qr_refs (ref, attempt_id, idx, record) VALUES (?, ?, ?, ?) ON CONFLICT (ref) DO UPDATE SET attempt_id = excluded.attempt_id, idx = excluded.idx, record = excluded.record',
      listQrRefs: 'SELECT record FROM qr_refs WHERE attempt_id = ? ORDER BY idx, ord',
      getLatestCode: 'SELECT record FROM pairing_codes WHERE phone = ? ORDER BY ord DESC LIMIT 1',
      putCode: 'INSERT INTO pairing_codes (code_id, phone, state, record) VALUES (?, ?, ?, ?) ON CONFLICT (code_id) DO UPDATE SET phone = excluded.phone, state = excluded.state, record = excluded.record',
      getCode: 'SELECT record FROM pairing_codes WHERE code_id = ?',
      listActiveCodes: "SELECT record FROM pairing_codes WHERE state = 'active' ORDER BY ord",
      getLatestCodeOf: "SELECT record FROM pairing_codes WHERE phone = ? AND json_extract(record, '$.companionId') = ? ORDER BY ord DESC LIMIT 1",
      listActiveCodesOf: "SELECT record FROM pairing_codes WHERE phone = ? AND state = 'active' ORDER BY ord",
      getPendingCompanion: 'SELECT record FROM pending_companions WHERE id = ?',
      putPendingCompanion: 'INSERT INTO pending_companions (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
      listPendingCompanionIds: 'SELECT id FROM pending_companions WHERE id > ? ORDER BY id LIMIT ?',
      deletePendingCompanion: 'DELETE FROM pending_companions WHERE id = ?',
      hasQrAttempts: 'SELECT 1 AS record FROM qr_attempts WHERE companion_id = ? LIMIT 1',
      endedQrAttempts: `SELECT a.attempt_id FROM qr_attempts a WHERE a.state != 'active' AND COALESCE(
        (SELECT json_extract(r.record, '$.untilMs') FROM qr_refs r WHERE r.attempt_id = a.attempt_id ORDER BY r.idx DESC, r.ord DESC LIMIT 1),
        json_extract(a.record, '$.startedAt')) < ? LIMIT ?`,
      deleteQrRefsOf: 'DELETE FROM qr_refs WHERE attempt_id = ?',
      deleteQrAttempt: 'DELETE FROM qr_attempts WHERE attempt_id = ?',
      getMeta: 'SELECT value AS record FROM meta WHERE key = ?',
      setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      putDeadline: 'INSERT INTO deadlines (kind, key, phone, from_ms) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET phone = excluded.phone, from_ms = excluded.from_ms',
      deleteDeadline: 'DELETE FROM deadlines WHERE kind = ? AND key = ?',
      deleteAccountDeadlines: "DELETE FROM deadlines WHERE phone = ? AND kind IN ('dormancy', 'idle')",
      // Due rows only (the (kind, from_ms) index), then put in the records' listing order.
      dueDeviceDeadlines: `SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN accounts a ON a.phone = d.phone LEFT JOIN devices v ON v.id = d.key
        WHERE d.kind = ? AND d.from_ms <= ? ORDER BY a.ord IS NULL, a.ord, v.ord`,
      dueCodeDeadlines: `SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN pairing_codes c ON c.code_id = d.key
        WHERE d.kind = 'code' AND d.from_ms <= ? ORDER BY c.ord`,
      dueQrDeadlines: `SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN qr_attempts q ON q.attempt_id = d.key
        WHERE d.kind = 'qr' AND d.from_ms <= ? ORDER BY q.ord`,
    };
    const out: Record<string, Statement> = {};
    for (const [name, text] of Object.entries(sql)) out[name] = this.db.prepare(text) as Statement;
    return out;
  }

  // ---- accounts ----------------------------------------------------------------------------
  getAccount(phone: string) { return parse<AccountRecord>(this.q.getAccount.get(phone)); }
  putAccount(account: AccountRecord) { this.q.putAccount.run(account.phone, JSON.stringify(account)); }
  listAccounts() { return parseAll<AccountRecord>(this.q.listAccounts.all()); }

  // ---- devices -----------------------------------------------------------------------------
  getDevice(id: string) { return parse<DeviceRecord>(this.q.getDevice.get(id)); }
  putDevice(device: DeviceRecord) {
    this.transaction(() => {
      const before = this.getDevice(device.id);
      this.q.putDevice.run(device.id, device.phone, JSON.stringify(device));
      if (before && before.phone !== device.phone) this.reindexAccount(before.phone);
      this.reindexAccount(device.phone);
    });
  }
  listDevices(phone: string) { return parseAll<DeviceRecord>(this.q.listDevices.all(phone)); }

  // ---- device lists ------------------------------------------------------------------------
  getDeviceList(phone: string) { return parse<DeviceListRecord>(this.q.getDeviceList.get(phone)); }
  putDeviceList(list: DeviceListRecord) { this.q.putDeviceList.run(list.phone, JSON.stringify(list)); }

  // ---- queued deliveries -------------------------------------------------------------------
  enqueue(delivery: Omit<QueuedDelivery, 'seq'>): QueuedDelivery {
    const body: Omit<QueuedDelivery, 'seq'> & { seq?: unknown } = { ...delivery };
    delete body.seq; // a caller's stray seq must not shadow the assigned one
    const row = this.transaction(() => {
      this.q.addUsage.run(delivery.recipientDeviceId, 1, Buffer.byteLength(delivery.payload));
      this.q.addUsageFrom.run(delivery.recipientDeviceId, delivery.senderDeviceId, 1, Buffer.byteLength(delivery.payload));
      return this.q.enqueue.get(delivery.recipientDeviceId, JSON.stringify(body)) as unknown as { seq: number };
    });
    return { ...(JSON.parse(JSON.stringify(body)) as Omit<QueuedDelivery, 'seq'>), seq: row.seq };
  }
  pendingFor(recipientDeviceId: string): QueuedDelivery[] {
    return deliveries(this.q.pendingFor.all(recipientDeviceId));
  }
  pendingAfter(recipientDeviceId: string, afterSeq: number, limit: number): QueuedDelivery[] {
    return deliveries(this.q.pendingAfter.all(recipientDeviceId, afterSeq, Math.max(0, Math.floor(limit))));
  }
  ack(recipientDeviceId: string, seq: number) {
    return this.transaction(() => {
      const removed = this.q.ack.get(recipientDeviceId, seq);
      if (!removed) return false;
      const { payload, senderDeviceId } = JSON.parse(removed.record) as QueuedDelivery;
      this.q.addUsage.run(recipientDeviceId, -1, -Buffer.byteLength(payload));
      this.q.addUsageFrom.run(recipientDeviceId, senderDeviceId, -1, -Buffer.byteLength(payload));
      this.q.dropEmptyUsageFrom.run(recipientDeviceId, senderDeviceId);
      return true;
    });
  }
  dropQueue(recipientDeviceId: string) {
    return this.transaction(() => {
      this.q.dropUsage.run(recipientDeviceId);
      this.q.dropUsageFrom.run(recipientDeviceId);
      return this.q.dropQueue.run(recipientDeviceId).changes;
    });
  }
  countPending(recipientDeviceId: string) {
    return this.queueUsage(recipientDeviceId).count;
  }
  queueUsage(recipientDeviceId: string): QueueUsage {
    const row = this.q.queueUsage.get(recipientDeviceId) as unknown as { count: number; bytes: number } | undefined;
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 };
  }
  queueUsageFrom(recipientDeviceId: string, senderDeviceId: string): QueueUsage {
    const row = this.q.queueUsageFrom.get(recipientDeviceId, senderDeviceId) as unknown as { count: number; bytes: number } | undefined;
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 };
  }

  // ---- QR attempts and references ------------------------------------------------------------
  getQrAttempt(attemptId: string) { return parse<QrAttemptRecord>(this.q.getQrAttempt.get(attemptId)); }
  putQrAttempt(attempt: QrAttemptRecord) {
    this.transaction(() => {
      this.q.putQrAttempt.run(attempt.attemptId, attempt.companionId, attempt.state, JSON.stringify(attempt));
      this.reindexAttempt(attempt.attemptId);
    });
  }
  listActiveQrAttempts() { return parseAll<QrAttemptRecord>(this.q.listActiveQrAttempts.all()); }
  listActiveQrAttemptsOf(companionId: string) {
    return parseAll<QrAttemptRecord>(this.q.listActiveQrAttemptsOf.all(companionId));
  }
  getQrRef(ref: string) { return parse<QrRefRecord>(this.q.getQrRef.get(ref)); }
  putQrRef(ref: QrRefRecord) {
    this.transaction(() => {
      const before = this.getQrRef(ref.ref);
      this.q.putQrRef.run(ref.ref, ref.attemptId, ref.index, JSON.stringify(ref));
      if (before && before.attemptId !== ref.attemptId) this.reindexAttempt(before.attemptId);
      this.reindexAttempt(ref.attemptId);
    });
  }
  listQrRefs(attemptId: string) { return parseAll<QrRefRecord>(this.q.listQrRefs.all(attemptId)); }

  // ---- pairing codes -------------------------------------------------------------------------
  getLatestCode(phone: string) { return parse<PairingCodeRecord>(this.q.getLatestCode.get(phone)); }
  putCode(code: PairingCodeRecord) {
    this.transaction(() => {
      this.q.putCode.run(code.codeId, code.phone, code.state, JSON.stringify(code));
      this.setDeadline('code', code.codeId, null, codeDeadline(code)?.from);
    });
  }
  getCode(codeId: string) { return parse<PairingCodeRecord>(this.q.getCode.get(codeId)); }
  listActiveCodes() { return parseAll<PairingCodeRecord>(this.q.listActiveCodes.all()); }
  getLatestCodeOf(phone: string, companionId: string) { return parse<PairingCodeRecord>(this.q.getLatestCodeOf.get(phone, companionId)); }
  listActiveCodesOf(phone: string) { return parseAll<PairingCodeRecord>(this.q.listActiveCodesOf.all(phone)); }

  // ---- the deadline index ----------------------------------------------------------------------
  dueDeadlines(kind: DeadlineKind, upTo: number): DeadlineRow[] {
    const rows = (kind === 'code' ? this.q.dueCodeDeadlines.all(upTo) : kind === 'qr' ? this.q.dueQrDeadlines.all(upTo)
      : this.q.dueDeviceDeadlines.all(kind, upTo)) as unknown as { key: string; from_ms: number }[];
    return rows.map((r) => ({ key: r.key, from: r.from_ms }));
  }

  // ---- companions announced while linking ----------------------------------------------------
  getPendingCompanion(id: string) { return parse<PendingCompanionRecord>(this.q.getPendingCompanion.get(id)); }
  putPendingCompanion(companion: PendingCompanionRecord) {
    this.q.putPendingCompanion.run(companion.id, JSON.stringify(companion));
  }

  // ---- pruning -------------------------------------------------------------------------------
  listPendingCompanionIds(afterId: string, limit: number): string[] {
    return (this.q.listPendingCompanionIds.all(afterId, Math.max(0, Math.floor(limit))) as unknown as { id: string }[]).map((r) => r.id);
  }
  deletePendingCompanion(id: string) { this.q.deletePendingCompanion.run(id); }
  hasQrAttempts(companionId: string) { return this.q.hasQrAttempts.get(companionId) !== undefined; }
  pruneQrAttempts(before: number, limit: number): number {
    return this.transaction(() => {
      const ids = (this.q.endedQrAttempts.all(before, Math.max(0, Math.floor(limit))) as unknown as { attempt_id: string }[]).map((r) => r.attempt_id);
      for (const id of ids) { this.q.deleteQrRefsOf.run(id); this.q.deleteQrAttempt.run(id); }
      return ids.length;
    });
  }

  // ---- small named values --------------------------------------------------------------------
  getMeta(key: string) { return this.q.getMeta.get(key)?.record; }
  setMeta(key: string, value: string) { this.q.setMeta.run(key, value); }

  // ---- atomicity and lifetime ----------------------------------------------------------------
  transaction<T>(fn: () => T): T {
    // Join an enclosing transaction instead of opening a savepoint: the interface says nested
    // calls join the outer one, and MemoryStorage behaves that way.
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn).immediate();
  }

  /** The effective `synchronous` level (SQLite's number: 1 NORMAL, 2 FULL), for tests and diagnostics. */
  synchronousLevel(): number {
    return Number(this.db.pragma('synchronous', { simple: true }));
  }

  close() {
    if (this.db.open) this.db.close();
  }
}
