/**
 * Named invariants of the model, each citing the requirement IDs it protects. A state invariant
 * holds in every reachable state; a step invariant holds across every step (the world before, the
 * event, the world after). The exhaustive check (explore.ts) evaluates all of them everywhere it
 * goes; a violation comes back with the shortest event path that shows it.
 */
import { ACCOUNTS, accountOf, isPrimaryId, otherAccount, primaryOf, type AccountId, type CompanionId, type DeviceId, type LinkEvent } from './events.js';
import type { OperationErrorCode } from './errors.js';
import type { RequirementId } from './requirements.js';
import { qrAttemptMs } from './profile.js';
import { accountOfEvent, companionIds, companionOf, deviceOf, linkedCompanions, linkedDevices, type World } from './world.js';

export interface ModelState {
  readonly world: World;
  /** Active state node ids, as the oracle reports them. */
  readonly states: readonly string[];
}

/** Null when the invariant holds; otherwise what is wrong, in words. */
type Verdict = string | null;

export interface StateInvariant {
  readonly kind: 'state';
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly RequirementId[];
  check(s: ModelState): Verdict;
}

export interface StepInvariant {
  readonly kind: 'step';
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly RequirementId[];
  check(before: ModelState, event: LinkEvent, after: ModelState): Verdict;
}

export type Invariant = StateInvariant | StepInvariant;

// Worlds are never mutated (worldEffects.ts copies), so what is derived from one can be kept
// with it: the exhaustive check asks the same world these questions many times.
const devicesCache = new WeakMap<World, DeviceId[]>();
const allDevices = (w: World): DeviceId[] => {
  let ids = devicesCache.get(w);
  if (!ids) {
    ids = ACCOUNTS.flatMap((a) => [primaryOf(a) as DeviceId, ...companionIds(a)]).filter((d) => deviceOf(w, d) !== undefined);
    devicesCache.set(w, ids);
  }
  return ids;
};
const linkedCache = new WeakMap<World, Record<AccountId, CompanionId[]>>();
const linkedOf = (w: World, a: AccountId): CompanionId[] => {
  let linked = linkedCache.get(w);
  if (!linked) {
    linked = { A: linkedCompanions(w, 'A'), B: linkedCompanions(w, 'B') };
    linkedCache.set(w, linked);
  }
  return linked[a];
};
/** The step left every account untouched (refusals, RESTART, most ADVANCEs): no device changed. */
const untouched = (before: ModelState, after: ModelState) => before.world.accounts === after.world.accounts;

function firstFailing<T>(items: readonly T[], test: (item: T) => Verdict): Verdict {
  for (const item of items) { const v = test(item); if (v) return v; }
  return null;
}

const perAccount = (test: (a: AccountId) => Verdict) => firstFailing(ACCOUNTS, test);

/** Steps that legitimately give a companion a fresh start (no messages, no notices). */
function restartsDevice(event: LinkEvent, after: World, device: DeviceId): boolean {
  if (!after.result.ok) return false;
  if ((event.type === 'SHOW_QR' || event.type === 'REQUEST_CODE') && event.device === device) return true;
  if ((event.type === 'REGISTER' || event.type === 'REREGISTER') && device === primaryOf(event.account)) return true;
  return false;
}

const isPrefix = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((x, i) => b[i] === x);

