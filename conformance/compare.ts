/**
 * Comparison: applies the rules at the top of model/observation.ts to the model's and the
 * implementation's observations after one step, and maps every difference to the requirement it
 * breaks, so a failure names the rule a reader should look up (LIMIT-01, EXP-01, OFF-02 ...).
 * Differences are written in words: `A.c1 status: expected signed-out (primary-dormant), got linked`.
 */
import { ERROR_CODES, type ErrorCode, type OpResult } from '../model/errors.js';
import { ACCOUNTS, isPrimaryId, type DeviceId, type LinkEvent, type LinkEventType } from '../model/events.js';
import type { DeviceView, Observation } from '../model/observation.js';
import { requirement, type RequirementId } from '../model/requirements.js';

export interface Difference {
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
  readonly requirement: RequirementId;
}

export interface StepComparison {
  readonly event: LinkEvent;
  /** The model before and after the step. */
  readonly expectedBefore: Observation['accounts'];
  readonly expected: Observation;
  /** The implementation before and after the step. */
  readonly actualBefore: Observation['accounts'];
  readonly actual: Observation;
  /** Fields the adapter declared it cannot show (capabilities). */
  readonly ignore?: { readonly notices?: boolean };
  /** How a linking companion was linking, for telling QR expiry (PAIR-04) from code expiry (PAIR-06). */
  readonly linkingBy?: (device: DeviceId) => 'qr' | 'code' | undefined;
  /** Whether the account's primary has come back online after going offline (its dormancy window restarted, EXP-02). */
  readonly primaryReturned?: (account: 'A' | 'B') => boolean;
  /** The profile's companion limit, for telling LIMIT-01 from LIMIT-02. */
  readonly maxCompanions?: number;
  /** How many companion sign-outs the account has had in this world (each freed a slot, LIMIT-02). */
  readonly slotsFreed?: (account: 'A' | 'B') => number;
}

/** The requirement an event exercises when nothing more specific applies. */
const EVENT_REQUIREMENT: Record<LinkEventType, RequirementId> = {
  REGISTER: 'LIFE-01', REREGISTER: 'LIFE-01', LOGOUT: 'LIFE-01',
  GO_OFFLINE: 'OFF-01', GO_ONLINE: 'OFF-02',
  SHOW_QR: 'PAIR-01', SCAN_QR: 'PAIR-02', CANCEL_LINKING: 'PAIR-03',
  REQUEST_CODE: 'PAIR-06', ENTER_CODE: 'PAIR-06',
  UNLINK: 'AUTH-03', SEND: 'E2E-02', ADVANCE: 'EXP-01', RESTART: 'OFF-02',
};

export function describeResult(result: OpResult): string {
  return result.ok ? 'ok' : result.code;
}

function describeStatus(view: DeviceView | undefined): string {
  if (!view) return 'absent';
  return view.status === 'signed-out' ? `signed-out (${view.signOutReason ?? 'no reason'})` : view.status;
}

function list(items: readonly string[] | undefined): string {
  return items === undefined ? 'absent' : `[${items.join(', ')}]`;
}

type Accounts = Observation['accounts'];

function countCompanions(view: Accounts['A'], status: DeviceView['status']): number {
  return Object.values(view.devices).filter((d) => d?.role === 'companion' && d.status === status).length;
}

/**
 * An unexpected LIMIT_REACHED: the model's account was not at the limit. When the slots freed in
 * this world (signed-out companions now, or every sign-out so far, as a companion shown again
 * after its sign-out is 'linking') would fill the limit had they stayed taken, a freed slot was
 * not freed (LIMIT-02); otherwise the limit itself is wrong (LIMIT-01).
 */
function limitRequirement(before: Accounts['A'], maxCompanions: number | undefined, freedSoFar = 0): RequirementId {
  const linked = countCompanions(before, 'linked');
  const freed = Math.max(countCompanions(before, 'signed-out'), freedSoFar);
  if (freed === 0) return 'LIMIT-01';
  return maxCompanions === undefined || linked + freed >= maxCompanions ? 'LIMIT-02' : 'LIMIT-01';
}

/** The account whose slots a linking step uses: the approver's (cross-account steps included). */
function approvingAccount(event: LinkEvent): 'A' | 'B' | undefined {
  return event.type === 'SCAN_QR' || event.type === 'ENTER_CODE' ? event.by.slice(0, 1) as 'A' | 'B' : undefined;
}

