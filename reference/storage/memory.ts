/**
 * In-memory Storage (storage.ts): the default for tests and the in-process adapter. A restart
 * of the server reuses the same MemoryStorage object, so nothing acknowledged is lost (RESTART).
 * Records are deep-copied in and out (structuredClone) so no caller can mutate stored state;
 * `transaction` logs how to undo each row change and replays the log backwards if `fn` throws.
 * The deadline index (storage.ts DeadlineKind) is kept sorted by time beside the tables and is
 * undone with them.
 */
import { accountDeadlines, attemptDeadline, codeDeadline, SortedDeadlines } from './deadlineIndex.js';
import type {
  AccountRecord, DeadlineKind, DeadlineRow, DeviceListRecord, DeviceRecord, PairingCodeRecord, PendingCompanionRecord,
  QrAttemptRecord, QrRefRecord, QueuedDelivery, QueueUsage, Storage,
} from './storage.js';

interface Tables {
  accounts: Map<string, AccountRecord>;
  devices: Map<string, DeviceRecord>;
  lists: Map<string, DeviceListRecord>;
  queue: Map<number, QueuedDelivery>;
  attempts: Map<string, QrAttemptRecord>;
  refs: Map<string, QrRefRecord>;
  codes: Map<string, PairingCodeRecord>;
  pending: Map<string, PendingCompanionRecord>;
  meta: Map<string, string>;
  nextSeq: number;
}

function emptyTables(): Tables {
  return {
    accounts: new Map(), devices: new Map(), lists: new Map(), queue: new Map(), attempts: new Map(),
    refs: new Map(), codes: new Map(), pending: new Map(), meta: new Map(), nextSeq: 1,
  };
}

const copy = <T>(value: T): T => structuredClone(value);

type TableName = Exclude<keyof Tables, 'nextSeq'>;

export class MemoryStorage implements Storage {
  private t: Tables = emptyTables();
  /** phone -> ids of its devices, in first-stored order (devices never change number nor are deleted). */
  private readonly devicesByPhone = new Map<string, Set<string>>();
  /** attemptId -> its references (refs are never deleted): listQrRefs without walking every ref. */
  private readonly refsByAttempt = new Map<string, Set<string>>();
  /** companionId -> its attempts (hasQrAttempts without walking every attempt). */
  private readonly attemptsByCompanion = new Map<string, Set<string>>();
  /** Listing order of accounts, devices, codes and attempts ('table\0key' -> n), for dueDeadlines. */
  private readonly order = new Map<string, number>();
  private nextOrder = 0;
  private readonly deadlines = new SortedDeadlines();
  /** recipient -> its queued seqs, ascending (a page is a binary search and a slice) and their usage. */
  private readonly queues = new Map<string, { seqs: number[]; bytes: number }>();
  /** Recipient -> sender -> that sender's part of the queue (queueUsageFrom); undone with the transaction. */
  private readonly usageBySender = new Map<string, Map<string, { count: number; bytes: number }>>();
  private depth = 0;
  /** In a transaction: how to undo each row change made so far, in order. */
  private undo: Array<() => void> | undefined;

  /** Change one row; inside a transaction, remember how to put it back (O(changes) rollback). */
  private setRow<K extends TableName>(name: K, key: unknown, value: unknown): void {
    const table = this.t[name] as Map<unknown, unknown>;
    this.remember(table, key);
    table.set(key, value);
  }

  private deleteRow<K extends TableName>(name: K, key: unknown): void {
    const table = this.t[name] as Map<unknown, unknown>;
    this.remember(table, key);
    table.delete(key);
  }

  private remember(table: Map<unknown, unknown>, key: unknown): void {
    if (!this.undo) return;
    const had = table.has(key);
    const previous = table.get(key);
    this.undo.push(() => { if (had) table.set(key, previous); else table.delete(key); });
  }

  /** Record a key's listing position: Map order for accounts, codes, attempts; first-stored for devices. */
  private place(table: string, key: string, fresh: boolean): void {
    const name = `${table}\0${key}`;
    if (fresh || !this.order.has(name)) this.order.set(name, this.nextOrder++);
  }

  private rank(table: string, key: string): number {
    return this.order.get(`${table}\0${key}`) ?? Number.MAX_SAFE_INTEGER;
  }

  private setDeadline(kind: DeadlineKind, key: string, from: number | undefined): void {
    const previous = this.deadlines.set(kind, key, from);
    if (this.undo && previous !== from) this.undo.push(() => { this.deadlines.set(kind, key, previous); });
  }

