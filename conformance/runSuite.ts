/**
 * The runner: plans the three suites (model paths, property runs, targeted checks), runs them
 * against one adapter with the model as oracle, and returns the run report (reports/schema.ts):
 * a verdict per requirement with its evidence, statechart coverage, every failure with its path
 * in words and one replay command, the baseline outcome, and the top-level verdict.
 * Steps or checks needing capabilities the adapter lacks are skipped with the reason, never passed.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/exit.js';
import type { Profile } from '../model/profile.js';
import { requirement, REQUIREMENTS, type RequirementId } from '../model/requirements.js';
import { REPORT_SCHEMA_VERSION, type CheckKind, type CheckResult, type ClaimOutcome, type RunFault, type RunReport, type RunVerdict } from '../reports/schema.js';
import { classMusts, classRequirements, conformanceClass, DEFAULT_CLASS, type ClassId } from '../model/classes.js';
import { guardAdapter, type GuardLimits } from './adapterGuard.js';
import { messageOf, RunClock, RunFaultError } from './runFault.js';
import { CAPABILITIES } from './contract.js';
import { formatShard, inShard, type Shard } from './shard.js';
import { describeCheckIds } from './checkIds.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { eventNeeds, missing, REQUIREMENT_NEEDS, skipReason } from './capabilities.js';
import { SECURITY_CHECKS } from './checks/index.js';
import type { Adapter, Capability } from './contract.js';
import { failureFromSession, type FailureDraft } from './failure.js';
import { openLockstep, runPath, type Coverage } from './lockstep.js';
import { loadModelSource, type ModelSource } from './modelSource.js';
import { DEFAULT_RUNS, PROPERTY_CHECK_ID, runPropertySuite } from './propertySuite.js';
import { replayCommand } from './replay.js';
import { leftOutSteps } from './stepCommands.js';
import { situationsFor } from './situations.js';
import { canSetAside, continuationId, narrowAdapter, parseContinuationId, SET_ASIDE } from './tolerance.js';
import { countVerdicts, coverageOf, requirementVerdicts, statechartColouring } from './verdicts.js';

export type ProgressEvent =
  | { readonly kind: 'start'; readonly total: number }
  | { readonly kind: 'begin'; readonly done: number; readonly total: number; readonly id: string }
  | { readonly kind: 'check'; readonly done: number; readonly total: number; readonly result: CheckResult };

export interface RunOptions {
  readonly adapter: Adapter;
  /** As given on the command line; used in replay commands. */
  readonly adapterSpec: string;
  readonly profile: Profile;
  /** The profile file, if one was given (for replay commands). */
  readonly profileFile?: string;
  readonly seed?: number;
  readonly runs?: number;
  /** A property counterexamplePath to replay (with `seed` and check = the property check). */
  readonly path?: string;
  readonly only?: readonly RequirementId[];
  readonly check?: string;
  readonly baseline?: Baseline;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** The model; the real one unless a test substitutes it. */
  readonly model?: ModelSource;
  /** Run only this shard's checks (conformance/shard.ts); `linkspec merge` joins the reports. */
  readonly shard?: Shard;
  /** The conformance class claimed (model/classes.ts); default full. */
  readonly claim?: ClassId;
  /** The whole run's budget; when it runs out the verdict is budget-exhausted. */
  readonly budgetMs?: number;
  /** Deadline of one adapter operation or observe (adapterGuard.ts DEFAULT_CALL_MS). */
  readonly callMs?: number;
  /** Deadline of open, close and dispose (adapterGuard.ts DEFAULT_LIFECYCLE_MS). */
  readonly lifecycleMs?: number;
  readonly limits?: Partial<GuardLimits>;
  /** Shared with the caller, which may interrupt the run (SIGINT). Built from budgetMs when absent. */
  readonly clock?: RunClock;
  /** Dispose the adapter at the end, inside the run (a fault in dispose is the run's fault). */
  readonly dispose?: boolean;
  /** Called with an unexpected error that ended the run as harness-error (the CLI prints its stack with --debug). */
  readonly onHarnessError?: (error: unknown) => void;
}

type Outcome = {
  status: 'pass' | 'fail'; steps: number; failure?: FailureDraft; seed?: number; counterexamplePath?: string;
  /** Set when what the check exercised is known only after running it (property walks). */
  requirements?: readonly string[];
};

