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
 */
import { connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, type ServerContext } from './context.js';
import { issueRef } from './linking.js';

type Due = { at: number; rank: number; run: () => void };

function dueItems(ctx: ServerContext): Due[] {
  const { storage, profile } = ctx;
  const due: Due[] = [];
  for (const account of storage.listAccounts()) {
    if (!account.registered || !account.primaryDeviceId) continue;
    const primary = storage.getDevice(account.primaryDeviceId);
    const companions = linkedCompanions(ctx, account.phone);
    // Fault 'dormancy-spares-offline-companions': the sweep walks the sessions it holds (EXP-01).
    const sweep = () => linkedCompanions(ctx, account.phone).filter((c) => !ctx.faults.has('dormancy-spares-offline-companions') || connectionOfDevice(ctx, c.id));
    if (primary && primary.offlineSince !== null && sweep().length > 0) {
      // Faults 'dormancy-early' / 'dormancy-late': the deadline off by one millisecond (EXP-01).
      const skew = ctx.faults.has('dormancy-early') ? -1 : ctx.faults.has('dormancy-late') ? 1 : 0;
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
    for (const c of companions) {
      // Fault 'idle-never-signed-out': idleness is never a deadline (EXP-04).
      if (c.offlineSince !== null && !ctx.faults.has('idle-never-signed-out')) {
        due.push({ at: c.offlineSince + profile.companionIdleMs, rank: 1, run: () => {
          storage.lockAccount?.(account.phone);
          const now = storage.getDevice(c.id);
          if (now?.status === 'linked' && now.offlineSince !== null && now.offlineSince <= c.offlineSince!) signOutCompanion(ctx, now, 'idle');
        } });
      }
    }
    // Fault 'queue-expires-after-14-days': a retention sweep drops what waited 14 days for an offline device (OFF-02).
    if (ctx.faults.has('queue-expires-after-14-days')) {
      for (const d of linkedDevices(ctx, account.phone)) {
        if (d.offlineSince === null || storage.countPending(d.id) === 0) continue;
        due.push({ at: d.offlineSince + profile.primaryDormancyMs, rank: 4, run: () => { storage.dropQueue(d.id); } });
      }
    }
  }
  for (const code of storage.listActiveCodes()) {
    due.push({ at: code.expiresAt, rank: 2, run: () => {
      storage.putCode({ ...code, state: 'expired' });
      connectionOfCompanion(ctx, code.companionId)?.push({ type: 'code.ended', reason: 'expired' });
    } });
  }
  for (const attempt of storage.listActiveQrAttempts()) {
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
  const target = ctx.clock.now() + ms;
  for (;;) {
    const due = dueItems(ctx).filter((d) => d.at <= target);
    if (due.length === 0) break;
    const at = Math.max(ctx.clock.now(), Math.min(...due.map((d) => d.at)));
    ctx.clock.set(at);
    // Only the earliest item runs each round: it may change what is due next.
    const first = due.filter((d) => Math.max(d.at, at) === at).sort((a, b) => a.rank - b.rank)[0];
    ctx.storage.transaction(first.run);
  }
  ctx.clock.set(target);
  ctx.storage.setMeta('clock', String(target));
}