export const STATE_INVARIANTS: readonly StateInvariant[] = [
  { kind: 'state', id: 'limit', title: 'Never more than maxCompanions companions linked', requirements: ['LIMIT-01'],
    check: ({ world }) => perAccount((a) => {
      const n = linkedCompanions(world, a).length;
      return n > world.profile.maxCompanions ? `${a} has ${n} linked companions` : null;
    }) },
  { kind: 'state', id: 'dormant-none-linked', title: 'No companion is linked once the primary dormancy reached the limit', requirements: ['EXP-01', 'EXP-03'],
    check: ({ world }) => perAccount((a) =>
      world.accounts[a].dormancyReached && linkedCompanions(world, a).length > 0 ? `${a} is dormant with ${linkedCompanions(world, a).join(', ')} linked` : null) },
  { kind: 'state', id: 'unregistered-none-linked', title: 'An account without a registered primary has no linked companion', requirements: ['LIFE-01', 'AUTH-01'],
    check: ({ world }) => perAccount((a) =>
      !world.accounts[a].registered && linkedCompanions(world, a).length > 0 ? `${a} is unregistered with ${linkedCompanions(world, a).join(', ')} linked` : null) },
  { kind: 'state', id: 'signed-out-nothing-queued', title: 'Nothing is queued for a signed-out device', requirements: ['E2E-03', 'EXP-03'],
    check: ({ world }) => firstFailing(allDevices(world), (d) => {
      const s = deviceOf(world, d)!;
      return s.status === 'signed-out' && (s.pendingMessages.length > 0 || s.pendingNotices.length > 0) ? `${d} is signed out with deliveries queued` : null;
    }) },
  { kind: 'state', id: 'only-linked-queued', title: 'Only linked devices have deliveries queued', requirements: ['E2E-02', 'AUTH-02'],
    check: ({ world }) => firstFailing(allDevices(world), (d) => {
      const s = deviceOf(world, d)!;
      return s.status !== 'linked' && s.pendingMessages.length > 0 ? `${d} is ${s.status} with messages queued` : null;
    }) },
  { kind: 'state', id: 'online-nothing-queued', title: 'An online device has nothing waiting: queues are for offline devices only', requirements: ['OFF-02'],
    check: ({ world }) => firstFailing(allDevices(world), (d) => {
      const s = deviceOf(world, d)!;
      return s.online && (s.pendingMessages.length > 0 || s.pendingNotices.length > 0) ? `${d} is online with deliveries queued` : null;
    }) },
  { kind: 'state', id: 'each-message-once', title: 'A device holds (or waits for) each message at most once', requirements: ['OFF-02'],
    check: ({ world }) => firstFailing(allDevices(world), (d) => {
      const s = deviceOf(world, d)!;
      const all = [...s.messages, ...s.pendingMessages];
      return new Set(all).size !== all.length ? `${d} holds a message twice: ${all.join(' ')}` : null;
    }) },
  { kind: 'state', id: 'no-overdue-deadline', title: 'After every step, no deadline is left unprocessed', requirements: ['EXP-01', 'EXP-04', 'PAIR-04', 'PAIR-06'],
    check: ({ world }) => perAccount((a) => {
      const acc = world.accounts[a];
      const p = world.profile;
      const since = (t: number | null) => (t === null ? 0 : world.now - t);
      if (acc.registered && acc.primary && !acc.primary.online && !acc.dormancyReached && since(acc.primary.offlineSince) >= p.primaryDormancyMs) {
        return `${a}'s primary is past its dormancy limit with companions not signed out`;
      }
      return firstFailing(companionIds(a), (id) => {
        const c = world.accounts[a].companions[id.slice(2) as 'c1'];
        if (!c) return null;
        if (c.code?.state === 'active' && world.now - c.code.issuedAt >= p.pairingCode.lifetimeMs) return `${id}'s code outlived its lifetime`;
        if (c.status === 'linked' && !c.online && since(c.offlineSince) >= p.companionIdleMs) return `${id} is past its idleness limit and still linked`;
        if (c.linkingBy === 'qr' && c.qr && world.now - c.qr.startedAt >= qrAttemptMs(p)) return `${id} still shows a QR after its attempt ended`;
        return null;
      });
    }) },
  { kind: 'state', id: 'code-attempts-bounded', title: 'An active pairing code has had fewer than maxAttempts wrong entries', requirements: ['PAIR-06'],
    check: ({ world }) => perAccount((a) => firstFailing(companionIds(a), (id) => {
      const code = companionOf(world, id)?.code;
      return code?.state === 'active' && code.attempts >= world.profile.pairingCode.maxAttempts ? `${id}'s code is active after ${code.attempts} wrong entries` : null;
    })) },
  { kind: 'state', id: 'chart-mirrors-world', title: "The statechart's state nodes agree with the world: registration, primary connectivity, dormancy", requirements: ['LIFE-01', 'EXP-01', 'EXP-02'],
    check: ({ world, states }) => perAccount((a) => {
      const acc = world.accounts[a];
      const expected = !acc.registered ? `${a}.unregistered`
        : acc.primary!.online ? `${a}.registered.primaryOnline`
          : acc.dormancyReached ? `${a}.registered.primaryDormant` : `${a}.registered.primaryOffline`;
      return states.includes(expected) ? null : `${a} should be in ${expected}, the chart is in ${states.filter((s) => s.startsWith(`${a}.`)).join(', ')}`;
    }) },
];