interface PlannedCheck {
  readonly id: string;
  readonly title: string;
  readonly kind: CheckKind;
  readonly requirements: readonly string[];
  readonly needs: readonly Capability[];
  readonly run: () => Promise<Outcome>;
  /** Replay arguments beyond --check (the property's seed and path). */
  readonly replayExtra?: (o: Outcome) => { seed?: number; path?: string };
  /** A check to run next, decided by this one's outcome (property continuations). */
  readonly followUp?: (o: Outcome) => PlannedCheck | undefined;
}

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function plan(options: RunOptions, model: ModelSource, coverage: Coverage, seed: number, runs: number): PlannedCheck[] {
  const { adapter, profile } = options;
  const checks: PlannedCheck[] = [];
  for (const path of model.coveringPaths(profile)) {
    checks.push({
      id: `path:${path.id}`, title: path.title, kind: 'model-path', requirements: path.requirements,
      needs: [...new Set(path.events.flatMap(eventNeeds))],
      run: async () => {
        const go = () => runPath({ adapter, profile, createOracle: model.createOracle, coverage, events: path.events, compareNotices: path.requirements.includes('NOTE-01') });
        const session = await go();
        const failure = failureFromSession(session);
        if (!failure) return { status: 'pass', steps: session.records.length };
        // A failure is replayed once: one that does not fail again is flaky, reported with both observations.
        const again = await go();
        const steps = session.records.length + again.records.length;
        if (failureFromSession(again)) return { status: 'fail', steps, failure };
        return { status: 'fail', steps, failure: { ...failure, message: `flaky, did not fail again on replay: ${failure.message}`, flaky: { replayObserved: `the same path showed no difference in ${again.records.length} steps`, replayPath: again.records } } };
      },
    });
  }
  checks.push(propertyCheck(options, model, coverage, seed, runs, []));
  for (const check of SECURITY_CHECKS) {
    checks.push({
      id: check.id, title: check.title, kind: 'security', requirements: check.requirements, needs: check.needs,
      run: () => check.run({ profile, openSession: () => openLockstep({ adapter, profile, createOracle: model.createOracle, coverage, compareNotices: check.requirements.includes('NOTE-01') }) }),
    });
  }
  return checks;
}

/**
 * The property walks; `setAside` lists SHOULD deviations already found (conformance/tolerance.ts).
 * When the walks stop at a SHOULD deviation that can be set aside, a continuation follows.
 */
function propertyCheck(options: RunOptions, model: ModelSource, coverage: Coverage, seed: number, runs: number, setAside: readonly RequirementId[]): PlannedCheck {
  const { adapter, profile } = options;
  const caps = narrowAdapter(adapter, setAside).capabilities;
  const leftOut = leftOutSteps(caps);
  const id = continuationId(PROPERTY_CHECK_ID, setAside);
  const notes = [
    ...(leftOut.length ? [`left out, adapter lacks the capability: ${leftOut.join(', ')}`] : []),
    ...setAside.map((r) => `${r} set aside: ${SET_ASIDE[r]}`),
  ];
  return {
    id,
    title: `Random walks of meaningful steps, model as oracle after every step${notes.length ? ` (${notes.join('; ')})` : ''}`,
    kind: 'property',
    // Selection by --only uses what the walks could reach; the result names what they did reach.
    requirements: REQUIREMENTS.filter((r) => !r.outsideStateModel && !setAside.includes(r.id) && REQUIREMENT_NEEDS[r.id].every((c) => caps.has(c))).map((r) => r.id),
    needs: [],
    run: () => runPropertySuite({ adapter, profile, createOracle: model.createOracle, coverage, seed, runs, setAside, path: options.check === id ? options.path : undefined }),
    replayExtra: (o) => ({ seed: o.seed, path: o.counterexamplePath }),
    followUp: (o) => {
      const r = o.failure?.requirement;
      if (!r || !canSetAside(r) || setAside.includes(r) || requirement(r).level !== 'SHOULD') return undefined;
      return propertyCheck(options, model, coverage, seed, runs, [...setAside, r]);
    },
  };
}

