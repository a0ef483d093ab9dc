/**
 * The exhaustive check: every reachable state of a deliberately small abstraction of the model is
 * visited once (breadth first, stateSpace.ts) and every invariant of invariants.ts is checked in
 * every state and across every step. A violation comes back with the shortest event path that
 * shows it, from the empty world.
 *
 * The abstraction (besides the normalising key of stateKey.ts):
 * - account A: a primary (with an ID check) and maxCompanions + 1 companions, so the limit can
 *   be hit; account B: a primary only, always online (the other end of the conversation);
 * - one companion of A (c1) does everything: show a QR, be scanned live or from a photo, ask for
 *   a code, have it entered right or wrong, cancel, go offline and online, be unlinked or unlink
 *   itself, send; refusal probes (tampered QR, failed ID check, approval by a companion…) are
 *   tried too, the SCAN_QR ones only where it has a QR attempt (NO_QR answers first elsewhere).
 *   The others ("fillers") only show a QR that the primary scans at once (or refuses at the
 *   limit), and get unlinked: they fill the slots up to the limit. The key counts them by class,
 *   so each step is tried on one filler of each class only;
 * - time: ADVANCE to each boundary ahead − 1 ms and exactly to it (timeSteps), so every deadline
 *   is seen just before and exactly at its limit;
 * - at most `maxMessages` messages are sent on a path, and at most `maxTimeSteps` ADVANCE steps
 *   are taken, so that running windows cannot accumulate arbitrary offsets (what makes timed
 *   state spaces explode). Each ADVANCE still goes to any boundary ahead, so one step passes
 *   several deadlines in time order;
 * - configurations (EXPLORE_CONFIGS): 'full' for `linkspec model` (the profile as given, one
 *   message, one time step), 'quick' for `npm test` (the limit scaled down to 2 companions, no
 *   message): each result lists its reductions in words (`abstraction`);
 * - state invariants are checked once per abstract state (on the key-deduplicated states only),
 *   before the step invariants of the step that reached it; step invariants on every step.
 *
 * Measured (2-core shared machine, load average 3-4, DEFAULT_PROFILE, all 19 invariants): full
 * 21,032 states / 324,442 steps / 12-14 s, complete; quick 5,006 / 75,768 / 3-5 s, complete.
 * Two time steps on a path (full) would be 60,344 / 957,428 / 33 s: over the command's budget.
 * With the cross-account pass (21 invariants; load average 9-20, so times are upper bounds): full
 * 21,032 + 6,137 = 27,169 states / 467,869 steps / 118 s; quick 5,006 + 6,137 = 11,143 states /
 * 210,677 steps. Cross-account steps tried inside the main pass instead: over ten minutes (quick).
 * Per-companion pairing codes (22 invariants, a rival companion A.c2 in the cross-account pass;
 * load average 9-12): full 21,032 + 13,066 = 34,098 states / 653,624 steps / 190 s; quick
 * 5,006 + 13,066 = 18,072 states / 396,432 steps / 51 s. The rival in the main pass instead: quick
 * 20,418 main states alone (4x), so it lives in the small pass; A.c1's wrong entries beside it
 * there: 27,885 cross-account states (the main pass covers attempts).
 * An idle companion starting afresh drops its old code (a new device, walk seed 2082934365): full
 * 16,387 + 7,558 = 23,945 states / 439,783 steps / 43.6 s (load average ~5).
 */
import { COMPANION_SLOTS, describeEvent, primaryOf, type CompanionId, type DeviceId, type LinkEvent } from './events.js';
import { INVARIANTS, type Invariant, type ModelState } from './invariants.js';
import { DEFAULT_PROFILE, qrRefWindow, type Profile } from './profile.js';
import { pendingDeadlines } from './deadlines.js';
import { searchStateSpace, type Machine, type SpaceNode } from './stateSpace.js';
import { companionOf, type World } from './world.js';
import { fillerKey, type KeySpec } from './stateKey.js';

export type ExploreConfig = 'full' | 'quick';

export interface ExploreOptions {
  /** 'full' (default, `linkspec model`) or 'quick' (`npm test`): see EXPLORE_CONFIGS. */
  readonly config?: ExploreConfig;
  /** A deliberately broken copy, in tests; the real machine otherwise. */
  readonly machine?: Machine;
  readonly invariants?: readonly Invariant[];
  /** Which companions do what (default: defaultAbstraction(profile)). */
  readonly abstraction?: Abstraction;
  /** Safety bound on the number of states (default 3,000,000): the result then says incomplete. */
  readonly maxStates?: number;
  /** Stop at the first violation (tests); otherwise the first of each invariant is reported. */
  readonly stopAtFirstViolation?: boolean;
}

