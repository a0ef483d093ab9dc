/**
 * Shards and merge: `--shard i/n` is a stable partition by check id, and `linkspec merge` of the n
 * shard reports equals the unsharded run with the same seed - verdict, requirement verdicts,
 * coverage union, checks and failures - for a conformant and a non-conformant implementation,
 * with a baseline; shards that do not make one run are refused with a stable code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { exitCodeOf } from '../../cli/exit.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { RunReport } from '../../reports/schema.js';
import type { Baseline } from '../baseline.js';
import { mergeShards, readShardReport, type ShardReport } from '../mergeShards.js';
import { runSuite } from '../runSuite.js';
import { inShard, parseShard, shardOf } from '../shard.js';
import { createMemoryAdapter } from './fixtures/memoryAdapter.js';
import type { Bugs } from '../../adapters/examples/inMemoryBugs.js';

afterEach(() => { vi.restoreAllMocks(); });

/** Race histories carry measured invocation times ([1.3 .. 10.2 ms]); the judgement is the rest. */
const withoutTimings = <T,>(value: T): T => JSON.parse(JSON.stringify(value).replace(/\[\d+(?:\.\d+)? \.\. \d+(?:\.\d+)? ms\]/g, '[t]')) as T;

/** What must be equal: everything but timings and the per-shard fields. */
function judged(report: RunReport) {
  return withoutTimings({
    verdict: report.verdict,
    requirements: report.requirements,
    coverage: report.coverage,
    summary: report.summary,
    baseline: report.baseline,
    checks: report.checks.map(({ durationMs: _d, ...rest }) => rest),
    options: report.options,
    replay: report.replay,
    statechartSvg: report.statechartSvg,
  });
}

async function runBoth(bugs: Bugs, count: number, baseline?: Baseline) {
  const base = { adapterSpec: './conformance/test/fixtures/memoryAdapter.ts', profile: DEFAULT_PROFILE, seed: 99, runs: 4, ...(baseline ? { baseline } : {}) } as const;
  const whole = await runSuite({ ...base, adapter: createMemoryAdapter({ bugs }) });
  const shards: ShardReport[] = [];
  for (let index = 1; index <= count; index += 1) {
    const report = await runSuite({ ...base, adapter: createMemoryAdapter({ bugs }), shard: { index, count } });
    shards.push({ source: `shard ${index}`, report: JSON.parse(JSON.stringify(report)) as RunReport });
  }
  return { whole, shards };
}

describe('--shard i/n', () => {
  it('parses i/n and refuses anything else with BAD_SHARD', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/3/5', '-1/3', '1/999', '']) expect(() => parseShard(bad)).toThrow(expect.objectContaining({ code: 'BAD_SHARD' }));
  });

  it('is a partition that depends only on the id and n', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `check-${i}`);
    for (const n of [1, 2, 3, 7]) {
      const owners = ids.map((id) => Array.from({ length: n }, (_, i) => i + 1).filter((index) => inShard(id, { index, count: n })));
      expect(owners.every((o) => o.length === 1)).toBe(true);
      const sizes = Array.from({ length: n }, (_, i) => owners.filter((o) => o[0] === i + 1).length);
      expect(Math.min(...sizes)).toBeGreaterThan(500 / n / 2);
    }
    expect(shardOf('path:link-then-limit', 4)).toBe(shardOf('path:link-then-limit', 4));
  });
});

