/**
 * Virtual time (model/events.ts ADVANCE): every deadline reached is processed, earliest first,
 * with the clock set to that deadline, so that "now >= deadline" holds exactly at the deadline
 * (14 d - 1 ms still linked, 14 d signed out: EXP-01). Deadlines:
 * - a QR reference's window ends: the next reference is shown, or the attempt ends (PAIR-04);
 * - a pairing code's lifetime ends: the code is over, its holder stops linking (PAIR-06);
 * - the primary has been offline primaryDormancyMs: every linked companion is signed out
 *   ('primary-dormant', EXP-01), one server-asserted list version each;
 * - a linked companion has been offline companionIdleMs: it is signed out ('idle', EXP-04).
 * Ties at the same instant: dormancy, then idleness, then codes, then QR references.
 * The deadlines come from the store's index (storage.ts DeadlineKind), never a walk of every account.
 */
import type { DeadlineKind } from '../storage/storage.js';
import { connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, type ServerContext } from './context.js';
import { issueRef } from './linking.js';
import { PRUNE_EVERY_MS, pruneLinking } from './pruning.js';

type Due = { at: number; rank: number; run: () => void };

/** A deadline kind's tie rank (dormancy, idleness, codes, QR references; the retention fault last). */
type Kind = DeadlineKind | 'retention';
const RANK: Record<Kind, number> = { dormancy: 0, idle: 1, code: 2, qr: 3, retention: 4 };

/** One row of the index (or of the retention fault's walk), where it comes in the old scan's order. */
interface Candidate { readonly kind: Kind; readonly key: string; readonly at: number; readonly scan: number }

/**
 * The deadline of index row `key` of `kind` as the records stand NOW, or undefined when it is no
 * deadline (any more): each row is checked exactly as the whole-store scan checked it.
 */
function itemFor(ctx: ServerContext, kind: Kind, key: string): Due | undefined {
  const { storage, profile } = ctx;
  const rank = RANK[kind];
  if (kind === 'code') {
    const code = storage.getCode(key);
    if (code?.state !== 'active') return undefined;
    return { at: code.expiresAt, rank, run: () => {
      storage.putCode({ ...code, state: 'expired' });
      connectionOfCompanion(ctx, code.companionId)?.push({ type: 'code.ended', reason: 'expired' });
    } };
  }
  if (kind === 'qr') {
    const attempt = storage.getQrAttempt(key);
    if (attempt?.state !== 'active') return undefined;
    const current = storage.listQrRefs(attempt.attemptId).at(-1);
    if (!current) return undefined;
    return { at: current.untilMs, rank, run: () => {
      if (current.index + 1 < profile.qr.refCount) {
        issueRef(ctx, attempt, current.index + 1);
      } else {
        storage.putQrAttempt({ ...attempt, state: 'ended' });
        connectionOfCompanion(ctx, attempt.companionId)?.push({ type: 'qr.ended', reason: 'expired' });
      }
    } };
  }
  const device = storage.getDevice(key);
  const account = device ? storage.getAccount(device.phone) : undefined;
  if (!device || !account?.registered || !account.primaryDeviceId) return undefined;
  const phone = account.phone;
  if (kind === 'dormancy') {
    if (account.primaryDeviceId !== key || device.offlineSince === null) return undefined;
    // Faults 'dormancy-early' / 'dormancy-late': the deadline off by one millisecond (EXP-01).
    const skew = dormancySkew(ctx);
    // Fault 'dormancy-spares-offline-companions': the sweep walks the sessions it holds (EXP-01).
    const sweep = () => linkedCompanions(ctx, phone).filter((c) => !ctx.faults.has('dormancy-spares-offline-companions') || connectionOfDevice(ctx, c.id));
    if (sweep().length === 0) return undefined;
    const at = device.offlineSince + profile.primaryDormancyMs + skew;
    return { at, rank, run: () => {
      // Re-read under the account's lock: on a cluster the primary may have reconnected on
      // another node since the deadlines were read (EXP-02 wins over EXP-01 if it came first).
      storage.lockAccount?.(phone);
      const still = storage.getDevice(key);
      if (!still || still.offlineSince === null || still.offlineSince + profile.primaryDormancyMs + skew > at) return;
      for (const c of sweep()) signOutCompanion(ctx, c, 'primary-dormant');
    } };
  }
  if (kind === 'idle') {
    const c = device;
    if (c.status !== 'linked' || c.role !== 'companion' || c.injected || c.offlineSince === null) return undefined;
    return { at: c.offlineSince + profile.companionIdleMs, rank, run: () => {
      storage.lockAccount?.(phone);
      const now = storage.getDevice(c.id);
      if (now?.status === 'linked' && now.offlineSince !== null && now.offlineSince <= c.offlineSince!) signOutCompanion(ctx, now, 'idle');
    } };
  }
  // 'retention' (fault 'queue-expires-after-14-days'): what waited 14 days for an offline device is dropped (OFF-02).
  if (device.status !== 'linked' || device.offlineSince === null || storage.countPending(key) === 0) return undefined;
  return { at: device.offlineSince + profile.primaryDormancyMs, rank, run: () => { storage.dropQueue(key); } };
}