export interface Violation {
  readonly invariant: string;
  readonly requirements: readonly string[];
  /** What is wrong, in words. */
  readonly detail: string;
  /** The shortest event path from the empty world that shows it. */
  readonly path: LinkEvent[];
}

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  readonly invariants: number;
  readonly durationMs: number;
  /** False when the state bound was hit: the check is then not exhaustive. */
  readonly complete: boolean;
  readonly violations: Violation[];
  /** The profile explored (the quick configuration scales the limit down). */
  readonly profile: Profile;
  /** Every reduction of the state space, in words: what `complete` is relative to. */
  readonly abstraction: string[];
  /** The figures of each search (main, and the cross-account pass): the totals above sum them. */
  readonly passes: readonly ExplorePass[];
}

/**
 * The abstraction's clock: from a state, ADVANCE to each boundary ahead − 1 ms and exactly to it
 * (every pending deadline, and reference 0's window end, where a replayed photo expires; later
 * rotations change nothing the model observes). Deadlines passed on the way are processed in
 * time order, so every limit is seen just before and exactly at it, alone or with others.
 */
export function timeSteps(world: World): LinkEvent[] {
  const boundaries = pendingDeadlines(world).map((d) => d.at);
  for (const account of ['A', 'B'] as const) {
    for (const c of Object.values(world.accounts[account].companions)) {
      if (c?.linkingBy === 'qr' && c.qr?.outcome === 'showing') boundaries.push(c.qr.startedAt + qrRefWindow(world.profile, 0).untilMs);
    }
  }
  const amounts = new Set<number>();
  for (const at of boundaries) {
    const ms = at - world.now;
    if (ms > 1) amounts.add(ms - 1);
    if (ms > 0) amounts.add(ms);
  }
  return [...amounts].sort((x, y) => x - y).map((ms): LinkEvent => ({ type: 'ADVANCE', ms }));
}

/**
 * The full companion's steps. Every event type is tried in every state in its plain form; the
 * refusal probes (a failed ID check, approval by a companion, a tampered reference or key) only
 * where they can meet a guard of their own: a SCAN_QR probe where the companion has a QR attempt
 * (otherwise NO_QR answers first, as it answers the plain scan). The ENTER_CODE probe (a failed ID
 * check) comes before CODE_NONE in the precedence, so it is tried everywhere.
 */
function companionSteps(world: World, c: CompanionId, other: CompanionId, sendId: string | null, reduce = true): LinkEvent[] {
  const by = primaryOf('A');
  const steps: LinkEvent[] = [
    { type: 'SHOW_QR', device: c },
    { type: 'SCAN_QR', device: c, by, source: 'live', idCheck: 'pass', tamper: 'none' },
    { type: 'SCAN_QR', device: c, by, source: 'photo', idCheck: 'pass', tamper: 'none' },
    { type: 'REQUEST_CODE', device: c },
    { type: 'ENTER_CODE', device: c, by, correct: true, idCheck: 'pass' },
    { type: 'ENTER_CODE', device: c, by, correct: false, idCheck: 'pass' },
    // Before CODE_NONE in the precedence: tried everywhere.
    { type: 'ENTER_CODE', device: c, by, correct: true, idCheck: 'fail' },
    { type: 'CANCEL_LINKING', device: c },
    { type: 'GO_OFFLINE', device: c },
    { type: 'GO_ONLINE', device: c },
    { type: 'UNLINK', by, target: c },
    { type: 'UNLINK', by: c, target: c },
    { type: 'UNLINK', by: c, target: other },
  ];
  if (!reduce || companionOf(world, c)?.qr) {
    steps.push(
      { type: 'SCAN_QR', device: c, by, source: 'live', idCheck: 'fail', tamper: 'none' },
      { type: 'SCAN_QR', device: c, by: other, source: 'live', idCheck: 'pass', tamper: 'none' },
      { type: 'SCAN_QR', device: c, by, source: 'live', idCheck: 'pass', tamper: 'ref' },
      { type: 'SCAN_QR', device: c, by, source: 'live', idCheck: 'pass', tamper: 'key' },
    );
  }
  if (sendId) steps.push({ type: 'SEND', from: c, id: sendId });
  return steps;
}

