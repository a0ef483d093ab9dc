/**
 * report.sarif: valid against the official SARIF 2.1.0 schema (reports/schemas/, ajv), rules are
 * the requirement IDs, results are the failures with their path as a codeFlow, for fixtures and
 * for real passing and failing runs.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { runSuite } from '../../conformance/runSuite.js';
import { createMemoryAdapter } from '../../conformance/test/fixtures/memoryAdapter.js';
import { renderSarif } from '../render/sarif.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';
import { sarifSchemaProblems } from './schemaValidators.js';

interface Loc { location: { message: { text: string } }; importance: string; executionOrder: number }
interface Result {
  ruleId: string; ruleIndex?: number; level: string; message: { text: string };
  codeFlows?: { threadFlows: { locations: Loc[] }[] }[];
  suppressions?: unknown[]; properties: { check?: string; replay?: string; standing: string };
}
interface Log { version: string; runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: Result[] }[] }

const parse = (text: string) => JSON.parse(text) as Log;

describe('report.sarif', () => {
  it('the validator rejects what the schema rejects', () => {
    const log = parse(renderSarif(failingReport));
    expect(sarifSchemaProblems({ ...log, version: '2.0.0' })).not.toEqual([]);
    const broken = structuredClone(log);
    (broken.runs[0].results[0] as unknown as Record<string, unknown>).level = 'fatal';
    expect(sarifSchemaProblems(broken).join('\n')).toMatch(/level|allowed/);
    expect(sarifSchemaProblems({ ...log, runs: [{ ...log.runs[0], surprise: 1 }] })).not.toEqual([]);
  });

  it('is valid for the fixtures: passing, failing and hostile strings', () => {
    for (const report of [passingReport, failingReport, hostileReport()]) {
      expect(sarifSchemaProblems(parse(renderSarif(report)))).toEqual([]);
    }
  });

  it('rules are the requirement IDs; results are the failures, each standing as it does for the run', () => {
    const log = parse(renderSarif(failingReport));
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(failingReport.requirements.map((r) => r.id));
    expect(run.tool.driver.rules.find((r) => r.id === 'PAIR-04')?.defaultConfiguration.level).toBe('warning');
    const failed = failingReport.checks.filter((c) => c.status === 'fail' && c.failure);
    const stale = failingReport.baseline?.stale ?? [];
    expect(run.results).toHaveLength(failed.length + stale.length);
    const limit = run.results.find((r) => r.ruleId === 'LIMIT-01')!;
    expect(limit.level).toBe('error');
    expect(run.tool.driver.rules[limit.ruleIndex!].id).toBe('LIMIT-01');
    expect(limit.message.text).toContain('Replay:');
    const steps = limit.codeFlows![0].threadFlows[0].locations;
    expect(steps.map((s) => s.executionOrder)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.filter((s) => s.importance === 'essential')).toHaveLength(1);
    expect(steps[4].location.message.text).toMatch(/^5\. SCAN_QR A\.c5 .* expected: refused LIMIT_REACHED/);
    expect(run.results.find((r) => r.ruleId === 'PAIR-04')?.level).toBe('warning');
    const baselined = run.results.find((r) => r.ruleId === 'AUTH-02')!;
    expect(baselined.level).toBe('note');
    expect(baselined.suppressions).toHaveLength(1);
    expect(run.results.find((r) => r.properties.standing === 'stale-baseline')?.ruleId).toBe('EXP-01');
  });

  it('a passing run has the rules and no result', () => {
    const log = parse(renderSarif(passingReport));
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toHaveLength(passingReport.requirements.length);
  });

  it('is valid for a real passing run and a real failing run', { timeout: 180_000 }, async () => {
    const options = { adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 7, runs: 3 } as const;
    const passing = await runSuite({ ...options, adapter: createMemoryAdapter() });
    const failing = await runSuite({ ...options, adapter: createMemoryAdapter({ bugs: { dormancyOffByOne: true } }) });
    const failingLog = parse(renderSarif(failing));
    expect(failingLog.runs[0].results.some((r) => r.ruleId === 'EXP-01' && r.level === 'error')).toBe(true);
    expect(sarifSchemaProblems(parse(renderSarif(passing)))).toEqual([]);
    expect(sarifSchemaProblems(failingLog)).toEqual([]);
  });
});
