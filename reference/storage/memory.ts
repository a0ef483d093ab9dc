/**
 * In-memory Storage (storage.ts): the default for tests and the in-process adapter. A restart
 * of the server reuses the same MemoryStorage object, so nothing acknowledged is lost (RESTART).
 * Records are deep-copied in and out (structuredClone) so no caller can mutate stored state;
 * `transaction` snapshots the maps and restores them if `fn` throws.
 */
import type {
  AccountRecord, DeviceListRecord, DeviceRecord, PairingCodeRecord, PendingCompanionRecord,
  QrAttemptRecord, QrRefRecord, QueuedDelivery, Storage,
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
  private depth = 0;
  /** In a transaction: each table as it was before its first change (copy on first write). */
  private undo: Partial<Tables> | undefined;

  /** The table to change; inside a transaction its rows are copied once first, for a rollback. */
  private touch<K extends TableName>(name: K): Tables[K] {
    if (this.undo && !(name in this.undo)) (this.undo as Record<K, Tables[K]>)[name] = new Map(this.t[name] as Map<unknown, unknown>) as Tables[K];
    return this.t[name];
  }

  getAccount(phone: string) { return opt(this.t.accounts.get(phone)); }
  putAccount(account: AccountRecord) { this.touch('accounts').set(account.phone, copy(account)); }
  listAccounts() { return [...this.t.accounts.values()].map(copy); }

  getDevice(id: string) { return opt(this.t.devices.get(id)); }
  putDevice(device: DeviceRecord) { this.touch('devices').set(device.id, copy(device)); }
  listDevices(phone: string) { return [...this.t.devices.values()].filter((d) => d.phone === phone).map(copy); }

  getDeviceList(phone: string) { return opt(this.t.lists.get(phone)); }
  putDeviceList(list: DeviceListRecord) { this.touch('lists').set(list.phone, copy(list)); }

  enqueue(delivery: Omit<QueuedDelivery, 'seq'>): QueuedDelivery {
    const stored: QueuedDelivery = { ...copy(delivery), seq: this.t.nextSeq++ };
    this.touch('queue').set(stored.seq, stored);
    return copy(stored);
  }
  pendingFor(recipientDeviceId: string) {
    return [...this.t.queue.values()].filter((d) => d.recipientDeviceId === recipientDeviceId)
      .sort((a, b) => a.seq - b.seq).map(copy);
  }
  ack(recipientDeviceId: string, seq: number) {
    const item = this.t.queue.get(seq);
    if (!item || item.recipientDeviceId !== recipientDeviceId) return false;
    this.touch('queue').delete(seq);
    return true;
  }
  dropQueue(recipientDeviceId: string) {
    let dropped = 0;
    for (const [seq, item] of this.t.queue) {
      if (item.recipientDeviceId === recipientDeviceId) { this.touch('queue').delete(seq); dropped++; }
    }
    return dropped;
  }
  countPending(recipientDeviceId: string) {
    let n = 0;
    for (const item of this.t.queue.values()) if (item.recipientDeviceId === recipientDeviceId) n++;
    return n;
  }

  getQrAttempt(attemptId: string) { return opt(this.t.attempts.get(attemptId)); }
  putQrAttempt(attempt: QrAttemptRecord) { this.touch('attempts').set(attempt.attemptId, copy(attempt)); }
  listActiveQrAttempts() { return [...this.t.attempts.values()].filter((a) => a.state === 'active').map(copy); }
  listActiveQrAttemptsOf(companionId: string) {
    return this.listActiveQrAttempts().filter((a) => a.companionId === companionId);
  }
  getQrRef(ref: string) { return opt(this.t.refs.get(ref)); }
  putQrRef(ref: QrRefRecord) { this.touch('refs').set(ref.ref, copy(ref)); }
  listQrRefs(attemptId: string) {
    return [...this.t.refs.values()].filter((r) => r.attemptId === attemptId).sort((a, b) => a.index - b.index).map(copy);
  }

  getLatestCode(phone: string) {
    // Map iteration order is first-insertion order, so the last match is the latest code.
    let latest: PairingCodeRecord | undefined;
    for (const code of this.t.codes.values()) if (code.phone === phone) latest = code;
    return opt(latest);
  }
  putCode(code: PairingCodeRecord) { this.touch('codes').set(code.codeId, copy(code)); }
  listActiveCodes() { return [...this.t.codes.values()].filter((c) => c.state === 'active').map(copy); }

  getPendingCompanion(id: string) { return opt(this.t.pending.get(id)); }
  putPendingCompanion(companion: PendingCompanionRecord) { this.touch('pending').set(companion.id, copy(companion)); }

  getMeta(key: string) { return this.t.meta.get(key); }
  setMeta(key: string, value: string) { this.touch('meta').set(key, value); }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    // Stored records are never mutated in place (every put stores a fresh copy), so copying a
    // table's map, not its records, and only when the transaction first changes it, is a complete
    // snapshot - a `send` copies the queue alone, not every table.
    const undo: Partial<Tables> = { nextSeq: this.t.nextSeq };
    this.undo = undo;
    this.depth++;
    try {
      return fn();
    } catch (error) {
      this.t = { ...this.t, ...undo };
      throw error;
    } finally {
      this.depth--;
      this.undo = undefined;
    }
  }

  close() { /* nothing to release */ }
}

function opt<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
