/**
 * The deadline index (storage.ts DeadlineKind): which rows a record calls for - one definition
 * every store uses, so the three stores cannot drift - and the ordered structure MemoryStorage
 * keeps them in. SQLite and PostgreSQL keep the rows in a `deadlines` table indexed on
 * (kind, from_ms) instead.
 */
import type { DeadlineKind, DeadlineRow, DeviceRecord, PairingCodeRecord, QrAttemptRecord, QrRefRecord } from './storage.js';

/** The 'dormancy' and 'idle' rows of one number, from all its devices (any status). */
export function accountDeadlines(devices: readonly DeviceRecord[]): { dormancy: DeadlineRow[]; idle: DeadlineRow[] } {
  const linked = devices.filter((d) => d.status === 'linked');
  const companions = linked.filter((d) => d.role === 'companion' && !d.injected);
  const idle = companions.filter((d) => d.offlineSince !== null).map((d) => ({ key: d.id, from: d.offlineSince! }));
  const dormancy = companions.length === 0 ? [] : linked
    .filter((d) => d.role === 'primary' && d.offlineSince !== null)
    .map((d) => ({ key: d.id, from: d.offlineSince! }));
  return { dormancy, idle };
}

/** The 'code' row of a code, if it is active. */
export function codeDeadline(code: PairingCodeRecord): DeadlineRow | undefined {
  return code.state === 'active' ? { key: code.codeId, from: code.expiresAt } : undefined;
}

/** The 'qr' row of an attempt, given its references by increasing index (listQrRefs order). */
export function attemptDeadline(attempt: QrAttemptRecord | undefined, refs: readonly QrRefRecord[]): DeadlineRow | undefined {
  const current = refs.at(-1);
  return attempt?.state === 'active' && current ? { key: attempt.attemptId, from: current.untilMs } : undefined;
}

/**
 * MemoryStorage's index: per kind, rows sorted by `from` (then key), so "what is due by t" is a
 * binary search and a prefix, never a walk of every row. `set` returns the row it replaced, so
 * a transaction can undo it.
 */
export class SortedDeadlines {
  private readonly rows = new Map<DeadlineKind, Map<string, number>>();
  private readonly sorted = new Map<DeadlineKind, { from: number; key: string }[]>();

  get(kind: DeadlineKind, key: string): number | undefined {
    return this.rows.get(kind)?.get(key);
  }

  /** Put (from defined) or remove (undefined) the row; returns the previous `from`. */
  set(kind: DeadlineKind, key: string, from: number | undefined): number | undefined {
    const rows = this.rows.get(kind) ?? new Map<string, number>();
    this.rows.set(kind, rows);
    const list = this.sorted.get(kind) ?? [];
    this.sorted.set(kind, list);
    const previous = rows.get(key);
    if (previous === from) return previous;
    if (previous !== undefined) {
      list.splice(position(list, previous, key), 1);
      rows.delete(key);
    }
    if (from !== undefined) {
      list.splice(position(list, from, key), 0, { from, key });
      rows.set(key, from);
    }
    return previous;
  }

  /** Every row of `kind` with from <= upTo, by increasing `from`. */
  upTo(kind: DeadlineKind, upTo: number): DeadlineRow[] {
    const list = this.sorted.get(kind) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.from <= upTo) lo = mid + 1; else hi = mid;
    }
    return list.slice(0, lo).map((r) => ({ key: r.key, from: r.from }));
  }
}

/** Where (from, key) is, or would go, in a list sorted by (from, key). */
function position(list: readonly { from: number; key: string }[], from: number, key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid]!;
    if (m.from < from || (m.from === from && m.key < key)) lo = mid + 1; else hi = mid;
  }
  return lo;
}