function select(checks: PlannedCheck[], options: RunOptions, continuation: (setAside: RequirementId[]) => PlannedCheck): PlannedCheck[] {
  if (options.check) {
    const setAside = parseContinuationId(options.check, PROPERTY_CHECK_ID);
    if (setAside?.length) return [continuation(setAside)];
    const chosen = checks.filter((c) => c.id === options.check);
    if (!chosen.length) throw new UsageError('BAD_CHECK', `no check '${options.check}'\n${describeCheckIds(options.check, checks.map((c) => c.id))}`);
    return chosen;
  }
  const only = options.only?.length ? new Set<string>(options.only) : undefined;
  return checks.filter((c) => (!only || c.requirements.some((r) => only.has(r))) && inShard(c.id, options.shard));
}

/** The ids of every check a full run plans, in plan order (what `linkspec merge` orders by). */
export function plannedCheckIds(profile: Profile, model: ModelSource): string[] {
  return [...model.coveringPaths(profile).map((p) => `path:${p.id}`), PROPERTY_CHECK_ID, ...SECURITY_CHECKS.map((c) => c.id)];
}

export async function runSuite(given: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const clock = given.clock ?? new RunClock(given.budgetMs);
  const guarded = guardAdapter(given.adapter, { clock, callMs: given.callMs, lifecycleMs: given.lifecycleMs, limits: given.limits });
  const options: RunOptions = { ...given, adapter: guarded };
  const claim = options.claim ?? DEFAULT_CLASS;
  const model = options.model ?? await loadModelSource();
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const runs = options.runs ?? DEFAULT_RUNS;
  const coverage: Coverage = { states: new Set(), transitions: new Set(), situations: new Set() };
  const all = select(plan(options, model, coverage, seed, runs), options, (setAside) => propertyCheck(options, model, coverage, seed, runs, setAside));
  // A narrower claim runs only the checks serving its requirements (as --only does).
  const inClass = new Set<string>(classRequirements(claim));
  const planned = options.check || options.only?.length || claim === 'full' ? all : all.filter((c) => c.requirements.some((r) => inClass.has(r)));
  const replayBase = { adapterSpec: options.adapterSpec, profileFile: options.profileFile, claim: options.claim };
  options.onProgress?.({ kind: 'start', total: planned.length });

  const results: CheckResult[] = [];
  let fault: RunFault | undefined;
  for (let i = 0; i < planned.length && !fault; i += 1) {
    const check = planned[i];
    const t0 = Date.now();
    const lacking = missing(check.needs, options.adapter.capabilities);
    let result: CheckResult;
    const base = { id: check.id, title: check.title, kind: check.kind, requirements: check.requirements };
    if (lacking.length) {
      result = { ...base, status: 'skipped', skipReason: skipReason(lacking), lacking, durationMs: 0, steps: 0 };
    } else {
      options.onProgress?.({ kind: 'begin', done: results.length, total: planned.length, id: check.id });
      let out: Outcome;
      try {
        out = await check.run();
      } catch (error) {
        fault = faultOf(error, check.id, options.onHarnessError);
        break;
      }
      const extra = check.replayExtra?.(out) ?? {};
      // A replay (--check) reruns exactly one check; a full run follows up on SHOULD deviations.
      const next = options.check ? undefined : check.followUp?.(out);
      if (next) planned.splice(i + 1, 0, next);
      result = {
        ...base, ...(out.requirements ? { requirements: out.requirements } : {}), status: out.status, durationMs: Date.now() - t0, steps: out.steps,
        ...(out.failure ? { failure: {
          ...out.failure,
          ...(out.seed !== undefined ? { seed: out.seed } : {}),
          ...(out.counterexamplePath ? { counterexamplePath: out.counterexamplePath } : {}),
          replay: replayCommand({ ...replayBase, check: check.id, ...extra }),
        } } : {}),
      };
    }
    results.push(result);
    options.onProgress?.({ kind: 'check', done: results.length, total: planned.length, result });
  }
  if (options.dispose) {
    try {
      await guarded.dispose?.();
    } catch (error) {
      fault ??= faultOf(error, undefined, options.onHarnessError);
    }
  }

  return buildReport({ options, model, coverage, seed, runs, claim, results, fault, started });
}

/** A thrown error as the fault that ended the run: the adapter's (with its call), the budget's, or linkspec's own. */
function faultOf(error: unknown, check: string | undefined, onHarnessError?: (error: unknown) => void): RunFault {
  if (error instanceof RunFaultError) return error.toFault(check);
  onHarnessError?.(error);
  return { kind: 'harness-error', code: 'HARNESS_ERROR', call: check ? `check ${check}` : 'the run', reason: messageOf(error), ...(check ? { check } : {}) };
}