function dormancySkew(ctx: ServerContext): number {
  return ctx.faults.has('dormancy-early') ? -1 : ctx.faults.has('dormancy-late') ? 1 : 0;
}

/**
 * Every candidate deadline reached by `target`, read ONCE per advance from the store's deadline
 * index (storage.ts DeadlineKind) - only the rows due, so a tick costs what is due, not the
 * number of accounts (a whole-store scan cost 0.78 s per tick at 10,000 accounts, 3.5 s at
 * 50,000: issue 10). `scan` is the row's place in the old whole-store scan's order (accounts,
 * then their devices; codes; attempts), which breaks ties within a rank as before.
 */
function candidates(ctx: ServerContext, target: number): Candidate[] {
  const { storage, profile } = ctx;
  const out: Candidate[] = [];
  const add = (kind: Kind, offset: number) => {
    storage.dueDeadlines(kind as DeadlineKind, target - offset).forEach((row, scan) => out.push({ kind, key: row.key, at: row.from + offset, scan }));
  };
  add('dormancy', profile.primaryDormancyMs + dormancySkew(ctx));
  // Fault 'idle-never-signed-out': idleness is never a deadline (EXP-04).
  if (!ctx.faults.has('idle-never-signed-out')) add('idle', profile.companionIdleMs);
  add('code', 0);
  add('qr', 0);
  // Fault 'queue-expires-after-14-days': a known-bad variant only; it keeps the whole-store walk it needs.
  if (ctx.faults.has('queue-expires-after-14-days')) {
    let scan = 0;
    for (const account of storage.listAccounts()) {
      if (!account.registered || !account.primaryDeviceId) continue;
      for (const d of linkedDevices(ctx, account.phone)) {
        if (d.offlineSince !== null) out.push({ kind: 'retention', key: d.id, at: d.offlineSince + profile.primaryDormancyMs, scan: scan++ });
      }
    }
  }
  return out;
}

/**
 * Move the clock forward by `ms`, processing every deadline reached on the way: each round the
 * earliest (a deadline already past counts as now), ties by rank, then in the old scan's order.
 * The candidates are read once and re-checked against the records when their turn comes (a
 * round only ends deadlines - a sign-out ends its account's others - except a QR rotation,
 * whose attempt's next window is put back among them), so a burst of K deadlines due at once
 * (a server back after downtime) costs K checks, not K rounds of re-reading every due row.
 */
export function advance(ctx: ServerContext, ms: number): void {
  const from = ctx.clock.now();
  const target = from + ms;
  // A deadline already past at the start counts as now: those go first, by rank, then scan order.
  const order = (c: Candidate) => [Math.max(c.at, from), RANK[c.kind], c.scan];
  const before = (a: Candidate, b: Candidate) => {
    const x = order(a);
    const y = order(b);
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  };
  const queue = candidates(ctx, target).filter((c) => c.at <= target).sort(before);
  for (let i = 0; i < queue.length; i++) {
    const candidate = queue[i]!;
    const item = itemFor(ctx, candidate.kind, candidate.key);
    if (!item || item.at > target) continue;
    ctx.clock.set(Math.max(ctx.clock.now(), item.at));
    ctx.storage.transaction(item.run);
    if (candidate.kind !== 'qr') continue;
    // The attempt showed its next reference: its next window is a deadline too.
    const next = itemFor(ctx, 'qr', candidate.key);
    if (!next || next.at > target) continue;
    const again: Candidate = { ...candidate, at: next.at };
    let at = i + 1;
    while (at < queue.length && before(queue[at]!, again) <= 0) at++;
    queue.splice(at, 0, again);
  }
  ctx.clock.set(target);
  ctx.storage.setMeta('clock', String(target));
  // Once a virtual day, forget linking records that can no longer matter (pruning.ts).
  if (Math.floor(target / PRUNE_EVERY_MS) > Math.floor(from / PRUNE_EVERY_MS)) pruneLinking(ctx);
}
