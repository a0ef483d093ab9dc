/**
 * PostgreSQL Storage (storage.ts) for the reference CLUSTER: several server nodes, each a
 * process of its own, share one database schema (`linkspec serve --store postgres://…`).
 *
 * Why synchronous: the Storage contract is synchronous (the server's handlers read-check-write
 * without awaiting, as better-sqlite3 allows). Rewriting every handler to async would change the
 * whole server for one backend; instead this store uses `pg-native` (libpq bindings, the `pg`
 * project's native driver) whose `querySync` blocks the node's event loop for one loopback round
 * trip (~0.04 ms measured). A node therefore runs one store call at a time - which is exactly the
 * single-process semantics the handlers were written for - while DIFFERENT nodes run truly in
 * parallel against PostgreSQL. Cross-node races are settled by the database:
 * - `transaction(fn)` is one READ COMMITTED transaction (BEGIN … COMMIT, ROLLBACK on a throw,
 *   nested calls join the outer one, as the contract says);
 * - `lockAccount(phone)` takes a transaction-scoped advisory lock on the account
 *   (pg_advisory_xact_lock): every transaction that changes an account's devices, its queue
 *   membership or its deadlines takes it first and re-reads what it decides on, so the companion
 *   limit (LIMIT-01), a send against an unlink (E2E-03) and the dormancy deadline against a
 *   reconnect (EXP-01/02) serialise per account. READ COMMITTED re-reads after the lock see every
 *   transaction that held it before.
 * - the queue's `seq` is a BIGSERIAL: strictly increasing across the cluster, never reused; `ack`
 *   is one DELETE of (recipient, seq): two nodes acking the same delivery delete it once.
 *
 * Same observable behaviour as MemoryStorage and SqliteStorage: storage.contract.test.ts runs the
 * same cases against this store when PostgreSQL is available. Records are kept as JSON text beside
 * the typed columns the interface filters and orders by; `ord` BIGSERIAL columns keep insertion order.
 * The deadline index (storage.ts DeadlineKind) is the `deadlines` table, rewritten by the writes
 * it depends on inside their transaction; a schema from version 1 is migrated at connect.
 */
import { createRequire } from 'node:module';
import { accountDeadlines, attemptDeadline, codeDeadline } from './deadlineIndex.js';
import type {
  AccountRecord, DeadlineKind, DeadlineRow, DeviceListRecord, DeviceRecord, PairingCodeRecord, PendingCompanionRecord,
  QrAttemptRecord, QrRefRecord, QueuedDelivery, QueueUsage, Storage,
} from './storage.js';

/**
 * 1: the first release. 2: the deadline index (`deadlines`). 3: queue usage per device
 * (`queue_usage`). 4: queue usage per (device, sender) (`queue_usage_by_sender`). All issue 10.
 */
export const POSTGRES_SCHEMA_VERSION = 4;

/** pg-native's synchronous surface (the package ships no types). */
interface NativeClient {
  connectSync(url: string): void;
  querySync(text: string, values?: readonly unknown[]): Record<string, unknown>[];
  end(cb?: () => void): void;
}

const require = createRequire(import.meta.url);

/** What to do when pg-native is missing: one sentence, printed by `serve` and the cluster adapter. */
export const PG_NATIVE_HINT = 'the cluster needs pg-native; apt-get install libpq-dev && npm ci';

/**
 * pg-native could not be loaded: code PG_NATIVE_MISSING. It is an OPTIONAL dependency (it builds
 * against libpq's headers, and `npm ci` skips it where they are missing), loaded only when a
 * PostgreSQL store is opened: `npm ci && npm start`, the embedded server and every non-cluster
 * test run without it.
 */
export class PgNativeMissingError extends Error {
  readonly code = 'PG_NATIVE_MISSING';
  constructor(cause: unknown) {
    super(`${PG_NATIVE_HINT} (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`);
    this.name = 'PgNativeMissingError';
  }
}