/** What judging a run needs besides its results: the run's options, the adapter as reported. */
export type JudgedRun = Omit<RunOptions, 'adapter' | 'seed' | 'runs' | 'onProgress' | 'model'> & {
  readonly adapter: Pick<Adapter, 'name' | 'description'> & { readonly capabilities: Iterable<string> };
  readonly seed: number;
  readonly runs: number;
};

/**
 * The run report from the checks' results: requirement verdicts, baseline, verdict, coverage,
 * statechart. `linkspec merge` calls it with the union of the shards' results and coverage, so a
 * merged run is judged exactly as an unsharded one (a shard's fault, if any, carried over).
 */
export function reportOf(options: JudgedRun, model: ModelSource, coverage: Coverage, results: readonly CheckResult[], started: number, fault?: RunFault): Promise<RunReport> {
  return buildReport({ options, model, coverage, seed: options.seed, runs: options.runs, claim: options.claim ?? DEFAULT_CLASS, results, fault, started });
}

interface ReportInput {
  readonly options: JudgedRun | RunOptions;
  readonly model?: ModelSource;
  readonly coverage: Coverage;
  readonly seed: number;
  readonly runs: number;
  readonly claim: ClassId;
  readonly results: readonly CheckResult[];
  readonly fault?: RunFault;
  readonly started: number;
}

/** The claim's outcome: which MUSTs of the class did not pass, grouped once per capability the adapter lacks. */
export function claimOutcome(claim: ClassId, judged: readonly RequirementId[], requirements: RunReport['requirements'], capabilities: ReadonlySet<string>, endedEarly = false, checks: readonly CheckResult[] = []): ClaimOutcome {
  const spec = conformanceClass(claim);
  const musts = classMusts(claim).filter((r) => judged.includes(r));
  const byCapability = new Map<Capability, RequirementId[]>();
  const notExercised: RequirementId[] = [];
  const kitGaps: RequirementId[] = [];
  for (const id of musts) {
    const result = requirements.find((r) => r.id === id);
    if (result?.verdict === 'pass' || result?.verdict === 'fail') continue;
    // What the requirement needs, and what its skipped checks said they lacked.
    const skippedFor = checks.filter((c) => c.status === 'skipped' && c.requirements.includes(id)).flatMap((c) => c.lacking ?? []) as Capability[];
    const lacking = result?.verdict === 'skipped' && skippedFor.length
      ? missing([...(REQUIREMENT_NEEDS[id] ?? []), ...skippedFor], capabilities as ReadonlySet<Capability>).filter((c) => c in CAPABILITIES)
      : missing(REQUIREMENT_NEEDS[id] ?? [], capabilities as ReadonlySet<Capability>);
    for (const c of lacking) byCapability.set(c, [...(byCapability.get(c) ?? []), id]);
    if (lacking.length) continue;
    // No check of this kit ran for it at all (none planned, none skipped, none stopped early):
    // a gap in the kit, reported, not held against the implementation.
    if (!endedEarly && result?.verdict === 'not-covered' && !result.checks.length) kitGaps.push(id);
    else notExercised.push(id);
  }
  return {
    class: claim, title: spec.title, musts, capabilities: [...spec.capabilities],
    missingCapabilities: [...byCapability].map(([capability, ids]) => ({ capability, description: CAPABILITIES[capability], requirements: ids })),
    notExercised,
    ...(kitGaps.length ? { kitGaps } : {}),
  };
}

function runVerdict(fault: RunFault | undefined, mustFails: readonly RunReport['requirements'][number][], staleBaseline: boolean, flaky: boolean, claim: ClaimOutcome): RunVerdict {
  if (fault) return fault.kind;
  const solid = mustFails.filter((r) => !r.reason?.startsWith('flaky'));
  if (solid.length || staleBaseline) return 'non-conformant';
  if (flaky || mustFails.length) return 'flaky';
  if (claim.missingCapabilities.length || claim.notExercised.length) return 'incomplete';
  return 'conformant';
}

