/**
 * `linkspec merge`: the reports of the n shards of one run (`--shard 1/n` … `--shard n/n`, same
 * adapter, profile, seed, runs and --only) joined into the report of the whole run.
 *
 * Guarantees:
 * - the merged report is judged by the same code as an unsharded run (runSuite's `reportOf`), from
 *   the union of the shards' check results in plan order and the union of their statechart
 *   coverage, so verdict, requirement verdicts, coverage and failures equal those of an unsharded
 *   run with the same seed (tested: conformance/test/shardMerge.test.ts);
 * - the baseline is re-applied to the whole run: an entry one shard saw failing and another never
 *   ran is accepted, not stale;
 * - shards that do not belong together are refused with a stable code, nothing written:
 *   MERGE_MISMATCH (different adapter, profile, seed, runs, --only, tool or schema version, or a
 *   report that is not a shard), MERGE_INCOMPLETE (a shard of 1..n missing), MERGE_DUPLICATE (a
 *   shard or a check given twice); an unreadable or invalid report.json is BAD_MERGE_INPUT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { UsageError } from '../cli/exit.js';
import { parseProfile } from '../cli/profileFile.js';
import { isRequirementId, type RequirementId } from '../model/requirements.js';
import { parseReport, ReportParseError } from '../reports/reportSchema.js';
import type { CheckResult, RunReport } from '../reports/schema.js';
import type { Baseline } from './baseline.js';
import type { Coverage } from './lockstep.js';
import { situationsFor } from './situations.js';
import type { Capability } from './contract.js';
import { loadModelSource, type ModelSource } from './modelSource.js';
import { PROPERTY_CHECK_ID } from './propertySuite.js';
import { plannedCheckIds, reportOf } from './runSuite.js';
import { parseShard } from './shard.js';

export interface ShardReport {
  /** Where it was read from, for error messages. */
  readonly source: string;
  readonly report: RunReport;
}

/** Reads `DIR/report.json` (or a report.json path) and validates it. */
export function readShardReport(dirOrFile: string): ShardReport {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'report.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError('BAD_MERGE_INPUT', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (give the --out folder of each shard)' : (error as Error).message}`);
  }
  try {
    return { source: file, report: parseReport(json) };
  } catch (error) {
    if (error instanceof ReportParseError) throw new UsageError('BAD_MERGE_INPUT', `${file}: ${error.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    throw error;
  }
}

/** Splits a replay command back into words (the inverse of replay.ts's quoting). */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return out;
}

function flag(command: string, name: string): string | undefined {
  const w = words(command);
  const i = w.indexOf(name);
  return i >= 0 ? w[i + 1] : undefined;
}

function same(reports: readonly ShardReport[], what: string, pick: (r: RunReport) => unknown): void {
  const first = pick(reports[0].report);
  for (const other of reports.slice(1)) {
    if (!isDeepStrictEqual(pick(other.report), first)) {
      throw new UsageError('MERGE_MISMATCH', `${other.source} and ${reports[0].source} differ in ${what}: not shards of one run`);
    }
  }
}

/** Plan order; a property continuation right after the walk that spawned it, in the order it ran. */
function planOrder(ids: readonly string[], checks: readonly CheckResult[]): CheckResult[] {
  const rank = new Map(ids.map((id, i) => [id, i]));
  const position = new Map(checks.map((c, i) => [c, i]));
  const key = (c: CheckResult) => rank.get(c.id) ?? (c.id.startsWith(PROPERTY_CHECK_ID) ? rank.get(PROPERTY_CHECK_ID) ?? ids.length : ids.length);
  return [...checks].sort((a, b) => key(a) - key(b) || position.get(a)! - position.get(b)!);
}