/**
 * The cross-account pass's alphabet (model/events.ts "Cross-account steps"). Each account has its
 * primary and one companion (A.c1 and its mirror B.c1) that shows a QR, asks for a code and is
 * linked by its own primary's scan; A's primary registers with an ID check and goes offline and
 * back. Then the cross-account steps: A's primary (or A.c1) scanning B.c1, live or from its photo,
 * with a failed ID check or a tampered QR; A's primary entering B.c1's code (no request of A: no
 * attempt counts anywhere), with the ID check passing or failing; unlinking the other
 * account's primary or companion, both ways; B's primary scanning A.c1. The accounts' own pairing
 * refusals, messages, fillers and the reverse code entry (the same region definition) are the
 * main pass's: these steps only add refusals that read both accounts. A rival companion of A (A.c2)
 * asks for a code of its own for the same number and has it entered right, and A.c1's code is
 * entered right by A's primary: two codes of one number side by side (PAIR-06, issue 10).
 * As in the main pass, a SCAN_QR probe only where the scanned companion has a QR attempt.
 */
function crossAccountSteps(world: World, a: CompanionId, reduce = true): LinkEvent[] {
  const b = mirrorOf(a);
  const [pa, pb] = [primaryOf('A'), primaryOf('B')];
  const scanBy = (device: CompanionId, by: DeviceId, more: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}): LinkEvent =>
    ({ type: 'SCAN_QR', device, by, source: 'live', idCheck: 'pass', tamper: 'none', ...more });
  const enterBy = (device: CompanionId, by: DeviceId, idCheck: 'pass' | 'fail' = 'pass'): LinkEvent => ({ type: 'ENTER_CODE', device, by, correct: true, idCheck });
  const hasQr = (c: CompanionId) => !reduce || companionOf(world, c)?.qr;
  return [
    // each account's own side
    { type: 'REGISTER', account: 'A', idCheck: true },
    { type: 'REGISTER', account: 'B', idCheck: false },
    { type: 'GO_OFFLINE', device: pa },
    { type: 'GO_ONLINE', device: pa },
    { type: 'SHOW_QR', device: a },
    { type: 'REQUEST_CODE', device: a },
    { type: 'SHOW_QR', device: b },
    { type: 'REQUEST_CODE', device: b },
    ...(hasQr(a) ? [scanBy(a, pa)] : []),
    ...(hasQr(b) ? [scanBy(b, pb)] : []),
    // across
    ...(hasQr(b) ? [scanBy(b, pa), scanBy(b, pa, { source: 'photo' }), scanBy(b, pa, { idCheck: 'fail' }), scanBy(b, pa, { tamper: 'key' }), scanBy(b, a)] : []),
    ...(hasQr(a) ? [scanBy(a, pb)] : []),
    enterBy(b, pa),
    enterBy(b, pa, 'fail'),
    // A's own companion's right entry, while a rival may hold a code of the same number
    enterBy(a, pa),
    { type: 'UNLINK', by: pa, target: pb },
    { type: 'UNLINK', by: pa, target: b },
    { type: 'UNLINK', by: a, target: b },
    { type: 'UNLINK', by: a, target: pb },
    { type: 'UNLINK', by: pb, target: a },
  ];
}

const mirrorOf = (c: CompanionId): CompanionId => `${c.startsWith('A') ? 'B' : 'A'}${c.slice(1)}` as CompanionId;

function rivalSteps(c: CompanionId): LinkEvent[] {
  return [{ type: 'REQUEST_CODE', device: c }, { type: 'ENTER_CODE', device: c, by: primaryOf('A'), correct: true, idCheck: 'pass' }];
}

function fillerSteps(c: CompanionId): LinkEvent[] {
  return [{ type: 'SHOW_QR', device: c }, { type: 'UNLINK', by: primaryOf('A'), target: c }];
}

/**
 * One filler of each class (stateKey's fillerKey: available, linked online, linked offline): the
 * key counts fillers by class, so trying the same step on two fillers of one class reaches the
 * same abstract state twice.
 */
function representativeFillers(world: World, fillers: readonly CompanionId[]): CompanionId[] {
  const seen = new Set<string>();
  return fillers.filter((c) => {
    const cls = fillerKey(world, companionOf(world, c));
    if (seen.has(cls)) return false;
    seen.add(cls);
    return true;
  });
}