/** The report of a run, complete or ended early; every exit path of `linkspec run` writes one. */
export async function buildReport(input: ReportInput): Promise<RunReport> {
  const { options, coverage, seed, runs, claim, results, fault, started } = input;
  const elements = input.model ? input.model.modelElements(options.profile) : [];
  // A run narrowed by --only or --check judges only what it was narrowed to.
  // A replayed failing check (--check) judges the failure it shows, not what it stopped before.
  const judged = options.check
    ? new Set(results.flatMap((r) => (r.failure ? [r.failure.requirement] : r.requirements)))
    : options.only?.length ? new Set<string>(options.only) : undefined;
  const inClass = new Set<string>(classRequirements(claim));
  const ids = REQUIREMENTS.filter((r) => (!judged || judged.has(r.id)) && inClass.has(r.id)).map((r) => r.id);
  const accepted = new Set<string>(options.baseline?.accepted.map((a) => a.requirement) ?? []);
  const requirements = requirementVerdicts(ids, results, elements, accepted).map((r) => fault && r.verdict === 'not-covered' && !r.checks.length
    ? { ...r, reason: `the run ended early (${fault.kind} ${fault.code}) before any check for it ran` } : r);
  const baseline = options.baseline ? applyBaseline(options.baseline, requirements) : undefined;
  const mustFails = requirements.filter((r) => r.verdict === 'fail' && !r.baselined);
  const flaky = results.some((r) => r.failure?.flaky && requirement(r.failure.requirement as RequirementId).level === 'MUST' && inClass.has(r.failure.requirement));
  const capabilities = new Set<string>(options.adapter.capabilities);
  const claimed = claimOutcome(claim, ids, requirements, capabilities, fault !== undefined, results);
  const verdict = runVerdict(fault, mustFails, (baseline?.stale.length ?? 0) > 0, flaky, claimed);
  const failing = new Set(requirements.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.id));
  let statechartSvg: string | undefined;
  if (elements.length && input.model && fault?.kind !== 'harness-error') {
    try {
      statechartSvg = await input.model.statechartSvg(options.profile, statechartColouring(elements, coverage, failing));
    } catch {
      statechartSvg = undefined; // a picture is not worth losing the report
    }
  }
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  const replayBase = { adapterSpec: options.adapterSpec, profileFile: options.profileFile, claim: options.claim };

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'linkspec', version: toolVersion() },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    verdict,
    claim: claimed,
    ...(fault ? { fault } : {}),
    adapter: { name: options.adapter.name, description: options.adapter.description, capabilities: [...capabilities].sort() },
    profile: { ...options.profile },
    options: {
      seed, runs, ...(options.only?.length ? { only: [...options.only] } : {}), ...(options.shard ? { shard: formatShard(options.shard) } : {}), claim,
      ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
    },
    summary: {
      requirements: countVerdicts(requirements),
      checks: { total: results.length, pass: count('pass'), fail: count('fail'), skipped: count('skipped') },
      modelSteps: results.reduce((n, r) => n + r.steps, 0),
    },
    requirements,
    checks: [...results],
    coverage: coverageOf(elements, coverage, situationsFor(new Set(options.adapter.capabilities as Iterable<Capability>)).map((s) => s.id)),
    ...(baseline ? { baseline } : {}),
    ...(statechartSvg ? { statechartSvg } : {}),
    replay: replayCommand({ ...replayBase, seed, runs, only: options.only, ...(options.shard ? { shard: formatShard(options.shard) } : {}), ...(options.check ? { check: options.check } : {}), ...(options.path ? { path: options.path } : {}) }),
  };
}

/**
 * The report of a run that could not start or run at all (a usage error, an adapter that failed
 * to start, a harness error): every exit path of `linkspec run` writes a report.
 */
export function earlyReport(input: { adapterSpec: string; adapter?: Pick<Adapter, 'name' | 'description' | 'capabilities'>; profile: Profile; seed?: number; runs?: number; claim?: ClassId; budgetMs?: number; fault: RunFault; started: number }): Promise<RunReport> {
  const adapter: Adapter = {
    name: input.adapter?.name ?? input.adapterSpec, description: input.adapter?.description ?? 'the adapter did not start',
    capabilities: input.adapter?.capabilities ?? new Set(), open: () => Promise.reject(new Error('not started')),
  };
  return buildReport({
    options: { adapter, adapterSpec: input.adapterSpec, profile: input.profile, budgetMs: input.budgetMs },
    coverage: { states: new Set(), transitions: new Set() }, seed: input.seed ?? 0, runs: input.runs ?? DEFAULT_RUNS,
    claim: input.claim ?? DEFAULT_CLASS, results: [], fault: input.fault, started: input.started,
  });
}