  /** Rewrite the number's 'dormancy' and 'idle' rows from its devices. */
  private reindexAccount(phone: string): void {
    const devices = this.listDevices(phone);
    const { dormancy, idle } = accountDeadlines(devices);
    const dormant = new Map(dormancy.map((r) => [r.key, r.from]));
    const idleFrom = new Map(idle.map((r) => [r.key, r.from]));
    for (const d of devices) {
      this.setDeadline('dormancy', d.id, dormant.get(d.id));
      this.setDeadline('idle', d.id, idleFrom.get(d.id));
    }
  }

  private reindexAttempt(attemptId: string): void {
    this.setDeadline('qr', attemptId, attemptDeadline(this.t.attempts.get(attemptId), this.listQrRefs(attemptId))?.from);
  }

  getAccount(phone: string) { return opt(this.t.accounts.get(phone)); }
  putAccount(account: AccountRecord) {
    this.place('accounts', account.phone, !this.t.accounts.has(account.phone));
    this.setRow('accounts', account.phone, copy(account));
  }
  listAccounts() { return [...this.t.accounts.values()].map(copy); }

  getDevice(id: string) { return opt(this.t.devices.get(id)); }
  putDevice(device: DeviceRecord) {
    const before = this.t.devices.get(device.id);
    this.place('devices', device.id, false);
    this.setRow('devices', device.id, copy(device));
    addTo(this.devicesByPhone, device.phone, device.id);
    if (before && before.phone !== device.phone) this.reindexAccount(before.phone);
    this.reindexAccount(device.phone);
  }
  /**
   * The account's devices in the order they were first stored, through a per-number index: the
   * deadline tick asks this for every account, and a scan of every device made each tick cost
   * accounts x devices (35 s at 10,000 accounts). An id whose row a rollback removed is skipped.
   */
  listDevices(phone: string) {
    const out: DeviceRecord[] = [];
    for (const id of this.devicesByPhone.get(phone) ?? []) {
      const d = this.t.devices.get(id);
      if (d && d.phone === phone) out.push(copy(d));
    }
    return out;
  }

  getDeviceList(phone: string) { return opt(this.t.lists.get(phone)); }
  putDeviceList(list: DeviceListRecord) { this.setRow('lists', list.phone, copy(list)); }

  /** The recipient's queue index; changes to it are undone with the transaction. */
  private queueOf(recipient: string): { seqs: number[]; bytes: number } {
    let q = this.queues.get(recipient);
    if (!q) { q = { seqs: [], bytes: 0 }; this.queues.set(recipient, q); }
    return q;
  }

  private changeQueue(recipient: string, change: (q: { seqs: number[]; bytes: number }) => void): void {
    const q = this.queueOf(recipient);
    if (this.undo) {
      const saved = { seqs: [...q.seqs], bytes: q.bytes };
      this.undo.push(() => { q.seqs = saved.seqs; q.bytes = saved.bytes; });
    }
    change(q);
  }