const scanLive = (c: CompanionId): LinkEvent => ({ type: 'SCAN_QR', device: c, by: primaryOf('A'), source: 'live', idCheck: 'pass', tamper: 'none' });

export interface Abstraction {
  /** Companions of A that do everything. */
  readonly full: readonly CompanionId[];
  /** Companions of A that only link by QR and get unlinked: they fill the slots. */
  readonly fillers: readonly CompanionId[];
  /**
   * Companions of A that only ask for a pairing code of their own and have it entered right (the
   * cross-account pass): the "stranger" whose request for the same number must not touch the full
   * companion's code, and whose code the full companion's steps must not touch (PAIR-06).
   */
  readonly rivals?: readonly CompanionId[];
  readonly maxMessages: number;
  /** ADVANCE steps on a path: windows would otherwise accumulate arbitrary offsets. */
  readonly maxTimeSteps: number;
  readonly keySpec: KeySpec;
  /**
   * False: try every filler and every probe everywhere (no alphabet reduction). The reductions
   * must reach the same states; a test compares the two.
   */
  readonly reduceAlphabet?: boolean;
  /** True: account B gets the mirror of each full companion, and every cross-account step is tried. */
  readonly crossAccount?: boolean;
}

export function defaultAbstraction(profile: Profile, maxMessages = 1, maxTimeSteps = 3): Abstraction {
  const slots = COMPANION_SLOTS.slice(0, Math.max(profile.maxCompanions + 1, 2));
  const full = slots.slice(0, 1);
  const fillers = slots.slice(1);
  return {
    full: full.map((s) => `A.${s}` as CompanionId),
    fillers: fillers.map((s) => `A.${s}` as CompanionId),
    maxMessages,
    maxTimeSteps,
    keySpec: { groups: [full, COMPANION_SLOTS.slice(slots.length)], fillers },
  };
}

/**
 * The cross-account pass: the limit scaled to 1 (the full companion alone reaches it), no fillers,
 * and B with the mirror of the full companion. Cross-account steps are refusals that read both
 * accounts and change only the acting one; trying them in the main pass would multiply its states
 * by every state of B's companion and code (measured: over ten minutes for the quick configuration).
 */
export function crossAccountProfile(profile: Profile): Profile {
  return profile.maxCompanions > 1 ? { ...profile, maxCompanions: 1 } : profile;
}

export function crossAccountAbstraction(maxMessages = 1, maxTimeSteps = 3): Abstraction {
  return {
    full: ['A.c1'],
    fillers: [],
    rivals: ['A.c2'],
    maxMessages,
    maxTimeSteps,
    keySpec: { groups: [['c1'], ['c2'], COMPANION_SLOTS.slice(2)], fillers: [] },
    crossAccount: true,
  };
}

/** The abstraction's alphabet: the events tried from a state. */
export function exploreAlphabet(abstraction: Abstraction) {
  const { full, fillers, maxMessages, maxTimeSteps } = abstraction;
  const reduce = abstraction.reduceAlphabet !== false;
  return (node: SpaceNode): LinkEvent[] => {
    if (abstraction.crossAccount) {
      return [
        ...full.flatMap((c) => crossAccountSteps(node.world, c, reduce)),
        ...(abstraction.rivals ?? []).flatMap(rivalSteps),
        ...(node.timeSteps >= maxTimeSteps ? [] : timeSteps(node.world)),
      ];
    }
    const sendId = node.sent < maxMessages ? `m${node.sent + 1}` : null;

    // A filler that shows a QR is scanned next, nothing in between: fillers stay out of the
    // timing and pairing combinations, which the full companion explores.
    const linking = fillers.find((c) => companionOf(node.world, c)?.status === 'linking');
    if (linking) return [scanLive(linking)];
    return [
      { type: 'REGISTER', account: 'A', idCheck: true },
      { type: 'REGISTER', account: 'B', idCheck: false },
      { type: 'REREGISTER', account: 'A', proof: true },
      { type: 'REREGISTER', account: 'A', proof: false },
      { type: 'LOGOUT', account: 'A' },
      { type: 'GO_OFFLINE', device: 'A.primary' },
      { type: 'GO_ONLINE', device: 'A.primary' },
      ...(sendId ? (['A.primary', 'B.primary'] as DeviceId[]).map((from): LinkEvent => ({ type: 'SEND', from, id: sendId })) : []),
      ...full.flatMap((c) => companionSteps(node.world, c, fillers[0] ?? c, sendId, reduce)),
      ...(reduce ? representativeFillers(node.world, fillers) : fillers).flatMap(fillerSteps),
      ...(node.timeSteps >= maxTimeSteps ? [] : timeSteps(node.world)),
      { type: 'RESTART' },
    ];
  };
}