export async function mergeShards(shards: readonly ShardReport[], model?: ModelSource): Promise<RunReport> {
  if (shards.length === 0) throw new UsageError('MERGE_INCOMPLETE', 'no shard reports given');
  for (const s of shards) {
    if (!s.report.options.shard) throw new UsageError('MERGE_MISMATCH', `${s.source} is not a shard (run with --shard i/n)`);
  }
  same(shards, 'tool or schema version', (r) => [r.schemaVersion, r.tool]);
  same(shards, 'adapter', (r) => r.adapter);
  same(shards, 'profile', (r) => r.profile);
  same(shards, 'seed, runs or --only', (r) => [r.options.seed, r.options.runs, r.options.only ?? []]);
  same(shards, 'baseline file', (r) => r.baseline?.file);
  same(shards, 'the replay command (adapter spec or profile file)', (r) => [flag(r.replay, '--adapter'), flag(r.replay, '--profile')]);
  const parsed = shards.map((s) => ({ ...s, shard: parseShard(s.report.options.shard!) }));
  const count = parsed[0].shard.count;
  const seen = new Map<number, string>();
  for (const s of parsed) {
    if (s.shard.count !== count) throw new UsageError('MERGE_MISMATCH', `${s.source} is shard ${s.report.options.shard}, ${parsed[0].source} is one of ${count}`);
    const twice = seen.get(s.shard.index);
    if (twice) throw new UsageError('MERGE_DUPLICATE', `shard ${s.shard.index}/${count} given twice: ${twice} and ${s.source}`);
    seen.set(s.shard.index, s.source);
  }
  const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (absent.length) throw new UsageError('MERGE_INCOMPLETE', `missing shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${count}`).join(', ')}`);

  const checks = shards.flatMap((s) => s.report.checks);
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) throw new UsageError('MERGE_DUPLICATE', `check ${c.id} is in more than one shard report`);
    ids.add(c.id);
  }

  const first = shards[0].report;
  const source = model ?? await loadModelSource();
  const profile = parseProfile(first.profile, `${shards[0].source}: profile`);
  const elements = source.modelElements(profile);
  // Covered by the whole run = covered by some shard: uncovered only where every shard missed it.
  const missedByAll = (kind: 'states' | 'transitions') => {
    const lists = shards.map((s) => new Set(s.report.coverage[kind].uncovered));
    return new Set([...lists[0]].filter((id) => lists.every((l) => l.has(id))));
  };
  const missedStates = missedByAll('states');
  const missedTransitions = missedByAll('transitions');
  // Named situations (conformance/situations.ts): reached by the run = reached by some shard.
  const situations = new Set(shards.flatMap((s) => {
    const c = s.report.coverage.situations;
    return c ? situationsFor(new Set(s.report.adapter.capabilities as Capability[])).map((x) => x.id).filter((id) => !c.uncovered.includes(id)) : [];
  }));
  const coverage: Coverage = {
    states: new Set(elements.filter((e) => e.kind === 'state' && !missedStates.has(e.id)).map((e) => e.id)),
    transitions: new Set(elements.filter((e) => e.kind === 'transition' && !missedTransitions.has(e.id)).map((e) => e.id)),
    situations,
  };

  // The baseline's entries that mattered in some shard: failing there (accepted) or passing (stale).
  let baseline: Baseline | undefined;
  if (first.baseline) {
    const listed = new Set(shards.flatMap((s) => [...(s.report.baseline?.accepted ?? []), ...(s.report.baseline?.stale ?? [])]));
    baseline = { file: first.baseline.file, accepted: [...listed].filter(isRequirementId).map((requirement) => ({ requirement, reason: 'from the shard reports' })) };
  }

  const starts = shards.map((s) => Date.parse(s.report.startedAt));
  const ends = shards.map((s) => Date.parse(s.report.startedAt) + s.report.durationMs);
  const replay = first.replay;
  const merged = await reportOf({
    adapter: first.adapter,
    adapterSpec: flag(replay, '--adapter') ?? first.adapter.name,
    profile,
    profileFile: flag(replay, '--profile'),
    seed: first.options.seed,
    runs: first.options.runs,
    ...(first.options.only ? { only: first.options.only as RequirementId[] } : {}),
    ...(baseline ? { baseline } : {}),
  }, source, coverage, planOrder(plannedCheckIds(profile, source), checks), Math.min(...starts));
  return { ...merged, tool: first.tool, startedAt: new Date(Math.min(...starts)).toISOString(), durationMs: Math.max(...ends) - Math.min(...starts) };
}