/** The requirement a refusal the model predicted serves (what an acceptance broke). */
function expectedRefusalRequirement(event: LinkEvent, code: ErrorCode): RequirementId {
  const candidates = ERROR_CODES[code].requirements as readonly RequirementId[];
  if (code === 'NOT_PRIMARY') return event.type === 'UNLINK' ? 'AUTH-03' : 'AUTH-01';
  if (code === 'NOT_REGISTERED' && event.type !== 'SCAN_QR' && event.type !== 'ENTER_CODE') return 'LIFE-01';
  return candidates[0] ?? EVENT_REQUIREMENT[event.type];
}

/**
 * The requirement of what the implementation actually did, when that alone names a broken rule
 * (undefined when only the model's prediction can say which rule applies).
 */
function actualRequirement(c: Pick<StepComparison, 'event' | 'expectedBefore' | 'maxCompanions' | 'slotsFreed'>, expected: OpResult, actual: OpResult, actualAfter?: Accounts): RequirementId | undefined {
  const { event } = c;
  const account = approvingAccount(event);
  if (actual.ok) {
    if (expected.ok || !account) return undefined;
    // It linked where the model refused: linked a companion of another account (PAIR-07) or past the limit (LIMIT-01).
    if (event.type === 'SCAN_QR' || event.type === 'ENTER_CODE') {
      if (event.device.slice(0, 1) !== account) return 'PAIR-07';
      if (actualAfter && c.maxCompanions !== undefined && countCompanions(actualAfter[account], 'linked') > c.maxCompanions) return 'LIMIT-01';
    }
    return undefined;
  }
  switch (actual.code) {
    case 'LIMIT_REACHED': {
      if (!account) return undefined;
      const before = c.expectedBefore[account];
      const atLimit = c.maxCompanions !== undefined && countCompanions(before, 'linked') >= c.maxCompanions;
      return atLimit ? undefined : limitRequirement(before, c.maxCompanions, c.slotsFreed?.(account));
    }
    case 'SIGNED_OUT': return expected.ok ? 'EXP-01' : undefined;
    case 'DEVICE_OFFLINE': return expected.ok && event.type === 'SEND' ? 'OFF-01' : undefined;
    case 'NOT_PRIMARY': {
      // The primary itself was refused as if it were a companion.
      const by = event.type === 'SCAN_QR' || event.type === 'ENTER_CODE' || event.type === 'UNLINK' ? event.by : undefined;
      if (!by || !isPrimaryId(by)) return undefined;
      return event.type === 'UNLINK' ? 'AUTH-03' : 'PAIR-02';
    }
    case 'ID_CHECK_FAILED': return expected.ok && (event.type === 'SCAN_QR' || event.type === 'ENTER_CODE') && event.idCheck === 'pass' ? 'PAIR-05' : undefined;
    default: return undefined;
  }
}

/**
 * Why the results differ. The rule (issue 9): a difference is blamed on the requirement of what
 * the implementation actually did whenever that is a MUST; otherwise on the requirement the
 * model's prediction serves (the expected refusal's, or what the step does when accepted).
 */
function resultRequirement(c: Pick<StepComparison, 'event' | 'expectedBefore' | 'maxCompanions' | 'slotsFreed'>, expected: OpResult, actual: OpResult, actualAfter?: Accounts): RequirementId {
  const did = actualRequirement(c, expected, actual, actualAfter);
  const predicted = !expected.ok ? expectedRefusalRequirement(c.event, expected.code) : did ?? EVENT_REQUIREMENT[c.event.type];
  if (did && (requirement(did).level === 'MUST' || requirement(predicted).level !== 'MUST')) return did;
  return predicted;
}

/** A companion's send refused while its primary is offline breaks OFF-01, whatever code came back. */
function sendWithoutPrimary(c: StepComparison): boolean {
  if (c.event.type !== 'SEND' || isPrimaryId(c.event.from)) return false;
  const account = c.event.from.slice(0, 1) as 'A' | 'B';
  return c.expectedBefore[account].devices[`${account}.primary` as DeviceId]?.online === false;
}

