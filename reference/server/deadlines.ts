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
import { connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, type ServerContext } from './context.js';
import { issueRef } from './linking.js';
import { PRUNE_EVERY_MS, pruneLinking } from './pruning.js';

type Due = { at: number; rank: number; run: () => void };

/**
 * Every deadline reached by `target`, built from the store's deadline index (storage.ts
 * DeadlineKind) - only the rows due, so a tick costs what is due, not the number of accounts (a
 * whole-store scan cost 0.78 s per tick at 10,000 accounts, 3.5 s at 50,000: issue 10). Each row
 * is re-checked against the records exactly as the whole-store scan checked them, and the items
 * come in the scan's order (accounts, then their devices; codes; attempts), so the choice below
 * is unchanged.
 */
function dueItems(ctx: ServerContext, target: number): Due[] {
  const { storage, profile } = ctx;
  const due: Due[] = [];
  // Faults 'dormancy-early' / 'dormancy-late': the deadline off by one millisecond (EXP-01).
  const skew = ctx.faults.has('dormancy-early') ? -1 : ctx.faults.has('dormancy-late') ? 1 : 0;
  const accountOf = (deviceId: string) => {
    const device = storage.getDevice(deviceId);
    const account = device ? storage.getAccount(device.phone) : undefined;
    return device && account?.registered && account.primaryDeviceId ? { device, account } : undefined;
  };
  for (const row of storage.dueDeadlines('dormancy', target - profile.primaryDormancyMs - skew)) {
    const found = accountOf(row.key);
    if (!found || found.account.primaryDeviceId !== row.key) continue;
    const { account, device: primary } = found;
    // Fault 'dormancy-spares-offline-companions': the sweep walks the sessions it holds (EXP-01).
    const sweep = () => linkedCompanions(ctx, account.phone).filter((c) => !ctx.faults.has('dormancy-spares-offline-companions') || connectionOfDevice(ctx, c.id));
    if (primary.offlineSince === null || sweep().length === 0) continue;
    const at = primary.offlineSince + profile.primaryDormancyMs + skew;
    due.push({ at, rank: 0, run: () => {
      // Re-read under the account's lock: on a cluster the primary may have reconnected on
      // another node since the deadlines were read (EXP-02 wins over EXP-01 if it came first).
      storage.lockAccount?.(account.phone);
      const still = storage.getDevice(primary.id);
      if (!still || still.offlineSince === null || still.offlineSince + profile.primaryDormancyMs + skew > at) return;
      for (const c of sweep()) signOutCompanion(ctx, c, 'primary-dormant');
    } });
  }
  // Fault 'idle-never-signed-out': idleness is never a deadline (EXP-04).
  const idleRows = ctx.faults.has('idle-never-signed-out') ? [] : storage.dueDeadlines('idle', target - profile.companionIdleMs);
  for (const row of idleRows) {
    const found = accountOf(row.key);
    const c = found?.device;
    if (!found || !c || c.status !== 'linked' || c.role !== 'companion' || c.injected || c.offlineSince === null) continue;
    const phone = found.account.phone;
    due.push({ at: c.offlineSince + profile.companionIdleMs, rank: 1, run: () => {
      storage.lockAccount?.(phone);
      const now = storage.getDevice(c.id);
      if (now?.status === 'linked' && now.offlineSince !== null && now.offlineSince <= c.offlineSince!) signOutCompanion(ctx, now, 'idle');
    } });
  }
  // Fault 'queue-expires-after-14-days': a retention sweep drops what waited 14 days for an
  // offline device (OFF-02). A known-bad variant only: it keeps the whole-store walk it needs.
  if (ctx.faults.has('queue-expires-after-14-days')) {
    for (const account of storage.listAccounts()) {
      if (!account.registered || !account.primaryDeviceId) continue;
      for (const d of linkedDevices(ctx, account.phone)) {
        if (d.offlineSince === null || storage.countPending(d.id) === 0) continue;
        due.push({ at: d.offlineSince + profile.primaryDormancyMs, rank: 4, run: () => { storage.dropQueue(d.id); } });
      }
    }
  }
  for (const row of storage.dueDeadlines('code', target)) {
    const code = storage.getCode(row.key);
    if (code?.state !== 'active') continue;
    due.push({ at: code.expiresAt, rank: 2, run: () => {
      storage.putCode({ ...code, state: 'expired' });
      connectionOfCompanion(ctx, code.companionId)?.push({ type: 'code.ended', reason: 'expired' });
    } });
  }
  for (const row of storage.dueDeadlines('qr', target)) {
    const attempt = storage.getQrAttempt(row.key);
    if (attempt?.state !== 'active') continue;
    const current = storage.listQrRefs(attempt.attemptId).at(-1);
    if (!current) continue;
    due.push({ at: current.untilMs, rank: 3, run: () => {
      if (current.index + 1 < profile.qr.refCount) {
        issueRef(ctx, attempt, current.index + 1);
      } else {
        storage.putQrAttempt({ ...attempt, state: 'ended' });
        connectionOfCompanion(ctx, attempt.companionId)?.push({ type: 'qr.ended', reason: 'expired' });
      }
    } });
  }
  return due;
}

/** Move the clock forward by `ms`, processing every deadline reached on the way. */
export function advance(ctx: ServerContext, ms: number): void {
  const from = ctx.clock.now();
  const target = from + ms;
  for (;;) {
    const due = dueItems(ctx, target).filter((d) => d.at <= target);
    if (due.length === 0) break;
    const at = Math.max(ctx.clock.now(), Math.min(...due.map((d) => d.at)));
    ctx.clock.set(at);
    // Only the earliest item runs each round: it may change what is due next.
    const first = due.filter((d) => Math.max(d.at, at) === at).sort((a, b) => a.rank - b.rank)[0];
    ctx.storage.transaction(first.run);
  }
  ctx.clock.set(target);
  ctx.storage.setMeta('clock', String(target));
  // Once a virtual day, forget linking records that can no longer matter (pruning.ts).
  if (Math.floor(target / PRUNE_EVERY_MS) > Math.floor(from / PRUNE_EVERY_MS)) pruneLinking(ctx);
}
