/**
 * Self-validation of the conformance suite (`linkspec selftest`): runs the whole suite against
 * every known-bad variant of the reference (adapters/known-bad) and builds the kill matrix.
 *
 * A variant is killed correctly when the requirement it breaks gets verdict `fail` (MUST) or
 * `non-strict` (SHOULD). It survives when no requirement fails, and is caught under the wrong
 * requirement when others fail but not that one; either makes the self-test fail (the suite is
 * missing a check). For each variant the row also gives the check that failed first (in run
 * order), the time from the start of its run to that failure, and the length of that failure's
 * shrunk path against the model's shortest path to the same violation (shortestPath.ts).
 *
 * Variants run two at a time in this process (each has its own servers on loopback ports and
 * its own model; nothing is shared), so times to first failure include that sharing.
 */
import { DEFAULT_PROFILE, type Profile } from '../model/profile.js';
import { createKnownBadAdapter, KNOWN_BAD, type KnownBadVariant } from '../adapters/known-bad/index.js';
import { DEFAULT_RUNS } from '../conformance/propertySuite.js';
import { runSuite } from '../conformance/runSuite.js';
import type { CheckResult, RunReport } from '../reports/schema.js';
import { shortestPathTo, type ShortestPath } from './shortestPath.js';

/**
 * Property runs per variant with --fast. --fast also runs only the checks that serve the broken
 * requirement (runSuite `only`), so it tells killed from survived but cannot list every other
 * requirement the variant breaks; the full run can.
 */
export const FAST_RUNS = 10;
export const SELFTEST_CONCURRENCY = 2;

export type KillOutcome = 'killed' | 'wrong-requirement' | 'survived' | 'error';

export interface KillRow {
  readonly variant: KnownBadVariant;
  readonly outcome: KillOutcome;
  /** Requirements with verdict fail or non-strict in the variant's run. */
  readonly caughtBy: readonly string[];
  /** The first failing check in run order, and the requirement its failure names. */
  readonly firstCheck?: { readonly id: string; readonly requirement: string; readonly replay: string };
  readonly timeToFirstFailureMs?: number;
  /** Steps in the first failure's shrunk path (up to and including the failing step). */
  readonly shrunkLength?: number;
  readonly shortest?: ShortestPath;
  readonly runMs: number;
  readonly error?: string;
}

export interface SelftestOptions {
  readonly fast?: boolean;
  readonly seed?: number;
  readonly runs?: number;
  /** Variant ids; default all. */
  readonly only?: readonly string[];
  readonly profile?: Profile;
  readonly concurrency?: number;
  /** Called as each variant finishes. */
  readonly onRow?: (row: KillRow) => void;
}

export interface SelftestResult {
  readonly seed: number;
  readonly runs: number;
  readonly fast: boolean;
  readonly rows: readonly KillRow[];
  readonly medianTimeToFirstFailureMs?: number;
  /** Median of shrunk length / shortest length over rows where both are known. */
  readonly medianShrunkRatio?: number;
  /** True when every variant was killed under the requirement it breaks. */
  readonly ok: boolean;
  readonly durationMs: number;
}

export function selectVariants(only: readonly string[] | undefined): KnownBadVariant[] {
  if (!only?.length) return [...KNOWN_BAD];
  return only.map((id) => {
    const v = KNOWN_BAD.find((k) => k.id === id);
    if (!v) throw new Error(`no known-bad variant '${id}'`);
    return v;
  });
}

export function judge(variant: KnownBadVariant, report: RunReport): { outcome: KillOutcome; caughtBy: string[] } {
  const caughtBy = report.requirements.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.id);
  const outcome: KillOutcome = caughtBy.includes(variant.breaks) ? 'killed' : caughtBy.length ? 'wrong-requirement' : 'survived';
  return { outcome, caughtBy };
}

async function runVariant(variant: KnownBadVariant, seed: number, runs: number, profile: Profile, fast: boolean): Promise<KillRow> {
  const adapter = createKnownBadAdapter(variant.id);
  const started = Date.now();
  let first: { result: CheckResult; at: number } | undefined;
  try {
    const report = await runSuite({
      adapter, adapterSpec: adapter.name, profile, seed, runs, ...(fast ? { only: [variant.breaks] } : {}),
      onProgress: (e) => { if (e.kind === 'check' && e.result.status === 'fail' && !first) first = { result: e.result, at: Date.now() - started }; },
    });
    const { outcome, caughtBy } = judge(variant, report);
    const failure = first?.result.failure;
    return {
      variant, outcome, caughtBy, runMs: Date.now() - started,
      ...(first && failure ? {
        firstCheck: { id: first.result.id, requirement: failure.requirement, replay: failure.replay },
        timeToFirstFailureMs: first.at,
        shrunkLength: failure.failingStep + 1,
        shortest: shortestPathTo(failure, profile),
      } : {}),
    };
  } catch (error) {
    return { variant, outcome: 'error', caughtBy: [], runMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await adapter.dispose?.();
  }
}

export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

export function shrunkRatio(row: KillRow): number | undefined {
  return row.shortest?.kind === 'found' && row.shrunkLength !== undefined ? row.shrunkLength / row.shortest.length : undefined;
}

export async function runSelftest(options: SelftestOptions = {}): Promise<SelftestResult> {
  const started = Date.now();
  const fast = options.fast ?? false;
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const runs = options.runs ?? (fast ? FAST_RUNS : DEFAULT_RUNS);
  const profile = options.profile ?? DEFAULT_PROFILE;
  const variants = selectVariants(options.only);
  const rows: KillRow[] = new Array(variants.length);
  let next = 0;
  const worker = async () => {
    while (next < variants.length) {
      const i = next++;
      rows[i] = await runVariant(variants[i]!, seed, runs, profile, fast);
      options.onRow?.(rows[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? SELFTEST_CONCURRENCY, variants.length)) }, worker));
  const ttf = rows.flatMap((r) => (r.timeToFirstFailureMs === undefined ? [] : [r.timeToFirstFailureMs]));
  const ratios = rows.flatMap((r) => { const x = shrunkRatio(r); return x === undefined ? [] : [x]; });
  return {
    seed, runs, fast, rows,
    medianTimeToFirstFailureMs: median(ttf),
    medianShrunkRatio: median(ratios),
    ok: rows.every((r) => r.outcome === 'killed'),
    durationMs: Date.now() - started,
  };
}