/** A status (or existence) difference: which rule decides that status after this event. */
function statusRequirement(c: StepComparison, device: DeviceId, expected: DeviceView | undefined, actual: DeviceView | undefined): RequirementId {
  const reason = expected?.signOutReason ?? actual?.signOutReason;
  switch (reason) {
    case 'primary-dormant': {
      // Signed out while the model keeps it linked, after the primary came back: the window was not restarted.
      const premature = expected?.status !== 'signed-out';
      // The signed-out companion itself back online and linked again: it came back without a new pairing.
      if (c.event.type === 'GO_ONLINE' && c.event.device === device && !premature && actual?.status === 'linked') return 'EXP-03';
      if (c.event.type === 'GO_ONLINE' || (premature && c.primaryReturned?.(device.slice(0, 1) as 'A' | 'B'))) return 'EXP-02';
      return 'EXP-01';
    }
    case 'idle': return 'EXP-04';
    case 'primary-reregistered': case 'primary-logout': return 'LIFE-01';
    case 'unlinked': return c.event.type === 'UNLINK' ? 'AUTH-03' : 'E2E-03';
    default: break;
  }
  const wasLinking = c.expectedBefore[device.slice(0, 1) as 'A' | 'B'].devices[device]?.status === 'linking';
  if (c.event.type === 'ADVANCE' && wasLinking) return c.linkingBy?.(device) === 'code' ? 'PAIR-06' : 'PAIR-04';
  if ((c.event.type === 'SCAN_QR' || c.event.type === 'ENTER_CODE') && device !== c.event.device) return 'PAIR-07';
  // A companion linked (or not) against the model's result: the result's rule decides.
  if ((c.event.type === 'SCAN_QR' || c.event.type === 'ENTER_CODE') && describeResult(c.expected.result) !== describeResult(c.actual.result)) {
    return resultRequirement(c, c.expected.result, c.actual.result, c.actual.accounts);
  }
  return EVENT_REQUIREMENT[c.event.type];
}

/** A messages difference: E2E-03 for removed devices, OFF-02 for devices that were offline, HIST-01 at linking. */
function messagesRequirement(c: StepComparison, device: DeviceId, before: DeviceView | undefined, expected: DeviceView | undefined, actual: DeviceView | undefined): RequirementId {
  if (expected?.status === 'signed-out' && (actual?.messages.length ?? 0) > expected.messages.length) return 'E2E-03';
  if (expected && before && before.status !== 'linked' && expected.status === 'linked') return 'HIST-01';
  if (c.event.type === 'RESTART') return 'OFF-02';
  if (before && !before.online) return 'OFF-02';
  if (c.event.type === 'GO_ONLINE') return 'OFF-02';
  // The copy to the sender's own other devices (E2E-02), whoever is online.
  if (c.event.type === 'SEND' && device !== c.event.from && device.slice(0, 1) === c.event.from.slice(0, 1)) return 'E2E-02';
  if (c.event.type === 'SEND' && !isPrimaryId(c.event.from)) {
    const primary = c.expectedBefore[c.event.from.slice(0, 1) as 'A' | 'B'].devices[`${c.event.from.slice(0, 1)}.primary` as DeviceId];
    if (primary && !primary.online) return 'OFF-01';
  }
  return 'E2E-02';
}

/**
 * Which difference a reader should look at first: the result, then who is linked, then what
 * devices hold; version and notice differences are usually consequences of those.
 */
function rank(field: string): number {
  if (field === 'result') return 0;
  if (field.endsWith(' status') || /^[AB]\.[a-z0-9]+$/.test(field)) return 1;
  if (field.endsWith(' registered')) return 2;
  if (field.endsWith(' messages')) return 3;
  if (field.endsWith(' online') || field.endsWith(' role')) return 4;
  if (field.endsWith(' notices')) return 5;
  return 6;
}

export function compareStep(c: StepComparison): Difference[] {
  return collectDifferences(c).map((d, i) => ({ d, i })).sort((x, y) => rank(x.d.field) - rank(y.d.field) || x.i - y.i).map(({ d }) => d);
}