/** What each configuration explores: the profile it scales, the bounds on a path. */
export const EXPLORE_CONFIGS: Record<ExploreConfig, { readonly maxCompanions?: number; readonly maxMessages: number; readonly maxTimeSteps: number }> = {
  full: { maxMessages: 1, maxTimeSteps: 1 },
  quick: { maxCompanions: 2, maxMessages: 0, maxTimeSteps: 1 },
};

/** The profile a configuration explores: the quick one scales the companion limit down. */
export function exploredProfile(profile: Profile, config: ExploreConfig = 'full'): Profile {
  const cap = EXPLORE_CONFIGS[config].maxCompanions;
  return cap !== undefined && profile.maxCompanions > cap ? { ...profile, maxCompanions: cap } : profile;
}

/** The reductions of an abstraction, in words (the result's `abstraction`). */
export function describeAbstraction(profile: Profile, abstraction: Abstraction, scaledFrom?: number): string[] {
  const scaled = scaledFrom !== undefined ? [`companion limit scaled from ${scaledFrom} to ${profile.maxCompanions} (the limit logic is the same for any value)`] : [];
  const time = [
    'time is relative: only the elapsed time of running windows is kept (QR attempt, code lifetime, primary dormancy, companion idleness)',
    `at most ${abstraction.maxTimeSteps} ADVANCE step(s) on a path, each to a boundary ahead − 1 ms or exactly to it (every pending deadline and the QR photo's expiry)`,
  ];
  if (abstraction.crossAccount) {
    return [
      ...scaled,
      `each account has a primary and one companion (${abstraction.full.flatMap((c) => [c, mirrorOf(c)]).join(', ')}) that shows a QR, asks for a code and is linked by its own primary's scan; A's primary has an ID check`,
      "the cross-account steps: A's primary or companion scanning B's companion (live, from its photo, with a failed ID check, with a tampered key), B's primary scanning A's; A's primary entering B's companion's code (ID check passing or failing), which counts no attempt anywhere; unlinking the other account's primary or companion, both ways",
      ...(abstraction.rivals?.length ? [`a rival companion of A (${abstraction.rivals.join(', ')}) asks for a code of its own for the same number and has it entered right, while ${abstraction.full.join(', ')} holds a code or links: neither request touches the other's code (PAIR-06, the stranger of issue 10)`] : []),
      'no message, no filler: the main pass explores those; these steps only add refusals that read both accounts',
      ...time,
    ];
  }
  return [
    ...scaled,
    'account B is a primary only, always online: the other end of the conversation (cross-account steps have their own pass)',
    `one companion of A (${abstraction.full.join(', ')}) does everything, including the refusal probes (tampered QR, failed ID check, approval by a companion, wrong code, unlink by a companion)`,
    'every event type is tried in every state in its plain form; the SCAN_QR probes (failed ID check, approval by a companion, tampered reference or key) only where the companion has a QR attempt: elsewhere NO_QR, first in the precedence, answers them as it answers the plain scan',
    `${abstraction.fillers.length} filler companions (${abstraction.fillers.join(', ')}) only show a QR that the primary scans at once, and get unlinked; they are symmetric: counted by status (available / linking / linked online / linked offline), not named, and each step is tried on one filler of each status only`,
    'companions in a symmetry group are interchangeable (sorted records)',
    ...time,
    `at most ${abstraction.maxMessages} message(s) sent on a path`,
    'device-list versions, notices and sign-out reasons are not in the state key (no guard reads them; the step invariants check them on every step)',
    'state invariants are checked once per abstract state; step invariants on every step tried',
  ];
}

/** One line per step of a path, numbered, for a report or the terminal. */
export function formatPath(path: readonly LinkEvent[]): string[] {
  return path.map((event, i) => `${String(i + 1).padStart(3)}. ${describeEvent(event)}`);
}

/** One search of the check: its own profile and abstraction; `cross` is the cross-account pass. */
export interface ExplorePass {
  readonly name: 'main' | 'cross-account';
  readonly states: number;
  readonly transitions: number;
  readonly durationMs: number;
  readonly complete: boolean;
  readonly maxCompanions: number;
}

