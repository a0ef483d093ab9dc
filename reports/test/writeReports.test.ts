/** writeReports: the four files, in a folder it creates, and nothing when the report is invalid. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../schema.js';
import { parseReport, ReportParseError } from '../reportSchema.js';
import { writeReports } from '../writeReports.js';
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
  it('writes report.json, junit.xml, report.html and summary.md into a folder it creates', async () => {
    const out = join(scratch(), 'nested', 'run');
    const paths = await writeReports(failingReport, out);
    expect(paths).toEqual(['report.json', 'junit.xml', 'report.html', 'summary.md'].map((f) => join(out, f)));
    expect(parseReport(JSON.parse(readFileSync(paths[0], 'utf8'))).verdict).toBe('non-conformant');
    expect(readFileSync(paths[1], 'utf8').startsWith('<?xml')).toBe(true);
    expect(readFileSync(paths[2], 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
    expect(readFileSync(paths[3], 'utf8').startsWith('## ❌')).toBe(true);
  });

  it('writes nothing for an invalid report and says which field is wrong', async () => {
    const out = join(scratch(), 'run');
    const bad = { ...failingReport, summary: { ...failingReport.summary, modelSteps: -1 } } as RunReport;
    await expect(writeReports(bad, out)).rejects.toThrow(ReportParseError);
    await expect(writeReports(bad, out)).rejects.toThrow(/summary\.modelSteps/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