  enqueue(delivery: Omit<QueuedDelivery, 'seq'>): QueuedDelivery {
    const stored: QueuedDelivery = { ...copy(delivery), seq: this.t.nextSeq++ };
    this.setRow('queue', stored.seq, stored);
    // seqs only grow, so appending keeps the list sorted; the undo log pops it again.
    const q = this.queueOf(stored.recipientDeviceId);
    q.seqs.push(stored.seq);
    q.bytes += Buffer.byteLength(stored.payload);
    this.undo?.push(() => { q.seqs.splice(q.seqs.indexOf(stored.seq), 1); q.bytes -= Buffer.byteLength(stored.payload); });
    this.addUsageFrom(stored.recipientDeviceId, stored.senderDeviceId, 1, Buffer.byteLength(stored.payload));
    return copy(stored);
  }
  pendingFor(recipientDeviceId: string) {
    return this.pendingAfter(recipientDeviceId, 0, Number.MAX_SAFE_INTEGER);
  }
  pendingAfter(recipientDeviceId: string, afterSeq: number, limit: number) {
    const seqs = this.queues.get(recipientDeviceId)?.seqs ?? [];
    const from = firstAbove(seqs, afterSeq);
    return seqs.slice(from, from + Math.max(0, limit)).map((seq) => copy(this.t.queue.get(seq)!));
  }
  ack(recipientDeviceId: string, seq: number) {
    const item = this.t.queue.get(seq);
    if (!item || item.recipientDeviceId !== recipientDeviceId) return false;
    this.deleteRow('queue', seq);
    this.changeQueue(recipientDeviceId, (q) => {
      const at = firstAbove(q.seqs, seq - 1);
      q.seqs.splice(at, 1);
      q.bytes -= Buffer.byteLength(item.payload);
    });
    this.addUsageFrom(recipientDeviceId, item.senderDeviceId, -1, -Buffer.byteLength(item.payload));
    return true;
  }
  dropQueue(recipientDeviceId: string) {
    const seqs = this.queues.get(recipientDeviceId)?.seqs ?? [];
    for (const seq of seqs) this.deleteRow('queue', seq);
    const dropped = seqs.length;
    if (dropped > 0) this.changeQueue(recipientDeviceId, (q) => { q.seqs = []; q.bytes = 0; });
    const bySender = this.usageBySender.get(recipientDeviceId);
    if (bySender) {
      this.usageBySender.delete(recipientDeviceId);
      this.undo?.push(() => this.usageBySender.set(recipientDeviceId, bySender));
    }
    return dropped;
  }
  countPending(recipientDeviceId: string) {
    return this.queues.get(recipientDeviceId)?.seqs.length ?? 0;
  }
  queueUsage(recipientDeviceId: string): QueueUsage {
    const q = this.queues.get(recipientDeviceId);
    return { count: q?.seqs.length ?? 0, bytes: q?.bytes ?? 0 };
  }
  queueUsageFrom(recipientDeviceId: string, senderDeviceId: string): QueueUsage {
    const u = this.usageBySender.get(recipientDeviceId)?.get(senderDeviceId);
    return { count: u?.count ?? 0, bytes: u?.bytes ?? 0 };
  }
  /** Add to (recipient, sender)'s part of the queue; an emptied part is dropped. Undone with the transaction. */
  private addUsageFrom(recipient: string, sender: string, count: number, bytes: number): void {
    let bySender = this.usageBySender.get(recipient);
    if (!bySender) { bySender = new Map(); this.usageBySender.set(recipient, bySender); }
    const u = bySender.get(sender) ?? { count: 0, bytes: 0 };
    const next = { count: u.count + count, bytes: u.bytes + bytes };
    if (next.count > 0) bySender.set(sender, next);
    else bySender.delete(sender);
    const map = bySender;
    this.undo?.push(() => { if (u.count > 0) map.set(sender, u); else map.delete(sender); });
  }

  getQrAttempt(attemptId: string) { return opt(this.t.attempts.get(attemptId)); }
  putQrAttempt(attempt: QrAttemptRecord) {
    this.place('attempts', attempt.attemptId, !this.t.attempts.has(attempt.attemptId));
    this.setRow('attempts', attempt.attemptId, copy(attempt));
    addTo(this.attemptsByCompanion, attempt.companionId, attempt.attemptId);
    this.reindexAttempt(attempt.attemptId);
  }
  listActiveQrAttempts() { return [...this.t.attempts.values()].filter((a) => a.state === 'active').map(copy); }
  listActiveQrAttemptsOf(companionId: string) {
    return this.listActiveQrAttempts().filter((a) => a.companionId === companionId);
  }
  getQrRef(ref: string) { return opt(this.t.refs.get(ref)); }
  putQrRef(ref: QrRefRecord) {
    const before = this.t.refs.get(ref.ref);
    this.setRow('refs', ref.ref, copy(ref));
    addTo(this.refsByAttempt, ref.attemptId, ref.ref);
    if (before && before.attemptId !== ref.attemptId) this.reindexAttempt(before.attemptId);
    this.reindexAttempt(ref.attemptId);
  }
  listQrRefs(attemptId: string) {
    const out: QrRefRecord[] = [];
    for (const id of this.refsByAttempt.get(attemptId) ?? []) {
      const r = this.t.refs.get(id);
      if (r && r.attemptId === attemptId) out.push(r);
    }
    // Stable sort over insertion order: equal indexes keep the order they were first stored in.
    return out.sort((a, b) => a.index - b.index).map(copy);
  }