/** Loads pg-native at first use (never at import), with `load` standing in for require in tests. */
export function loadPgNative(load: (id: string) => unknown = require): new () => NativeClient {
  try {
    return load('pg-native') as new () => NativeClient;
  } catch (error) {
    throw new PgNativeMissingError(error);
  }
}

function nativeClient(): NativeClient {
  const Client = loadPgNative();
  return new Client();
}

const TABLES = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (ord BIGSERIAL PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (ord BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devices_by_phone ON devices (phone, ord);
CREATE TABLE IF NOT EXISTS device_lists (ord BIGSERIAL PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (seq BIGSERIAL PRIMARY KEY, recipient TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS queue_by_recipient ON queue (recipient, seq);
CREATE TABLE IF NOT EXISTS qr_attempts (ord BIGSERIAL PRIMARY KEY, attempt_id TEXT NOT NULL UNIQUE, companion_id TEXT NOT NULL, state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_attempts_by_state ON qr_attempts (state, companion_id);
CREATE INDEX IF NOT EXISTS qr_attempts_by_companion ON qr_attempts (companion_id);
CREATE TABLE IF NOT EXISTS qr_refs (ord BIGSERIAL PRIMARY KEY, ref TEXT NOT NULL UNIQUE, attempt_id TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_refs_by_attempt ON qr_refs (attempt_id, idx);
CREATE TABLE IF NOT EXISTS pairing_codes (ord BIGSERIAL PRIMARY KEY, code_id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pairing_codes_by_phone ON pairing_codes (phone, ord);
CREATE INDEX IF NOT EXISTS pairing_codes_by_state ON pairing_codes (state);
CREATE TABLE IF NOT EXISTS pending_companions (ord BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS presence (kind TEXT NOT NULL, id TEXT NOT NULL, node TEXT NOT NULL, conn TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS deadlines (kind TEXT NOT NULL, key TEXT NOT NULL, phone TEXT, from_ms BIGINT NOT NULL, PRIMARY KEY (kind, key));
CREATE INDEX IF NOT EXISTS deadlines_by_time ON deadlines (kind, from_ms);
CREATE INDEX IF NOT EXISTS deadlines_by_phone ON deadlines (phone);
CREATE TABLE IF NOT EXISTS queue_usage (recipient TEXT PRIMARY KEY, count BIGINT NOT NULL, bytes BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_usage_by_sender (recipient TEXT NOT NULL, sender TEXT NOT NULL, count BIGINT NOT NULL, bytes BIGINT NOT NULL, PRIMARY KEY (recipient, sender));
`;

/** The world's tables, emptied by `clear()` (a fresh world for test control's tc.reset). */
const WORLD_TABLES = ['accounts', 'devices', 'device_lists', 'queue', 'qr_attempts', 'qr_refs', 'pairing_codes', 'pending_companions', 'meta', 'presence', 'deadlines', 'queue_usage', 'queue_usage_by_sender'];

/** A PostgreSQL identifier this module created or accepts: lower-case letters, digits, underscore. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStorageOptions {
  /** The schema holding the tables (created if missing); default `linkspec`. */
  readonly schema?: string;
  /**
   * 'server-crash' (default): `synchronous_commit = off`. A commit is in PostgreSQL before the
   * call returns, so a NODE killed the next instant (SIGKILL) loses nothing acknowledged - the
   * cluster's failure model; what it gives up is the last few hundred ms of commits if the
   * PostgreSQL server or its OS crashes (the database stays consistent). The same trade as
   * SqliteStorage's `synchronous = NORMAL`. 'power-loss': `synchronous_commit = on`, an fsync
   * per commit (measured here: the conformance suite ran ~40x slower, dominated by fsync).
   */
  readonly durability?: 'server-crash' | 'power-loss';
}

/** Steps from an earlier schema version to the next, keyed by the version they start from. */
const MIGRATIONS: Record<number, (store: PostgresStorage) => void> = {
  1: (store) => store.backfillDeadlines(),
  2: (store) => store.backfillQueueUsage(),
  3: (store) => store.backfillQueueUsageBySender(),
};

type Row = { record: string };

function parse<T>(rows: Record<string, unknown>[]): T | undefined {
  return rows.length === 0 ? undefined : (JSON.parse((rows[0] as Row).record) as T);
}

function deliveries(rows: Record<string, unknown>[]): QueuedDelivery[] {
  return rows.map((row) => ({ ...(JSON.parse(row.record as string) as Omit<QueuedDelivery, 'seq'>), seq: Number(row.seq) }));
}

function parseAll<T>(rows: Record<string, unknown>[]): T[] {
  return rows.map((row) => JSON.parse((row as Row).record) as T);
}

export class PostgresStorage implements Storage {
  private readonly client: NativeClient;
  private depth = 0;
  private closed = false;
  readonly schema: string;

  /** Connect to `url` (postgres://…) and use (creating if needed) the tables in `options.schema`. */
  constructor(readonly url: string, options: PostgresStorageOptions = {}) {
    this.schema = options.schema ?? 'linkspec';
    if (!SCHEMA_NAME.test(this.schema)) throw new Error(`bad PostgreSQL schema name '${this.schema}' (a-z, 0-9, _)`);
    this.client = nativeClient();
    this.client.connectSync(url);
    try {
      this.client.querySync(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      this.client.querySync(`SET search_path TO ${this.schema}`);
      this.client.querySync('SET client_min_messages TO warning');
      this.client.querySync(`SET synchronous_commit TO ${options.durability === 'power-loss' ? 'on' : 'off'}`);
      this.transaction(() => {
        // Two nodes starting at once on a new schema: one creates the tables, the other waits.
        this.client.querySync('SELECT pg_advisory_xact_lock(hashtext($1))', [`linkspec-migrate-${this.schema}`]);
        this.client.querySync(TABLES);
        const rows = this.client.querySync('SELECT version FROM schema_version');
        const found = rows.length === 0 ? POSTGRES_SCHEMA_VERSION : Number(rows[0].version);
        if (rows.length === 0) this.client.querySync('INSERT INTO schema_version (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
        else if (rows.length !== 1 || !(found in MIGRATIONS || found === POSTGRES_SCHEMA_VERSION)) {
          throw new Error(`PostgreSQL schema ${this.schema}: storage schema version ${String(rows[0].version)}, this linkspec reads version ${POSTGRES_SCHEMA_VERSION}`);
        }
        // An earlier version is migrated here, under the migration lock (one node does it).
        for (let version = found; version < POSTGRES_SCHEMA_VERSION; version++) MIGRATIONS[version]!(this);
        this.client.querySync('UPDATE schema_version SET version = $1', [POSTGRES_SCHEMA_VERSION]);
      });
    } catch (error) {
      this.client.end();
      throw error;
    }
  }

  private q(text: string, values: readonly unknown[] = []): Record<string, unknown>[] {
    if (this.closed) throw new Error('PostgreSQL storage is closed');
    return this.client.querySync(text, values);
  }

  private upsert(table: string, key: string, columns: Record<string, unknown>): void {
    const names = Object.keys(columns);
    const params = names.map((_, i) => `$${i + 1}`).join(', ');
    const updates = names.filter((n) => n !== key).map((n) => `${n} = excluded.${n}`).join(', ');
    this.q(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${params}) ON CONFLICT (${key}) DO UPDATE SET ${updates}`, Object.values(columns));
  }

  /** Version 1 -> 2: derive the deadline index from the records already stored. */
  backfillDeadlines(): void {
    for (const row of this.q('SELECT DISTINCT phone FROM devices')) this.reindexAccount(row.phone as string);
    for (const code of this.listActiveCodes()) this.setDeadline('code', code.codeId, codeDeadline(code)?.from);
    for (const attempt of this.listActiveQrAttempts()) this.reindexAttempt(attempt.attemptId);
  }

  /** Version 2 -> 3: count what each device's queue already holds (one pass over the queue). */
  backfillQueueUsage(): void {
    this.q(`INSERT INTO queue_usage (recipient, count, bytes)
      SELECT recipient, COUNT(*), SUM(octet_length((record::json)->>'payload')) FROM queue GROUP BY recipient`);
  }

  /** Version 3 -> 4: count each sender's part of each queue (one pass over the queue). */
  backfillQueueUsageBySender(): void {
    this.q(`INSERT INTO queue_usage_by_sender (recipient, sender, count, bytes)
      SELECT recipient, (record::json)->>'senderDeviceId', COUNT(*), SUM(octet_length((record::json)->>'payload')) FROM queue GROUP BY recipient, (record::json)->>'senderDeviceId'`);
  }

  private setDeadline(kind: DeadlineKind, key: string, from: number | undefined, phone: string | null = null): void {
    if (from === undefined) this.q('DELETE FROM deadlines WHERE kind = $1 AND key = $2', [kind, key]);
    else this.q('INSERT INTO deadlines (kind, key, phone, from_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, key) DO UPDATE SET phone = excluded.phone, from_ms = excluded.from_ms', [kind, key, phone, from]);
  }

  /** Rewrite the number's 'dormancy' and 'idle' rows from its devices. */
  private reindexAccount(phone: string): void {
    const { dormancy, idle } = accountDeadlines(this.listDevices(phone));
    this.q("DELETE FROM deadlines WHERE phone = $1 AND kind IN ('dormancy', 'idle')", [phone]);
    for (const row of dormancy) this.setDeadline('dormancy', row.key, row.from, phone);
    for (const row of idle) this.setDeadline('idle', row.key, row.from, phone);
  }

  private reindexAttempt(attemptId: string): void {
    this.setDeadline('qr', attemptId, attemptDeadline(this.getQrAttempt(attemptId), this.listQrRefs(attemptId))?.from);
  }

  // ---- accounts ----------------------------------------------------------------------------
  getAccount(phone: string) { return parse<AccountRecord>(this.q('SELECT record FROM accounts WHERE phone = $1', [phone])); }
  putAccount(account: AccountRecord) { this.upsert('accounts', 'phone', { phone: account.phone, record: JSON.stringify(account) }); }
  listAccounts() { return parseAll<AccountRecord>(this.q('SELECT record FROM accounts ORDER BY ord')); }

  // ---- devices -----------------------------------------------------------------------------
  getDevice(id: string) { return parse<DeviceRecord>(this.q('SELECT record FROM devices WHERE id = $1', [id])); }
  putDevice(device: DeviceRecord) {
    this.transaction(() => {
      const before = this.getDevice(device.id);
      this.upsert('devices', 'id', { id: device.id, phone: device.phone, record: JSON.stringify(device) });
      if (before && before.phone !== device.phone) this.reindexAccount(before.phone);
      this.reindexAccount(device.phone);
    });
  }
  listDevices(phone: string) { return parseAll<DeviceRecord>(this.q('SELECT record FROM devices WHERE phone = $1 ORDER BY ord', [phone])); }

  // ---- device lists ------------------------------------------------------------------------
  getDeviceList(phone: string) { return parse<DeviceListRecord>(this.q('SELECT record FROM device_lists WHERE phone = $1', [phone])); }
  putDeviceList(list: DeviceListRecord) { this.upsert('device_lists', 'phone', { phone: list.phone, record: JSON.stringify(list) }); }

  // ---- queued deliveries -------------------------------------------------------------------
  enqueue(delivery: Omit<QueuedDelivery, 'seq'>): QueuedDelivery {
    const body: Omit<QueuedDelivery, 'seq'> & { seq?: unknown } = { ...delivery };
    delete body.seq;
    const rows = this.transaction(() => {
      this.addUsage(delivery.recipientDeviceId, delivery.senderDeviceId, 1, Buffer.byteLength(delivery.payload));
      return this.q('INSERT INTO queue (recipient, record) VALUES ($1, $2) RETURNING seq', [delivery.recipientDeviceId, JSON.stringify(body)]);
    });
    return { ...(JSON.parse(JSON.stringify(body)) as Omit<QueuedDelivery, 'seq'>), seq: Number(rows[0].seq) };
  }
  private addUsage(recipient: string, sender: string, count: number, bytes: number): void {
    this.q('INSERT INTO queue_usage (recipient, count, bytes) VALUES ($1, $2, $3) ON CONFLICT (recipient) DO UPDATE SET count = queue_usage.count + excluded.count, bytes = queue_usage.bytes + excluded.bytes', [recipient, count, bytes]);
    this.q('INSERT INTO queue_usage_by_sender (recipient, sender, count, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (recipient, sender) DO UPDATE SET count = queue_usage_by_sender.count + excluded.count, bytes = queue_usage_by_sender.bytes + excluded.bytes', [recipient, sender, count, bytes]);
    if (count < 0) this.q('DELETE FROM queue_usage_by_sender WHERE recipient = $1 AND sender = $2 AND count <= 0', [recipient, sender]);
  }
  pendingFor(recipientDeviceId: string): QueuedDelivery[] {
    return deliveries(this.q('SELECT seq, record FROM queue WHERE recipient = $1 ORDER BY seq', [recipientDeviceId]));
  }
  pendingAfter(recipientDeviceId: string, afterSeq: number, limit: number): QueuedDelivery[] {
    return deliveries(this.q('SELECT seq, record FROM queue WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT $3', [recipientDeviceId, afterSeq, Math.max(0, Math.floor(limit))]));
  }
  ack(recipientDeviceId: string, seq: number) {
    return this.transaction(() => {
      const removed = this.q('DELETE FROM queue WHERE recipient = $1 AND seq = $2 RETURNING record', [recipientDeviceId, seq]);
      if (removed.length === 0) return false;
      const { payload, senderDeviceId } = JSON.parse(removed[0].record as string) as QueuedDelivery;
      this.addUsage(recipientDeviceId, senderDeviceId, -1, -Buffer.byteLength(payload));
      return true;
    });
  }
  dropQueue(recipientDeviceId: string) {
    return this.transaction(() => {
      this.q('DELETE FROM queue_usage WHERE recipient = $1', [recipientDeviceId]);
      this.q('DELETE FROM queue_usage_by_sender WHERE recipient = $1', [recipientDeviceId]);
      return this.q('DELETE FROM queue WHERE recipient = $1 RETURNING seq', [recipientDeviceId]).length;
    });
  }
  countPending(recipientDeviceId: string) {
    return this.queueUsage(recipientDeviceId).count;
  }
  queueUsage(recipientDeviceId: string): QueueUsage {
    const rows = this.q('SELECT count, bytes FROM queue_usage WHERE recipient = $1', [recipientDeviceId]);
    return { count: Number(rows[0]?.count ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  }
  queueUsageFrom(recipientDeviceId: string, senderDeviceId: string): QueueUsage {
    const rows = this.q('SELECT count, bytes FROM queue_usage_by_sender WHERE recipient = $1 AND sender = $2', [recipientDeviceId, senderDeviceId]);
    return { count: Number(rows[0]?.count ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  }

  // ---- QR attempts and references ------------------------------------------------------------
  getQrAttempt(attemptId: string) { return parse<QrAttemptRecord>(this.q('SELECT record FROM qr_attempts WHERE attempt_id = $1', [attemptId])); }
  putQrAttempt(attempt: QrAttemptRecord) {
    this.transaction(() => {
      this.upsert('qr_attempts', 'attempt_id', { attempt_id: attempt.attemptId, companion_id: attempt.companionId, state: attempt.state, record: JSON.stringify(attempt) });
      this.reindexAttempt(attempt.attemptId);
    });
  }
  listActiveQrAttempts() { return parseAll<QrAttemptRecord>(this.q("SELECT record FROM qr_attempts WHERE state = 'active' ORDER BY ord")); }
  listActiveQrAttemptsOf(companionId: string) {
    return parseAll<QrAttemptRecord>(this.q("SELECT record FROM qr_attempts WHERE state = 'active' AND companion_id = $1 ORDER BY ord", [companionId]));
  }
  getQrRef(ref: string) { return parse<QrRefRecord>(this.q('SELECT record FROM qr_refs WHERE ref = $1', [ref])); }
  putQrRef(ref: QrRefRecord) {
    this.transaction(() => {
      const before = this.getQrRef(ref.ref);
      this.upsert('qr_refs', 'ref', { ref: ref.ref, attempt_id: ref.attemptId, idx: ref.index, record: JSON.stringify(ref) });
      if (before && before.attemptId !== ref.attemptId) this.reindexAttempt(before.attemptId);
      this.reindexAttempt(ref.attemptId);
    });
  }
  listQrRefs(attemptId: string) { return parseAll<QrRefRecord>(this.q('SELECT record FROM qr_refs WHERE attempt_id = $1 ORDER BY idx, ord', [attemptId])); }

  // ---- pairing codes -------------------------------------------------------------------------
  getLatestCode(phone: string) { return parse<PairingCodeRecord>(this.q('SELECT record FROM pairing_codes WHERE phone = $1 ORDER BY ord DESC LIMIT 1', [phone])); }
  putCode(code: PairingCodeRecord) {
    this.transaction(() => {
      this.upsert('pairing_codes', 'code_id', { code_id: code.codeId, phone: code.phone, state: code.state, record: JSON.stringify(code) });
      this.setDeadline('code', code.codeId, codeDeadline(code)?.from);
    });
  }
  getCode(codeId: string) { return parse<PairingCodeRecord>(this.q('SELECT record FROM pairing_codes WHERE code_id = $1', [codeId])); }
  listActiveCodes() { return parseAll<PairingCodeRecord>(this.q("SELECT record FROM pairing_codes WHERE state = 'active' ORDER BY ord")); }
  getLatestCodeOf(phone: string, companionId: string) {
    return parse<PairingCodeRecord>(this.q("SELECT record FROM pairing_codes WHERE phone = $1 AND (record::jsonb ->> 'companionId') = $2 ORDER BY ord DESC LIMIT 1", [phone, companionId]));
  }
  listActiveCodesOf(phone: string) { return parseAll<PairingCodeRecord>(this.q("SELECT record FROM pairing_codes WHERE phone = $1 AND state = 'active' ORDER BY ord", [phone])); }

  // ---- the deadline index ----------------------------------------------------------------------
  dueDeadlines(kind: DeadlineKind, upTo: number): DeadlineRow[] {
    const sql = kind === 'code'
      ? "SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN pairing_codes c ON c.code_id = d.key WHERE d.kind = 'code' AND d.from_ms <= $1 ORDER BY c.ord"
      : kind === 'qr'
        ? "SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN qr_attempts q ON q.attempt_id = d.key WHERE d.kind = 'qr' AND d.from_ms <= $1 ORDER BY q.ord"
        : 'SELECT d.key, d.from_ms FROM deadlines d LEFT JOIN accounts a ON a.phone = d.phone LEFT JOIN devices v ON v.id = d.key WHERE d.kind = $2 AND d.from_ms <= $1 ORDER BY a.ord NULLS LAST, v.ord';
    const rows = this.q(sql, kind === 'code' || kind === 'qr' ? [upTo] : [upTo, kind]);
    return rows.map((r) => ({ key: r.key as string, from: Number(r.from_ms) }));
  }

  // ---- companions announced while linking ----------------------------------------------------
  getPendingCompanion(id: string) { return parse<PendingCompanionRecord>(this.q('SELECT record FROM pending_companions WHERE id = $1', [id])); }
  putPendingCompanion(companion: PendingCompanionRecord) { this.upsert('pending_companions', 'id', { id: companion.id, record: JSON.stringify(companion) }); }

  // ---- pruning -------------------------------------------------------------------------------
  listPendingCompanionIds(afterId: string, limit: number): string[] {
    return this.q('SELECT id FROM pending_companions WHERE id > $1 ORDER BY id LIMIT $2', [afterId, Math.max(0, Math.floor(limit))]).map((r) => r.id as string);
  }
  deletePendingCompanion(id: string) { this.q('DELETE FROM pending_companions WHERE id = $1', [id]); }
  hasQrAttempts(companionId: string) { return this.q('SELECT 1 FROM qr_attempts WHERE companion_id = $1 LIMIT 1', [companionId]).length > 0; }
  pruneQrAttempts(before: number, limit: number): number {
    return this.transaction(() => {
      const ids = this.q(`SELECT a.attempt_id FROM qr_attempts a WHERE a.state != 'active' AND COALESCE(
        (SELECT (r.record::json->>'untilMs')::bigint FROM qr_refs r WHERE r.attempt_id = a.attempt_id ORDER BY r.idx DESC, r.ord DESC LIMIT 1),
        (a.record::json->>'startedAt')::bigint) < $1 LIMIT $2`, [before, Math.max(0, Math.floor(limit))]).map((r) => r.attempt_id as string);
      for (const id of ids) {
        this.q('DELETE FROM qr_refs WHERE attempt_id = $1', [id]);
        this.q('DELETE FROM qr_attempts WHERE attempt_id = $1', [id]);
      }
      return ids.length;
    });
  }

  // ---- small named values --------------------------------------------------------------------
  getMeta(key: string) {
    const rows = this.q('SELECT value FROM meta WHERE key = $1', [key]);
    return rows.length === 0 ? undefined : (rows[0].value as string);
  }
  setMeta(key: string, value: string) { this.upsert('meta', 'key', { key, value }); }

  // ---- cluster: per-account serialisation and presence -------------------------------------
  /**
   * Inside a transaction: wait for, then hold until commit, the account's advisory lock (see the
   * file comment). Outside a transaction it would be released at once, so it throws there.
   */
  lockAccount(phone: string): void {
    if (this.depth === 0) throw new Error('lockAccount outside a transaction');
    this.q('SELECT pg_advisory_xact_lock(hashtext($1))', [`linkspec-account-${phone}`]);
  }

  /** Which node holds the connection of a device ('device') or a linking companion ('companion'). */
  getPresence(kind: 'device' | 'companion', id: string): { node: string; conn: string } | undefined {
    const rows = this.q('SELECT node, conn FROM presence WHERE kind = $1 AND id = $2', [kind, id]);
    return rows.length === 0 ? undefined : { node: rows[0].node as string, conn: rows[0].conn as string };
  }
  setPresence(kind: 'device' | 'companion', id: string, node: string, conn: string): void {
    this.q('INSERT INTO presence (kind, id, node, conn) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, id) DO UPDATE SET node = excluded.node, conn = excluded.conn', [kind, id, node, conn]);
  }
  /** Forget a presence only if it is still this connection's (a newer one elsewhere wins). */
  clearPresence(kind: 'device' | 'companion', id: string, node: string, conn: string): void {
    this.q('DELETE FROM presence WHERE kind = $1 AND id = $2 AND node = $3 AND conn = $4', [kind, id, node, conn]);
  }
  /** Every device id with a live presence (tc.inspect's `online`). */
  onlineDevices(): Set<string> {
    return new Set(this.q("SELECT id FROM presence WHERE kind = 'device'").map((r) => r.id as string));
  }

  /** Empty every world table (test control's tc.reset on a shared schema); seqs keep increasing. */
  clear(): void {
    // DELETE, not TRUNCATE: a world's tables hold a few rows, and TRUNCATE's exclusive locks and
    // file swaps cost far more than deleting them.
    this.transaction(() => { for (const table of WORLD_TABLES) this.q(`DELETE FROM ${table}`); });
  }

  /** Drop the whole schema (a cluster run's fresh schema, at its end). */
  dropSchema(): void {
    this.q(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  // ---- atomicity and lifetime ----------------------------------------------------------------
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.q('BEGIN');
    this.depth = 1;
    try {
      const result = fn();
      this.q('COMMIT');
      return result;
    } catch (error) {
      try { this.q('ROLLBACK'); } catch { /* the connection itself failed: the server rolls back */ }
      throw error;
    } finally {
      this.depth = 0;
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.client.end();
  }
}
