/**
 * The normalising serializer of the exhaustive check: two worlds get the same key when they
 * behave the same under every future event of the search's alphabet, up to renaming companions
 * the alphabet treats alike. It is the abstraction that keeps the search finite and small:
 * - time is relative: only the elapsed time of each *running* window is kept (QR attempt, code
 *   lifetime, primary dormancy, companion idleness); the absolute clock and finished windows go;
 * - companions of a symmetry group are interchangeable: their records are sorted, so A.c1 linked
 *   + A.c2 idle and A.c1 idle + A.c2 linked are one state (each companion's own pairing code is
 *   part of its record); "filler" companions, which only link by QR and get unlinked, count by status class;
 * - what no guard ever reads is dropped: device-list versions (compared by change, per step),
 *   notices and sign-out reasons (checked per step by the step invariants), a finished QR
 *   attempt beyond the refusal a replay of its photo would get.
 * Sound for the invariants of invariants.ts: they are symmetric in companion names, and those
 * about versions, notices and messages of fillers are step invariants, checked on every step.
 */
import { ACCOUNTS, COMPANION_SLOTS, type AccountId, type CompanionSlot } from './events.js';
import type { CompanionState, DeviceState, World } from './world.js';

export interface KeySpec {
  /** Groups of slots the alphabet treats alike: full records, sorted within a group. */
  readonly groups: readonly (readonly CompanionSlot[])[];
  /** Slots that only link by QR and are unlinked: kept as available / linking / linked. */
  readonly fillers: readonly CompanionSlot[];
}

export const ALL_SLOTS_SYMMETRIC: KeySpec = { groups: [COMPANION_SLOTS], fillers: [] };

function deviceKey(w: World, d: DeviceState, windowRunning: boolean): string {
  const elapsed = windowRunning && d.offlineSince !== null ? w.now - d.offlineSince : '-';
  const status = d.status === 'signed-out' ? 'out' : d.status;
  return [status, d.online ? 1 : 0, d.messages.join('.'), d.pendingMessages.join('.'), elapsed].join(',');
}

/** A code answers by its state only once spent (used and cancelled alike: CODE_INVALID). */
function codeKey(w: World, c: CompanionState): string {
  const code = c.code;
  return !code ? 'nocode'
    : code.state === 'active' ? `active:${code.attempts}:${w.now - code.issuedAt}`
      : code.state === 'cancelled' ? 'used' : code.state;
}

function companionKey(w: World, c: CompanionState): string {
  // Once an attempt is over, a replay of its photo can only be refused QR_USED or QR_EXPIRED.
  const qr = !c.qr ? 'noqr'
    : c.qr.outcome === 'showing' ? `qr@${w.now - c.qr.startedAt}`
      : c.qr.outcome === 'cancelled' || (c.qr.outcome === 'used' && c.qr.usedRef === 0) ? 'qr:used' : 'qr:expired';
  const running = c.status === 'linked' && !c.online;
  return `${deviceKey(w, c, running)}|${c.linkingBy ?? ''}|${qr}|${codeKey(w, c)}`;
}

/** A filler's class: fillers of one class are interchangeable (the alphabet tries one of each). */
export function fillerKey(w: World, c: CompanionState | undefined): string {
  if (!c || c.status === 'idle' || c.status === 'signed-out') return 'a';
  if (c.status === 'linking') return c.linkingBy === 'qr' ? `q@${w.now - c.qr!.startedAt}` : 'c';
  return `l${c.online ? '' : '-'}`;
}

function accountKey(w: World, account: AccountId, spec: KeySpec): string {
  const a = w.accounts[account];
  const primary = a.primary ? deviceKey(w, a.primary, a.registered && !a.primary.online && !a.dormancyReached) : 'none';
  const groups = spec.groups.map((group) => group.map((slot) => {
    const c = a.companions[slot];
    return c ? companionKey(w, c) : '-';
  }).sort().join('/'));
  const fillers = spec.fillers.map((slot) => fillerKey(w, a.companions[slot])).sort().join('');
  return [a.registered ? 'R' : 'U', a.idCheck ? 'id' : '', a.dormancyReached ? 'dormant' : '', primary, fillers, ...groups].join(';');
}

/** The key of a world plus the search's own bounded counters (messages sent, long time steps). */
export function stateKey(world: World, counters: string, spec: KeySpec = ALL_SLOTS_SYMMETRIC): string {
  return `${counters}#${ACCOUNTS.map((a) => accountKey(world, a, spec)).join('#')}`;
}