export const STEP_INVARIANTS: readonly StepInvariant[] = [
  { kind: 'step', id: 'version-increases-on-device-change', title: "Every change to an account's device list increases its version; the version never decreases", requirements: ['LIFE-02'],
    check: (before, event, after) => (untouched(before, after) && event.type !== 'REREGISTER' ? null : perAccount((a) => {
      const v0 = before.world.accounts[a].version;
      const v1 = after.world.accounts[a].version;
      if (v1 < v0) return `${a}'s version went down`;
      const changed = before.world.accounts[a].registered !== after.world.accounts[a].registered || linkedOf(before.world, a).join() !== linkedOf(after.world, a).join()
        || (event.type === 'REREGISTER' && event.account === a && after.world.result.ok);
      return changed && v1 <= v0 ? `${a}'s device list changed but its version stayed ${v0}` : null;
    })) },
  { kind: 'step', id: 'only-primary-approved-linked', title: "A companion becomes linked only by an accepted approval of its account's online primary, ID check passed, QR untampered", requirements: ['AUTH-01', 'PAIR-02', 'PAIR-05', 'PAIR-07'],
    check: (before, event, after) => (untouched(before, after) ? null : perAccount((a) => {
      const newly = linkedOf(after.world, a).filter((d) => !linkedOf(before.world, a).includes(d));
      if (newly.length === 0) return null;
      const w = before.world;
      const acc = w.accounts[a];
      const why = `${newly.join(', ')} became linked on ${event.type}`;
      if (newly.length > 1 || !after.world.result.ok) return why;
      if (event.type !== 'SCAN_QR' && event.type !== 'ENTER_CODE') return why;
      if (event.by !== primaryOf(a) || !acc.registered || !acc.primary?.online) return `${why}, not approved by ${a}'s online primary`;
      if (acc.idCheck && event.idCheck === 'fail') return `${why} although the ID check failed`;
      if (event.type === 'SCAN_QR' && (event.tamper !== 'none' || newly[0] !== event.device)) return `${why} from a tampered or foreign QR`;
      if (event.type === 'ENTER_CODE' && (!event.correct || event.device !== newly[0] || companionOf(w, newly[0]!)?.code?.state !== 'active')) return `${why} with a wrong code`;
      return null;
    })) },
  { kind: 'step', id: 'refusal-changes-nothing', title: 'A refused step changes nothing (except the wrong-code counter and what it exhausts)', requirements: ['LIMIT-01', 'PAIR-03', 'PAIR-05', 'PAIR-07', 'AUTH-01', 'AUTH-03'],
    check: (before, _event, after) => {
      if (after.world.result.ok) return null;
      const w0 = before.world;
      const w1 = after.world;
      // Most refusals copy nothing but the result: the same accounts object means nothing changed.
      if (w1.accounts === w0.accounts && w1.now === w0.now && w1.advanceTo === w0.advanceTo && w1.profile === w0.profile) return null;
      const strip = (w: World, keepCode: boolean) => JSON.stringify({ ...w, result: null, trace: null, accounts: keepCode ? w.accounts : ACCOUNTS.map((a) => ({ ...w.accounts[a], companions: Object.fromEntries(Object.entries(w.accounts[a].companions).map(([k, c]) => [k, { ...c, code: null, status: c!.status === 'linking' ? 'idle' : c!.status, linkingBy: null }])) })) });
      const codeInvalid = !after.world.result.ok && after.world.result.code === 'CODE_INVALID';
      return strip(before.world, !codeInvalid) === strip(after.world, !codeInvalid) ? null : `refused ${after.world.result.code} yet the world changed`;
    } },
  { kind: 'step', id: 'signed-out-receives-nothing', title: "A signed-out device's messages and notices never change (until it starts afresh)", requirements: ['E2E-03', 'EXP-03'],
    check: (before, event, after) => (untouched(before, after) ? null : firstFailing(allDevices(before.world), (d) => {
      const s0 = deviceOf(before.world, d)!;
      const s1 = deviceOf(after.world, d)!;
      if (s0.status !== 'signed-out' || restartsDevice(event, after.world, d)) return null;
      return s1.messages.join() !== s0.messages.join() || s1.notices.join() !== s0.notices.join() ? `signed-out ${d} received something` : null;
    })) },
  { kind: 'step', id: 'messages-append-only', title: "A device's messages only grow, in order (until it starts afresh or the primary re-registers)", requirements: ['OFF-02', 'E2E-02'],
    check: (before, event, after) => (untouched(before, after) ? null : firstFailing(allDevices(before.world), (d) => {
      if (restartsDevice(event, after.world, d)) return null;
      const m0 = deviceOf(before.world, d)!.messages;
      const m1 = deviceOf(after.world, d)!.messages;
      const linkedNow = deviceOf(after.world, d)!.status === 'linked' && deviceOf(before.world, d)!.status !== 'linked';
      // A newly linked companion's messages become the primary's history (HIST-01).
      return linkedNow || isPrefix(m0, m1) ? null : `${d}'s messages went from [${m0.join(' ')}] to [${m1.join(' ')}]`;
    })) },
  { kind: 'step', id: 'send-reaches-every-linked-device', title: 'An accepted message reaches, now or on reconnect, every other device linked at send time, of both accounts', requirements: ['E2E-02', 'OFF-01', 'OFF-02'],
    check: (before, event, after) => {
      if (event.type !== 'SEND' || !after.world.result.ok) return null;
      const targets = ACCOUNTS.flatMap((a) => linkedDevices(before.world, a)).filter((d) => d !== event.from);
      return firstFailing(targets, (d) => {
        const s = deviceOf(after.world, d)!;
        return [...s.messages, ...s.pendingMessages].includes(event.id) ? null : `${event.id} does not reach ${d}`;
      }) ?? (deviceOf(after.world, event.from)!.messages.includes(event.id) ? null : `${event.from} does not keep its own ${event.id}`);
    } },
  { kind: 'step', id: 'link-brings-history-and-notices', title: "A newly linked companion holds the primary's history, and every other linked device is told", requirements: ['HIST-01', 'NOTE-01'],
    check: (before, _event, after) => (untouched(before, after) ? null : perAccount((a) => {
      const newly = linkedOf(after.world, a).filter((d) => !linkedOf(before.world, a).includes(d));
      return firstFailing(newly, (d) => {
        const history = after.world.accounts[a].primary!.messages;
        if (deviceOf(after.world, d)!.messages.join() !== history.join()) return `${d} did not receive the history`;
        return firstFailing(linkedDevices(before.world, a), (other) => {
          const s = deviceOf(after.world, other)!;
          return [...s.notices, ...s.pendingNotices].includes(d) ? null : `${other} was not told that ${d} was linked`;
        });
      });
    })) },
  { kind: 'step', id: 'primary-change-signs-out-companions', title: 'After an accepted re-registration or logout, no companion of the account is linked', requirements: ['LIFE-01'],
    check: (_before, event, after) => {
      if ((event.type !== 'REREGISTER' && event.type !== 'LOGOUT') || !after.world.result.ok) return null;
      const left = linkedCompanions(after.world, event.account);
      return left.length > 0 ? `${left.join(', ')} still linked after ${event.type}` : null;
    } },
  { kind: 'step', id: 'only-own-account-devices', title: 'A step acting for one account links, unlinks or signs out only devices of that account', requirements: ['PAIR-07', 'AUTH-03'],
    check: (before, event, after) => {
      if (event.type === 'ADVANCE' || event.type === 'SEND' || untouched(before, after)) return null;
      const own = accountOfEvent(event);
      return firstFailing(allDevices(before.world).filter((d) => accountOf(d) !== own && !isPrimaryId(d)), (d) =>
        deviceOf(before.world, d)!.status !== deviceOf(after.world, d)!.status ? `${event.type} for ${own} changed ${d}` : null);
    } },
  { kind: 'step', id: 'code-steps-touch-only-the-picked-companion', title: "A code request or a code entry changes no other companion's pairing attempt: a stranger's request for the same number neither cancels nor replaces anyone's code", requirements: ['PAIR-06', 'PAIR-07'],
    check: (before, event, after) => {
      if ((event.type !== 'REQUEST_CODE' && event.type !== 'ENTER_CODE') || untouched(before, after)) return null;
      const attempt = (w: World, id: CompanionId) => {
        const c = companionOf(w, id);
        return c ? JSON.stringify([c.status, c.linkingBy, c.qr, c.code]) : '';
      };
      const others = ACCOUNTS.flatMap(companionIds).filter((id) => id !== event.device);
      return firstFailing(others, (id) => attempt(before.world, id) === attempt(after.world, id) ? null : `${event.type} ${event.device} changed ${id}'s pairing attempt`);
    } },
  { kind: 'step', id: 'cross-account-step-refused', title: "A device acting on another account's device (approving its companion by QR or code, unlinking it) is refused with the code model/events.ts predicts, and the other account is left exactly as it was", requirements: ['PAIR-07', 'PAIR-06', 'AUTH-03', 'AUTH-01'],
    check: (before, event, after) => {
      const other = crossAccountOf(event);
      if (!other) return null;
      const r = after.world.result;
      if (r.ok) return `${event.type} across accounts was accepted`;
      if (!(CROSS_ACCOUNT_CODES[event.type as keyof typeof CROSS_ACCOUNT_CODES] as readonly string[]).includes(r.code)) return `${event.type} across accounts refused ${r.code}`;
      if (JSON.stringify(before.world.accounts[other]) !== JSON.stringify(after.world.accounts[other])) return `${event.type} across accounts changed account ${other}`;
      // A code entered for the other account's companion is no request of the acting account: no attempt counts anywhere.
      return event.type === 'ENTER_CODE' && before.world.accounts !== after.world.accounts ? `ENTER_CODE across accounts changed account ${otherAccount(other)}` : null;
    } },
  { kind: 'step', id: 'reregister-needs-proof', title: 'A re-registration without proof of owning the number is refused and changes nothing; an accepted one always had proof', requirements: ['LIFE-03'],
    check: (before, event, after) => {
      if (event.type !== 'REREGISTER' || event.proof) return null;
      const r = after.world.result;
      if (r.ok) return `REREGISTER ${event.account} without proof was accepted`;
      const expected = before.world.accounts[event.account].registered ? 'NUMBER_NOT_VERIFIED' : 'NOT_REGISTERED';
      if (r.code !== expected) return `REREGISTER ${event.account} without proof refused ${r.code}, not ${expected}`;
      return JSON.stringify(before.world.accounts) === JSON.stringify(after.world.accounts) ? null : `REREGISTER ${event.account} without proof changed the world`;
    } },
];

