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
import { REPORT_SCHEMA_VERSION, type CheckKind, type CheckResult, type RunReport } from '../reports/schema.js';
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
import { canSetAside, continuationId, narrowAdapter, parseContinuationId, SET_ASIDE } from './tolerance.js';
import { countVerdicts, coverageOf, requirementVerdicts, statechartColouring } from './verdicts.js';
import { formatShard, inShard, type Shard } from './shard.js';

export type ProgressEvent =
  | { readonly kind: 'start'; readonly total: number }
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
        const session = await runPath({ adapter, profile, createOracle: model.createOracle, coverage, events: path.events, compareNotices: path.requirements.includes('NOTE-01') });
        const failure = failureFromSession(session);
        return { status: failure ? 'fail' : 'pass', steps: session.records.length, failure };
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
    if (!chosen.length) throw new UsageError('BAD_CHECK', `no check '${options.check}'; known: ${checks.map((c) => c.id).join(', ')}`);
    return chosen;
  }
  const only = options.only?.length ? new Set<string>(options.only) : undefined;
  return checks.filter((c) => (!only || c.requirements.some((r) => only.has(r))) && inShard(c.id, options.shard));
}

/** The ids of every check a full run plans, in plan order (what `linkspec merge` orders by). */
export function plannedCheckIds(profile: Profile, model: ModelSource): string[] {
  return [...model.coveringPaths(profile).map((p) => `path:${p.id}`), PROPERTY_CHECK_ID, ...SECURITY_CHECKS.map((c) => c.id)];
}

export async function runSuite(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const model = options.model ?? await loadModelSource();
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const runs = options.runs ?? DEFAULT_RUNS;
  const coverage: Coverage = { states: new Set(), transitions: new Set() };
  const planned = select(plan(options, model, coverage, seed, runs), options, (setAside) => propertyCheck(options, model, coverage, seed, runs, setAside));
  const replayBase = { adapterSpec: options.adapterSpec, profileFile: options.profileFile };
  options.onProgress?.({ kind: 'start', total: planned.length });

  const results: CheckResult[] = [];
  for (let i = 0; i < planned.length; i += 1) {
    const check = planned[i];
    const t0 = Date.now();
    const lacking = missing(check.needs, options.adapter.capabilities);
    let result: CheckResult;
    const base = { id: check.id, title: check.title, kind: check.kind, requirements: check.requirements };
    if (lacking.length) {
      result = { ...base, status: 'skipped', skipReason: skipReason(lacking), durationMs: 0, steps: 0 };
    } else {
      const out = await check.run();
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
  return reportOf({ ...options, seed, runs }, model, coverage, results, started);
}

/** What judging a run needs besides its results: the run's options, the adapter as reported. */
export type JudgedRun = Omit<RunOptions, 'adapter' | 'seed' | 'runs' | 'onProgress' | 'model'> & {
  readonly adapter: Pick<Adapter, 'name' | 'description'> & { readonly capabilities: Iterable<string> };
  readonly seed: number;
  readonly runs: number;
};

/**
 * The run report from the checks' results: requirement verdicts, baseline, verdict, coverage,
 * statechart. runSuite calls it when its checks are done; `linkspec merge` with the union of the
 * shards' results and coverage, so a merged run is judged exactly as an unsharded one.
 */
export async function reportOf(options: JudgedRun, model: ModelSource, coverage: Coverage, results: readonly CheckResult[], started: number): Promise<RunReport> {
  const { seed, runs } = options;
  const replayBase = { adapterSpec: options.adapterSpec, profileFile: options.profileFile };
  const elements = model.modelElements(options.profile);
  // A run narrowed by --only or --check judges only what it was narrowed to.
  const judged = options.check
    ? new Set(results.flatMap((r) => [...r.requirements, ...(r.failure ? [r.failure.requirement] : [])]))
    : options.only?.length ? new Set<string>(options.only) : undefined;
  const ids = REQUIREMENTS.filter((r) => !judged || judged.has(r.id)).map((r) => r.id);
  const accepted = new Set<string>(options.baseline?.accepted.map((a) => a.requirement) ?? []);
  const requirements = requirementVerdicts(ids, results, elements, accepted);
  const baseline = options.baseline ? applyBaseline(options.baseline, requirements) : undefined;
  const mustFails = requirements.filter((r) => r.verdict === 'fail' && !r.baselined);
  const conformant = mustFails.length === 0 && (baseline?.stale.length ?? 0) === 0;
  const failing = new Set(requirements.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.id));
  const statechartSvg = elements.length ? await model.statechartSvg(options.profile, statechartColouring(elements, coverage, failing)) : undefined;
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'linkspec', version: toolVersion() },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    verdict: conformant ? 'conformant' : 'non-conformant',
    adapter: { name: options.adapter.name, description: options.adapter.description, capabilities: [...options.adapter.capabilities].sort() },
    profile: { ...options.profile },
    options: { seed, runs, ...(options.only?.length ? { only: [...options.only] } : {}), ...(options.shard ? { shard: formatShard(options.shard) } : {}) },
    summary: {
      requirements: countVerdicts(requirements),
      checks: { total: results.length, pass: count('pass'), fail: count('fail'), skipped: count('skipped') },
      modelSteps: results.reduce((n, r) => n + r.steps, 0),
    },
    requirements,
    checks: [...results],
    coverage: coverageOf(elements, coverage),
    ...(baseline ? { baseline } : {}),
    ...(statechartSvg ? { statechartSvg } : {}),
    replay: replayCommand({ ...replayBase, seed, runs, only: options.only, ...(options.shard ? { shard: formatShard(options.shard) } : {}), ...(options.check ? { check: options.check } : {}), ...(options.path ? { path: options.path } : {}) }),
  };
}