  getLatestCode(phone: string) {
    // Map iteration order is first-insertion order, so the last match is the latest code.
    let latest: PairingCodeRecord | undefined;
    for (const code of this.t.codes.values()) if (code.phone === phone) latest = code;
    return opt(latest);
  }
  putCode(code: PairingCodeRecord) {
    this.place('codes', code.codeId, !this.t.codes.has(code.codeId));
    this.setRow('codes', code.codeId, copy(code));
    this.setDeadline('code', code.codeId, codeDeadline(code)?.from);
  }
  getCode(codeId: string) { return opt(this.t.codes.get(codeId)); }
  listActiveCodes() { return [...this.t.codes.values()].filter((c) => c.state === 'active').map(copy); }
  getLatestCodeOf(phone: string, companionId: string) {
    let latest: PairingCodeRecord | undefined;
    for (const code of this.t.codes.values()) if (code.phone === phone && code.companionId === companionId) latest = code;
    return opt(latest);
  }
  listActiveCodesOf(phone: string) { return [...this.t.codes.values()].filter((c) => c.phone === phone && c.state === 'active').map(copy); }

  dueDeadlines(kind: DeadlineKind, upTo: number): DeadlineRow[] {
    const rows = this.deadlines.upTo(kind, upTo);
    const sortKey = (key: string): number[] => {
      if (kind === 'code') return [this.rank('codes', key)];
      if (kind === 'qr') return [this.rank('attempts', key)];
      const phone = this.t.devices.get(key)?.phone;
      return [phone === undefined ? Number.MAX_SAFE_INTEGER : this.rank('accounts', phone), this.rank('devices', key)];
    };
    const keyed = rows.map((row) => ({ row, by: sortKey(row.key) }));
    keyed.sort((a, b) => (a.by[0]! - b.by[0]!) || ((a.by[1] ?? 0) - (b.by[1] ?? 0)));
    return keyed.map((k) => k.row);
  }

  getPendingCompanion(id: string) { return opt(this.t.pending.get(id)); }
  putPendingCompanion(companion: PendingCompanionRecord) { this.setRow('pending', companion.id, copy(companion)); }

  listPendingCompanionIds(afterId: string, limit: number) {
    return [...this.t.pending.keys()].filter((id) => id > afterId).sort().slice(0, Math.max(0, limit));
  }
  deletePendingCompanion(id: string) { if (this.t.pending.has(id)) this.deleteRow('pending', id); }
  hasQrAttempts(companionId: string) {
    for (const id of this.attemptsByCompanion.get(companionId) ?? []) if (this.t.attempts.get(id)?.companionId === companionId) return true;
    return false;
  }
  pruneQrAttempts(before: number, limit: number) {
    let pruned = 0;
    for (const attempt of [...this.t.attempts.values()]) {
      if (pruned >= limit) break;
      if (attempt.state === 'active') continue;
      const refs = this.listQrRefs(attempt.attemptId);
      if ((refs.at(-1)?.untilMs ?? attempt.startedAt) >= before) continue;
      for (const r of refs) this.deleteRow('refs', r.ref);
      this.deleteRow('attempts', attempt.attemptId);
      // The side indexes forget it too (restored if the transaction rolls back).
      const id = attempt.attemptId;
      const group = this.refsByAttempt.get(id);
      const ordKey = `attempts\0${id}`;
      const ord = this.order.get(ordKey);
      const mine = this.attemptsByCompanion.get(attempt.companionId);
      this.refsByAttempt.delete(id);
      this.order.delete(ordKey);
      mine?.delete(id);
      this.undo?.push(() => { if (group) this.refsByAttempt.set(id, group); if (ord !== undefined) this.order.set(ordKey, ord); mine?.add(id); });
      pruned++;
    }
    return pruned;
  }

  getMeta(key: string) { return this.t.meta.get(key); }
  setMeta(key: string, value: string) { this.setRow('meta', key, value); }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    // Stored records are never mutated in place (every put stores a fresh copy), so undoing each
    // row change, newest first, restores the exact state - at the cost of the rows changed, not
    // of the tables' sizes (a `send` under load no longer copies the whole backlog).
    const undo: Array<() => void> = [];
    const nextSeq = this.t.nextSeq;
    this.undo = undo;
    this.depth++;
    try {
      return fn();
    } catch (error) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      this.t.nextSeq = nextSeq;
      throw error;
    } finally {
      this.depth--;
      this.undo = undefined;
    }
  }

  close() { /* nothing to release */ }
}

/** Add `id` to the group `key` of a one-to-many index (groups are never removed). */
function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) { ids = new Set(); index.set(key, ids); }
  ids.add(id);
}

/** The index of the first element of ascending `sorted` that is > `value`. */
function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function opt<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
