/**
 * Deadlines: what virtual time can change, and in which order. While an ADVANCE is processed the
 * statechart takes, one microstep at a time, the single earliest deadline reached (now ≥ deadline,
 * so 14 d − 1 ms is still linked and 14 d is not: EXP-01), until none is left; then the clock
 * lands on the target time. Processing in time order makes a long ADVANCE equal to many short ones.
 *
 * Ties at the same instant: primary dormancy first (EXP-01 is a MUST, its reason wins over a
 * companion's own idleness), then companion idleness (EXP-04), then pairing-code expiry, then QR
 * attempt end (PAIR-06, PAIR-04); account A before B, companions c1..c6 (each companion's own
 * code expires on its own).
 */
import { ACCOUNTS, type AccountId, type CompanionId } from './events.js';
import { companionIds, companionOf, qrAttemptEndsAt, type World } from './world.js';

export type Deadline =
  | { readonly kind: 'primary-dormant'; readonly account: AccountId; readonly at: number }
  | { readonly kind: 'companion-idle'; readonly account: AccountId; readonly device: CompanionId; readonly at: number }
  | { readonly kind: 'code-expired'; readonly account: AccountId; readonly device: CompanionId; readonly at: number }
  | { readonly kind: 'qr-ended'; readonly account: AccountId; readonly device: CompanionId; readonly at: number };

const KIND_ORDER: Record<Deadline['kind'], number> = { 'primary-dormant': 0, 'companion-idle': 1, 'code-expired': 2, 'qr-ended': 3 };

/** Every pending deadline, whether reached or not, in processing order. */
export function pendingDeadlines(world: World): Deadline[] {
  const { profile } = world;
  const found: Deadline[] = [];
  for (const account of ACCOUNTS) {
    const a = world.accounts[account];
    const p = a.primary;
    if (a.registered && p && !p.online && !a.dormancyReached && p.offlineSince !== null) {
      found.push({ kind: 'primary-dormant', account, at: p.offlineSince + profile.primaryDormancyMs });
    }
    for (const device of companionIds(account)) {
      const c = companionOf(world, device);
      if (!c) continue;
      if (c.status === 'linked' && !c.online && c.offlineSince !== null) {
        found.push({ kind: 'companion-idle', account, device, at: c.offlineSince + profile.companionIdleMs });
      }
      if (c.code && c.code.state === 'active') {
        found.push({ kind: 'code-expired', account, device, at: c.code.issuedAt + profile.pairingCode.lifetimeMs });
      }
      if (c.linkingBy === 'qr' && c.qr && c.qr.outcome === 'showing') {
        found.push({ kind: 'qr-ended', account, device, at: qrAttemptEndsAt(profile, c.qr) });
      }
    }
  }
  // Stable sort: the push order above already is account A before B, companions c1..c6.
  return found.sort((x, y) => x.at - y.at || KIND_ORDER[x.kind] - KIND_ORDER[y.kind]);
}

/** The deadline the current ADVANCE must process next, or null when the clock can land. */
export function dueDeadline(world: World): Deadline | null {
  if (world.advanceTo === null) return null;
  const first = pendingDeadlines(world)[0];
  return first && first.at <= world.advanceTo ? first : null;
}

