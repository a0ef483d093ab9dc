/**
 * The suite catches every known-bad variant of the reference under the requirement it breaks
 * (`linkspec selftest --fast`), and the kill matrix judges and prints rows as documented.
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_BAD, createKnownBadAdapter } from '../adapters/known-bad/index.js';
import { resolveAdapter } from '../adapters/index.js';
import type { RunReport } from '../reports/schema.js';
import { formatKillMatrix } from './killMatrix.js';
import { judge, median, runSelftest } from './runSelftest.js';

const SEED = 424242;

function reportWith(verdicts: Record<string, 'fail' | 'non-strict' | 'pass'>): RunReport {
  return { requirements: Object.entries(verdicts).map(([id, verdict]) => ({ id, verdict })) } as unknown as RunReport;
}

describe('kill judgement', () => {
  const v = KNOWN_BAD.find((k) => k.id === 'fifth-companion')!;
  it('killed only when the broken requirement fails (or is non-strict)', () => {
    expect(judge(v, reportWith({ 'LIMIT-01': 'fail', 'LIMIT-02': 'fail' })).outcome).toBe('killed');
    expect(judge(v, reportWith({ 'LIMIT-01': 'pass', 'LIMIT-02': 'fail' })).outcome).toBe('wrong-requirement');
    expect(judge(v, reportWith({ 'LIMIT-01': 'pass' })).outcome).toBe('survived');
    const should = KNOWN_BAD.find((k) => k.id === 'no-link-notice')!;
    expect(judge(should, reportWith({ 'NOTE-01': 'non-strict' })).outcome).toBe('killed');
  });
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('known-bad adapters', () => {
  it('each variant has its own fault and a name resolveAdapter accepts', async () => {
    expect(new Set(KNOWN_BAD.map((v) => v.fault)).size).toBe(KNOWN_BAD.length);
    expect(createKnownBadAdapter('no-history').name).toBe('known-bad:no-history');
    expect((await resolveAdapter('known-bad:dormancy-late')).name).toBe('known-bad:dormancy-late');
    await expect(resolveAdapter('known-bad:nope')).rejects.toThrow(/no known-bad variant/);
  });
});

describe('linkspec selftest --fast', () => {
  it('kills every known-bad variant under the requirement it breaks', async () => {
    const result = await runSelftest({ fast: true, seed: SEED });
    const text = formatKillMatrix(result);
    const notKilled = result.rows.filter((r) => r.outcome !== 'killed').map((r) => `${r.variant.id}: ${r.outcome} ${r.caughtBy.join(',')} ${r.error ?? ''}`);
    expect(notKilled, text).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rows).toHaveLength(KNOWN_BAD.length);
    for (const row of result.rows) {
      expect(row.firstCheck, row.variant.id).toBeDefined();
      expect(row.shrunkLength, row.variant.id).toBeGreaterThan(0);
      if (row.shortest?.kind === 'found') expect(row.shortest.length).toBeLessThanOrEqual(row.shrunkLength!);
    }
    expect(result.medianTimeToFirstFailureMs).toBeGreaterThan(0);
    expect(result.medianShrunkRatio).toBeGreaterThanOrEqual(1);
    expect(text).toContain('median shrunk / shortest');
  }, 600_000);
});
