/** writeReports: the four files, in a folder it creates, and nothing when the report is invalid. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../schema.js';
import { parseReport, ReportParseError } from '../reportSchema.js';
import { renderReports, writeReports } from '../writeReports.js';
import { parseXml } from './xmlWellFormed.js';
import { failingReport } from './fixtures.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkspec-reports-'));
  made.push(dir);
  return dir;
}

describe('writeReports', () => {
  it('writes report.json, junit.xml, report.html, summary.md and report.sarif into a folder it creates', async () => {
    const out = join(scratch(), 'nested', 'run');
    const paths = await writeReports(failingReport, out);
    expect(paths).toEqual(['report.json', 'junit.xml', 'report.html', 'summary.md', 'report.sarif'].map((f) => join(out, f)));
    expect(parseReport(JSON.parse(readFileSync(paths[0], 'utf8'))).verdict).toBe('non-conformant');
    expect(readFileSync(paths[1], 'utf8').startsWith('<?xml')).toBe(true);
    expect(readFileSync(paths[2], 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
    expect(readFileSync(paths[3], 'utf8').startsWith('## ❌')).toBe(true);
    expect(JSON.parse(readFileSync(paths[4], 'utf8')).version).toBe('2.1.0');
  });

  it('writes nothing for an invalid report and says which field is wrong', async () => {
    const out = join(scratch(), 'run');
    const bad = { ...failingReport, summary: { ...failingReport.summary, modelSteps: -1 } } as RunReport;
    await expect(writeReports(bad, out)).rejects.toThrow(ReportParseError);
    await expect(writeReports(bad, out)).rejects.toThrow(/summary\.modelSteps/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe('an empty run (nothing selected)', () => {
  it('still renders every format, well-formed', () => {
    const empty: RunReport = {
      ...failingReport,
      verdict: 'conformant',
      summary: { requirements: { pass: 0, fail: 0, 'non-strict': 0, skipped: 0, 'not-covered': 0 }, checks: { total: 0, pass: 0, fail: 0, skipped: 0 }, modelSteps: 0 },
      requirements: [],
      checks: [],
      coverage: { states: { covered: 0, total: 0, uncovered: [] }, transitions: { covered: 0, total: 0, uncovered: [] } },
      baseline: undefined,
      statechartSvg: undefined,
    };
    const files = renderReports(empty);
    expect(parseXml(files['junit.xml']).attrs).toMatchObject({ tests: '0', failures: '0' });
    parseXml(files['report.html'], { rawText: ['script', 'style'] });
    expect(files['summary.md']).toContain('No requirement was selected in this run.');
    expect(files['report.html']).toContain('States: 0 of 0 (n/a)');
  });
});