/** The account acted on by a cross-account step (model/events.ts "Cross-account steps"), or null. */
function crossAccountOf(event: LinkEvent): AccountId | null {
  if (event.type !== 'SCAN_QR' && event.type !== 'ENTER_CODE' && event.type !== 'UNLINK') return null;
  const acted = event.type === 'UNLINK' ? event.target : event.device;
  return accountOf(acted) !== accountOf(event.by) ? accountOf(acted) : null;
}

/** What each cross-account step may be refused with: the refusals ahead of it, and its own. */
const CROSS_ACCOUNT_CODES = {
  SCAN_QR: ['NO_QR', 'NOT_REGISTERED', 'NOT_PRIMARY', 'DEVICE_OFFLINE', 'WRONG_ACCOUNT'],
  ENTER_CODE: ['NOT_REGISTERED', 'NOT_PRIMARY', 'DEVICE_OFFLINE', 'LIMIT_REACHED', 'ID_CHECK_FAILED', 'CODE_INVALID'],
  // NOT_PRIMARY: a companion unlinks only itself, whatever the target's account.
  UNLINK: ['NOT_REGISTERED', 'NOT_LINKED', 'DEVICE_OFFLINE', 'NOT_PRIMARY'],
} as const satisfies Record<string, readonly OperationErrorCode[]>;

export const INVARIANTS: readonly Invariant[] = [...STATE_INVARIANTS, ...STEP_INVARIANTS];