describe('linkspec merge equals the unsharded run with the same seed', () => {
  let conformantShards: ShardReport[] = [];
  // Heavy (several whole runs) and the machine may be loaded: a generous per-test timeout.
  it('a conformant implementation, 3 shards', { timeout: 300_000 }, async () => {
    const { whole, shards } = await runBoth({}, 3);
    conformantShards = shards;
    expect(shards.every((s) => s.report.checks.length < whole.checks.length)).toBe(true);
    const merged = await mergeShards(shards);
    expect(judged(merged)).toEqual(judged(whole));
    expect(merged.summary.checks.fail).toBe(0);
  });

  it('a non-conformant implementation with a baseline that one shard alone would call stale', { timeout: 300_000 }, async () => {
    const baseline: Baseline = { file: 'b.json', accepted: [{ requirement: 'LIMIT-01', reason: 'known' }, { requirement: 'EXP-01', reason: 'stale' }] };
    // The partition is by check id (FNV-1a mod n), so which n isolates a requirement changes as
    // checks are added: take the first shard count at which some shard saw LIMIT-01 or EXP-01
    // only passing (alone it would call the entry stale), so the case cannot quietly vanish.
    for (const count of [2, 3, 4, 5, 6, 7, 8]) {
      const { whole, shards } = await runBoth({ extraCompanion: true, dormancyOffByOne: true }, count, baseline);
      if (!shards.some((s) => (s.report.baseline?.stale.length ?? 0) > 0)) continue;
      const merged = await mergeShards(shards);
      expect(merged.baseline?.stale).toEqual([]);
      expect(merged.summary.checks.fail).toBeGreaterThan(0);
      expect(judged(merged)).toEqual(judged(whole));
      return;
    }
    throw new Error('no shard count from 2 to 8 left a baseline entry stale in one shard: the case is not exercised');
  });

  it('refuses shards that do not make one run, with a stable code', async () => {
    const [one, two] = conformantShards;
    await expect(mergeShards([one, two])).rejects.toMatchObject({ code: 'MERGE_INCOMPLETE' });
    await expect(mergeShards([one, one])).rejects.toMatchObject({ code: 'MERGE_DUPLICATE' });
    const otherSeed = { ...two, report: { ...two.report, options: { ...two.report.options, seed: 5 } } };
    await expect(mergeShards([one, otherSeed])).rejects.toMatchObject({ code: 'MERGE_MISMATCH' });
    const unsharded = { ...two, report: { ...two.report, options: { seed: 99, runs: 4 } } };
    await expect(mergeShards([one, unsharded])).rejects.toMatchObject({ code: 'MERGE_MISMATCH' });
    await expect(mergeShards([])).rejects.toMatchObject({ code: 'MERGE_INCOMPLETE' });
  });
});

describe('the commands', () => {
  it('run --shard writes shard reports, merge joins them; bad input is one coded line, exit 2', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkspec-merge-'));
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
    const adapter = './conformance/test/fixtures/memoryAdapter.ts';
    for (const i of [1, 2]) {
      // A shard alone may be incomplete (exit 1): what it did not run is another shard's.
      expect(await main(['node', 'linkspec', 'run', '--adapter', adapter, '--seed', '3', '--runs', '2', '--shard', `${i}/2`, '--out', join(dir, String(i))])).toBeLessThanOrEqual(1);
    }
    expect(readShardReport(join(dir, '1')).report.replay).toContain('--shard 1/2');
    const mergedExit = await main(['node', 'linkspec', 'merge', join(dir, '1'), join(dir, '2'), '--out', join(dir, 'all')]);
    const merged = readShardReport(join(dir, 'all')).report;
    expect(mergedExit).toBe(exitCodeOf(merged.verdict));
    expect(merged.summary.checks.fail).toBe(0);
    expect(merged.options.shard).toBeUndefined();
    expect(merged.replay).not.toContain('--shard');
    expect(await main(['node', 'linkspec', 'merge', join(dir, '1'), '--out', join(dir, 'x')])).toBe(2);
    writeFileSync(join(dir, 'junk.json'), '{"schemaVersion": 1}');
    expect(await main(['node', 'linkspec', 'merge', join(dir, 'junk.json'), join(dir, 'nope')])).toBe(2);
    expect(await main(['node', 'linkspec', 'run', '--adapter', adapter, '--shard', '3/2'])).toBe(2);
    expect(await main(['node', 'linkspec', 'run', '--adapter', adapter, '--shard', '1/2', '--check', 'property-random-walks'])).toBe(2);
    expect(err.join('').trim().split('\n')).toEqual([
      expect.stringMatching(/^linkspec: MERGE_INCOMPLETE: missing shard 2\/2$/),
      expect.stringMatching(/^linkspec: BAD_MERGE_INPUT: .*junk\.json: /),
      expect.stringMatching(/^linkspec: BAD_SHARD: --shard '3\/2'/),
      expect.stringMatching(/^linkspec: BAD_SHARD: --shard splits a whole run/),
    ]);
  });
});