/**
 * The whole check: the main pass (the configuration's abstraction) and, unless the caller gives
 * its own abstraction, the cross-account pass. Figures are summed; a violation of an invariant is
 * reported once, from the first pass that finds it.
 */
export function exploreModel(givenProfile: Profile = DEFAULT_PROFILE, options: ExploreOptions = {}): ExploreResult {
  const started = performance.now();
  const config = options.config ?? 'full';
  const profile = exploredProfile(givenProfile, config);
  const { maxMessages, maxTimeSteps } = EXPLORE_CONFIGS[config];
  const broken = new Set<string>();
  const scaledFrom = profile === givenProfile ? undefined : givenProfile.maxCompanions;
  const main = explorePass(profile, options.abstraction ?? defaultAbstraction(profile, maxMessages, maxTimeSteps), options, broken, 'main', scaledFrom);
  const stop = options.stopAtFirstViolation === true && main.violations.length > 0;
  const passes = options.abstraction || stop ? [main]
    : [main, explorePass(crossAccountProfile(profile), crossAccountAbstraction(maxMessages, maxTimeSteps), options, broken, 'cross-account', profile.maxCompanions > 1 ? profile.maxCompanions : undefined)];
  return {
    states: passes.reduce((n, p) => n + p.pass.states, 0),
    transitions: passes.reduce((n, p) => n + p.pass.transitions, 0),
    invariants: (options.invariants ?? INVARIANTS).length,
    durationMs: Math.round(performance.now() - started),
    complete: passes.every((p) => p.pass.complete),
    violations: passes.flatMap((p) => p.violations),
    profile,
    abstraction: passes.length === 1 ? main.abstraction : [
      ...main.abstraction,
      `cross-account pass (${passes[1]!.pass.states.toLocaleString('en-US')} of the states): ${passes[1]!.abstraction.join('; ')}`,
    ],
    passes: passes.map((p) => p.pass),
  };
}

function explorePass(profile: Profile, abstraction: Abstraction, options: ExploreOptions, broken: Set<string>, name: ExplorePass['name'], scaledFrom?: number) {
  const started = performance.now();
  const invariants = options.invariants ?? INVARIANTS;
  const stateInvariants = invariants.filter((inv): inv is Extract<Invariant, { kind: 'state' }> => inv.kind === 'state');
  const stepInvariants = invariants.filter((inv): inv is Extract<Invariant, { kind: 'step' }> => inv.kind === 'step');
  const violations: Violation[] = [];
  const report = (inv: Invariant, detail: string, path: () => LinkEvent[]) => {
    if (broken.has(inv.id)) return;
    broken.add(inv.id);
    violations.push({ invariant: inv.id, requirements: inv.requirements, detail, path: path() });
  };
  const stopping = () => options.stopAtFirstViolation === true && violations.length > 0;
  // A state that breaks a state invariant is not expanded: its world is already wrong.
  const checkState = (node: SpaceNode, path: () => LinkEvent[]): 'continue' | 'prune' | 'stop' => {
    for (const inv of stateInvariants) {
      const detail = inv.check(node);
      if (detail) { report(inv, detail, path); return stopping() ? 'stop' : 'prune'; }
    }
    return 'continue';
  };
  const result = searchStateSpace({
    profile,
    ...(options.machine ? { machine: options.machine } : {}),
    maxStates: options.maxStates ?? 3_000_000,
    alphabet: exploreAlphabet(abstraction),
    keySpec: abstraction.keySpec,
    onState: (node, pathTo) => (node.index === 0 ? checkState(node, () => pathTo(0)) : 'continue'),
    onEdge: (edge, pathTo) => {
      const path = () => [...pathTo(edge.from.index), edge.event];
      // A new state's own invariants first: a broken world is the more basic fact.
      if (edge.isNew) {
        const verdict = checkState(edge.to, path);
        if (verdict !== 'continue') return verdict;
      }
      const before: ModelState = edge.from;
      for (const inv of stepInvariants) {
        const detail = inv.check(before, edge.event, edge.to);
        if (detail) { report(inv, detail, path); if (stopping()) return 'stop'; }
      }
      return 'continue';
    },
  });
  const pass: ExplorePass = {
    name, states: result.states, transitions: result.transitions, complete: result.complete,
    durationMs: Math.round(performance.now() - started), maxCompanions: profile.maxCompanions,
  };
  return { pass, violations, abstraction: describeAbstraction(profile, abstraction, scaledFrom) };
}
