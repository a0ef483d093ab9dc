/**
 * The commands of the property runs (suite 2), in fast-check's `check / run / toString` shape
 * (STYLE.md item 8): `check` reads the model's current observation and lets through only steps
 * that mean something now (register first, link companions of registered accounts, send from
 * existing devices...), `run` takes the step in lockstep, `toString` names it as a report shows
 * it. Durations are the profile's boundaries (dormancy − 1 ms, 1 ms, QR windows...), where
 * off-by-one bugs live. Steps needing a capability the adapter lacks are never generated.
 */
import fc from 'fast-check';
import { describeEvent, accountOf, isPrimaryId, otherAccount, primaryOf, type AccountId, type CompanionId, type DeviceId, type LinkEvent } from '../model/events.js';
import type { Observation } from '../model/observation.js';
import { qrAttemptMs, type Profile } from '../model/profile.js';
import { eventNeeds } from './capabilities.js';
import type { Capability } from './contract.js';
import type { LockstepSession, StepVerdict } from './lockstep.js';
import { situationMoveArbitrary } from './situationMoves.js';
import { createOracle } from '../model/createOracle.js';
import { DEFAULT_PROFILE } from '../model/profile.js';

/**
 * Whether the model answers cross-account steps (model/events.ts, TEAM decision 3): asked of the
 * model itself, a primary scanning the other account's companion must be refused WRONG_ACCOUNT.
 */