function collectDifferences(c: StepComparison): Difference[] {
  const out: Difference[] = [];
  const { expected, actual } = c;
  if (describeResult(expected.result) !== describeResult(actual.result)) {
    const blamed = expected.result.ok && sendWithoutPrimary(c) ? 'OFF-01' : resultRequirement(c, expected.result, actual.result, actual.accounts);
    out.push({ field: 'result', expected: describeResult(expected.result), actual: describeResult(actual.result), requirement: blamed });
  }
  for (const account of ACCOUNTS) {
    const e = expected.accounts[account];
    const a = actual.accounts[account];
    if (e.registered !== a.registered) {
      out.push({ field: `${account} registered`, expected: String(e.registered), actual: String(a.registered), requirement: 'LIFE-01' });
    }
    const modelChanged = e.deviceListVersion !== c.expectedBefore[account].deviceListVersion;
    const before = c.actualBefore[account].deviceListVersion;
    if (modelChanged && !(a.deviceListVersion > before)) {
      out.push({ field: `${account} device list version`, expected: `increased above ${before}`, actual: String(a.deviceListVersion), requirement: 'LIFE-02' });
    } else if (!modelChanged && a.deviceListVersion !== before) {
      out.push({ field: `${account} device list version`, expected: `unchanged at ${before}`, actual: String(a.deviceListVersion), requirement: 'LIFE-02' });
    }
    const ids = new Set([...Object.keys(e.devices), ...Object.keys(a.devices)] as DeviceId[]);
    for (const id of [...ids].sort()) {
      const ev = e.devices[id];
      const av = a.devices[id];
      if (!ev || !av) {
        out.push({ field: `${id}`, expected: ev ? describeStatus(ev) : 'absent', actual: av ? describeStatus(av) : 'absent', requirement: statusRequirement(c, id, ev, av) });
        continue;
      }
      if (ev.role !== av.role) out.push({ field: `${id} role`, expected: ev.role, actual: av.role, requirement: 'PAIR-07' });
      if (describeStatus(ev) !== describeStatus(av)) {
        out.push({ field: `${id} status`, expected: describeStatus(ev), actual: describeStatus(av), requirement: statusRequirement(c, id, ev, av) });
      }
      if (ev.online !== av.online) {
        out.push({ field: `${id} online`, expected: String(ev.online), actual: String(av.online), requirement: 'OFF-01' });
      }
      if (list(ev.messages) !== list(av.messages)) {
        const before = c.expectedBefore[account].devices[id];
        out.push({ field: `${id} messages`, expected: list(ev.messages), actual: list(av.messages), requirement: messagesRequirement(c, id, before, ev, av) });
      }
      if (!c.ignore?.notices && list(ev.notices) !== list(av.notices)) {
        out.push({ field: `${id} notices`, expected: list(ev.notices), actual: list(av.notices), requirement: 'NOTE-01' });
      }
    }
  }
  return out;
}

/** One line per difference, as a report shows them. */
export function describeDifferences(differences: readonly Difference[]): string {
  return differences.map((d) => `${d.field}: expected ${d.expected}, got ${d.actual} (${d.requirement})`).join('; ');
}

/**
 * The requirements a step exercised in the model (what the property runs can claim as evidence):
 * the refusal's requirements, or what an accepted step of that type does (sign-outs by reason).
 */
export function requirementsExercised(event: LinkEvent, before: Observation['accounts'], after: Observation): RequirementId[] {
  if (!after.result.ok) return [...(ERROR_CODES[after.result.code].requirements as readonly RequirementId[])];
  const out: RequirementId[] = [];
  for (const account of ACCOUNTS) {
    for (const [id, view] of Object.entries(after.accounts[account].devices) as Array<[DeviceId, DeviceView]>) {
      const was = before[account].devices[id];
      if (view.status === 'signed-out' && was?.status !== 'signed-out') {
        out.push(...({ 'primary-dormant': ['EXP-01', 'EXP-03'], idle: ['EXP-04'], unlinked: ['AUTH-03', 'LIMIT-02'], 'primary-reregistered': ['LIFE-01'], 'primary-logout': ['LIFE-01'] } as const)[view.signOutReason ?? 'unlinked']);
      }
      if (event.type === 'ADVANCE' && was?.status === 'linking' && view.status === 'idle') out.push('PAIR-04');
      if (event.type === 'SEND' && view.status === 'signed-out') out.push('E2E-03');
      if (event.type === 'GO_ONLINE' && id === event.device && view.messages.length > (was?.messages.length ?? 0)) out.push('OFF-02');
    }
    if (after.accounts[account].deviceListVersion !== before[account].deviceListVersion) out.push('LIFE-02');
  }
  switch (event.type) {
    case 'SHOW_QR': out.push('PAIR-01'); break;
    case 'SCAN_QR': out.push('PAIR-02', 'PAIR-07', 'HIST-01', 'NOTE-01'); break;
    case 'REQUEST_CODE': case 'ENTER_CODE': out.push('PAIR-06'); break;
    case 'CANCEL_LINKING': out.push('PAIR-03'); break;
    case 'SEND': {
      out.push('E2E-02');
      const primary = before[event.from.slice(0, 1) as 'A' | 'B'].devices[`${event.from.slice(0, 1)}.primary` as DeviceId];
      if (!isPrimaryId(event.from) && primary && !primary.online) out.push('OFF-01');
      break;
    }
    case 'GO_ONLINE': if (isPrimaryId(event.device)) out.push('EXP-02'); break;
    case 'RESTART': out.push('OFF-02'); break;
    default: break;
  }
  return out;
}
