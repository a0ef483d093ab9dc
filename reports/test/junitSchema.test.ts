/**
 * junit.xml is accepted by the schema Jenkins' xUnit plugin validates against (junit-10.xsd,
 * reports/schemas/), for the frozen fixtures and for real runs of the harness, passing and failing.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { runSuite } from '../../conformance/runSuite.js';
import { createMemoryAdapter } from '../../conformance/test/fixtures/memoryAdapter.js';
import { renderJunit } from '../render/junit.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';
import { junitSchemaProblems } from './schemaValidators.js';

describe('junit.xml against Jenkins xUnit junit-10.xsd', () => {
  it('the validator rejects what the xUnit plugin rejects (the root attributes the issue measured)', async () => {
    const bad = renderJunit(passingReport).replace('<testsuites ', '<testsuites skipped="0" timestamp="2026-11-29T00:00:00Z" ');
    const problems = await junitSchemaProblems(bad);
    expect(problems.join('\n')).toMatch(/skipped.*not allowed|timestamp.*not allowed/);
    expect(await junitSchemaProblems(renderJunit(passingReport).replace('time="4.210"', 'time="4.2101"'))).not.toEqual([]);
  });

  it('accepts the fixtures: passing, failing (every kind of evidence) and hostile strings', async () => {
    for (const report of [passingReport, failingReport, hostileReport()]) {
      expect(await junitSchemaProblems(renderJunit(report))).toEqual([]);
    }
  });

  it('accepts the junit.xml of a real passing run and of a real failing run', { timeout: 180_000 }, async () => {
    const options = { adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 7, runs: 3 } as const;
    const passing = await runSuite({ ...options, adapter: createMemoryAdapter() });
    const failing = await runSuite({ ...options, adapter: createMemoryAdapter({ bugs: { extraCompanion: true } }) });
    expect(passing.summary.checks.fail).toBe(0);
    expect(failing.verdict).toBe('non-conformant');
    const failingXml = renderJunit(failing);
    expect(failingXml).toContain('<failure ');
    expect(await junitSchemaProblems(renderJunit(passing))).toEqual([]);
    expect(await junitSchemaProblems(failingXml)).toEqual([]);
  });
});