function modelSpecifiesCrossAccount(): boolean {
  const oracle = createOracle(DEFAULT_PROFILE);
  for (const e of [
    { type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REGISTER', account: 'B', idCheck: false }, { type: 'SHOW_QR', device: 'B.c1' },
  ] as LinkEvent[]) oracle.step(e);
  const r = oracle.step({ type: 'SCAN_QR', device: 'B.c1', by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' }).observation.result;
  return !r.ok && r.code === 'WRONG_ACCOUNT';
}
export const CROSS_ACCOUNT_SPECIFIED = modelSpecifiesCrossAccount();

export interface StepCommand {
  readonly event: LinkEvent;
  /** Taken whatever the model's state (to reach refusals); otherwise only when meaningful. */
  readonly noise: boolean;
  check(model: Observation): boolean;
  run(session: LockstepSession): Promise<StepVerdict>;
  toString(): string;
  /** A move of several steps (situationMoves.ts) numbers its messages from its position in the walk. */
  renumber?(position: number): StepCommand;
}

const COMPANIONS: readonly CompanionId[] = ['A.c1', 'A.c2', 'A.c3', 'A.c4', 'A.c5', 'B.c1', 'B.c2'];
const DEVICES: readonly DeviceId[] = ['A.primary', 'B.primary', ...COMPANIONS];

const registered = (m: Observation, a: AccountId) => m.accounts[a].registered;
const device = (m: Observation, d: DeviceId) => m.accounts[accountOf(d)].devices[d];

/** Whether the step means something in the model's current state (the generator's bias). */
function meaningful(m: Observation, e: LinkEvent): boolean {
  switch (e.type) {
    case 'REGISTER': return !registered(m, e.account);
    case 'REREGISTER': case 'LOGOUT': return registered(m, e.account);
    case 'GO_OFFLINE': case 'GO_ONLINE': return device(m, e.device) !== undefined;
    case 'SHOW_QR': case 'REQUEST_CODE': return registered(m, accountOf(e.device));
    case 'SCAN_QR': case 'ENTER_CODE': return device(m, e.device) !== undefined;
    case 'CANCEL_LINKING': return device(m, e.device)?.status === 'linking';
    case 'UNLINK': return device(m, e.target)?.status === 'linked' && (accountOf(e.by) === accountOf(e.target) || device(m, e.by)?.status === 'linked');
    case 'SEND': return device(m, e.from)?.status === 'linked' && registered(m, 'A') && registered(m, 'B');
    case 'ADVANCE': case 'RESTART': return registered(m, 'A');
  }
}

/** `noise`: taken whatever the state, so refusals (unknown device, not registered...) come up too. */
function command(event: LinkEvent, noise = false): StepCommand {
  return {
    event,
    noise,
    check: (m) => noise || meaningful(m, event),
    run: (session) => session.step(event),
    toString: () => describeEvent(event),
  };
}

/** The boundary durations of a profile, shortest first. */
export function boundaryDurations(profile: Profile): number[] {
  const d = [
    1, profile.qr.firstRefMs - 1, profile.qr.firstRefMs, profile.qr.nextRefMs, qrAttemptMs(profile),
    profile.pairingCode.lifetimeMs - 1, profile.pairingCode.lifetimeMs,
    profile.primaryDormancyMs - 1, profile.primaryDormancyMs, profile.companionIdleMs - 1, profile.companionIdleMs,
  ];
  return [...new Set(d.filter((ms) => ms > 0))].sort((x, y) => x - y);
}

/**
 * The arbitrary of one move: one command, or two (show a QR code and scan it, request a code and enter it). Weights favour the linking and delivery steps; refusals still
 * come up (wrong codes, tampered or replayed QR, a companion approving, failed ID checks).
 */
export function stepCommandArbitrary(profile: Profile, capabilities: ReadonlySet<Capability>, options: { companionsStayOnline?: boolean; situations?: boolean } = {}): fc.Arbitrary<StepCommand[]> {
  const companion = fc.constantFrom(...COMPANIONS);
  const anyDevice = fc.constantFrom(...DEVICES);
  const account = fc.constantFrom<AccountId>('A', 'A', 'B');
  // The approver (or unlinker) of companion c: mostly its own primary; sometimes one of its own
  // companions, or the other account's primary (a cross-account step, model/events.ts).
  const primaryOrNot = (c: CompanionId) => fc.oneof(
    { weight: 8, arbitrary: fc.constant(primaryOf(accountOf(c)) as DeviceId) },
    { weight: 1, arbitrary: fc.constantFrom<DeviceId>(...COMPANIONS.filter((x) => accountOf(x) === accountOf(c))) },
    { weight: 1, arbitrary: fc.constant(primaryOf(otherAccount(accountOf(c))) as DeviceId) },
  );
  const idCheck = fc.oneof({ weight: 9, arbitrary: fc.constant('pass' as const) }, { weight: 1, arbitrary: fc.constant('fail' as const) });
  const weighted: Array<{ weight: number; arbitrary: fc.Arbitrary<LinkEvent> }> = [
    { weight: 4, arbitrary: fc.record({ type: fc.constant('REGISTER' as const), account, idCheck: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('REREGISTER' as const), account, proof: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('LOGOUT' as const), account }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('GO_OFFLINE' as const, 'GO_ONLINE' as const), device: anyDevice }) as fc.Arbitrary<LinkEvent> },
    { weight: 5, arbitrary: fc.record({ type: fc.constant('SHOW_QR' as const), device: companion }) },
    { weight: 6, arbitrary: companion.chain((c) => fc.record({
      type: fc.constant('SCAN_QR' as const), device: fc.constant(c), by: primaryOrNot(c),
      source: fc.oneof({ weight: 8, arbitrary: fc.constant('live' as const) }, { weight: 2, arbitrary: fc.constant('photo' as const) }),
      idCheck,
      tamper: fc.oneof({ weight: 12, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constantFrom('ref' as const, 'key' as const, 'secret' as const) }),
    })) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('CANCEL_LINKING' as const), device: companion }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('REQUEST_CODE' as const), device: companion }) },
    { weight: 3, arbitrary: companion.chain((c) => fc.record({ type: fc.constant('ENTER_CODE' as const), device: fc.constant(c), by: primaryOrNot(c), correct: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), idCheck })) },
    { weight: 2, arbitrary: companion.chain((c) => fc.record({ type: fc.constant('UNLINK' as const), by: primaryOrNot(c), target: fc.constant(c as DeviceId) })) },
    // Cross-account (AUTH-03): a device of the other account tries to unlink this companion.
    { weight: 1, arbitrary: companion.chain((c) => fc.record({ type: fc.constant('UNLINK' as const), by: primaryOrNot(`${otherAccount(accountOf(c))}.c1` as CompanionId), target: fc.constant(c as DeviceId) })) },
    // Nobody unlinks a primary: its own account's devices, nor the other account's (NOT_LINKED).
    { weight: 1, arbitrary: fc.record({ type: fc.constant('UNLINK' as const), by: anyDevice, target: fc.constantFrom<DeviceId>('A.primary', 'B.primary') }) },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('SEND' as const), from: anyDevice, id: fc.constant('') }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('ADVANCE' as const), ms: fc.constantFrom(...boundaryDurations(profile)) }) },
    { weight: 1, arbitrary: fc.constant<LinkEvent>({ type: 'RESTART' }) },
  ];
  // Leave out what the adapter cannot do; probe each kind with a representative event.
  const allowed = (e: LinkEvent) => eventNeeds(e).every((c) => capabilities.has(c))
    && !(options.companionsStayOnline && e.type === 'GO_OFFLINE' && !isPrimaryId(e.device));
  const usable = weighted.filter(({ arbitrary }) => fc.sample(arbitrary, { numRuns: 20, seed: 1 }).some(allowed))
    .map(({ weight, arbitrary }) => ({ weight, arbitrary: arbitrary.filter(allowed) }));
  // One step in ten is noise: taken even when it means nothing now.
  const single = fc.tuple(fc.oneof(...usable), fc.nat(9)).map(([e, roll]) => [command(e, roll === 0)]);
  const can = (e: LinkEvent) => eventNeeds(e).every((c) => capabilities.has(c));
  // Linking is the gate to almost every other behaviour: offer it as one move of two steps.
  const linkMoves: Array<fc.Arbitrary<StepCommand[]>> = [];
  if (can({ type: 'SHOW_QR', device: 'A.c1' })) {
    linkMoves.push(companion.map((c) => [command({ type: 'SHOW_QR', device: c }), command({ type: 'SCAN_QR', device: c, by: primaryOf(accountOf(c)), source: 'live', idCheck: 'pass', tamper: 'none' })]));
  }
  if (can({ type: 'REQUEST_CODE', device: 'A.c1' })) {
    linkMoves.push(companion.map((c) => [command({ type: 'REQUEST_CODE', device: c }), command({ type: 'ENTER_CODE', device: c, by: primaryOf(accountOf(c)), correct: true, idCheck: 'pass' })]));
  }
  const moves: Array<{ weight: number; arbitrary: fc.Arbitrary<StepCommand[]> }> = [{ weight: 12, arbitrary: single }];
  if (linkMoves.length) moves.push({ weight: 4, arbitrary: fc.oneof(...linkMoves) });
  // Situation moves (situationMoves.ts): several steps that drive the model into one named
  // situation of situations.ts on purpose (deadlines with companions offline, slots freed by each
  // kind of sign-out and reused, long histories, counters across restarts...).
  const situations = options.situations === false ? undefined : situationMoveArbitrary(profile, capabilities, { crossAccount: CROSS_ACCOUNT_SPECIFIED });
  if (situations) moves.push({ weight: 1, arbitrary: situations.map((m) => [m]) });
  return fc.oneof(...moves);
}

/** How a sequence starts: usually both accounts registered, so the walk reaches deeper states. */
export function setupArbitrary(capabilities: ReadonlySet<Capability>): fc.Arbitrary<StepCommand[]> {
  const reg = (account: AccountId, idCheck: boolean) => command({ type: 'REGISTER', account, idCheck });
  const setups: StepCommand[][] = [[reg('A', false), reg('B', false)], [reg('A', false)], []];
  if (capabilities.has('id-check')) setups.push([reg('A', true), reg('B', false)]);
  return fc.oneof({ weight: 6, arbitrary: fc.constant(setups[0]) }, { weight: 1, arbitrary: fc.constantFrom(...setups.slice(1)) });
}

/** Message ids are numbered by position when the sequence runs, so shrinking keeps them unique. */
export function numberMessages(commands: readonly StepCommand[]): StepCommand[] {
  return commands.map((c, i) => (c.renumber ? c.renumber(i) : c.event.type === 'SEND' ? command({ ...c.event, id: `m${i}` }, c.noise) : c));
}

/** The step kinds the adapter's capabilities leave out, for the report. */
export function leftOutSteps(capabilities: ReadonlySet<Capability>): string[] {
  const probes: LinkEvent[] = [
    { type: 'REGISTER', account: 'A', idCheck: true }, { type: 'LOGOUT', account: 'A' }, { type: 'GO_OFFLINE', device: 'A.primary' },
    { type: 'SHOW_QR', device: 'A.c1' }, { type: 'REQUEST_CODE', device: 'A.c1' }, { type: 'SEND', from: 'A.primary', id: 'm' },
    { type: 'ADVANCE', ms: 1 }, { type: 'RESTART' },
  ];
  return probes.filter((e) => !eventNeeds(e).every((c) => capabilities.has(c))).map((e) => e.type === 'REGISTER' ? 'REGISTER with ID check' : e.type === 'LOGOUT' ? 'REREGISTER/LOGOUT' : e.type === 'GO_OFFLINE' ? 'GO_OFFLINE/GO_ONLINE' : e.type === 'SHOW_QR' ? 'SHOW_QR/SCAN_QR' : e.type === 'REQUEST_CODE' ? 'REQUEST_CODE/ENTER_CODE' : e.type);
}
