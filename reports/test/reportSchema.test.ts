/** The zod schema, the committed JSON Schema and `parseReport` agree with the RunReport type. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReport, ReportParseError } from '../reportSchema.js';
import { REPORT_JSON_SCHEMA_PATH, reportJsonSchemaText } from '../writeJsonSchema.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function parseError(json: unknown): ReportParseError {
  try {
    parseReport(json);
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error('parseReport accepted an invalid report');
}

describe('reportSchema', () => {
  it('accepts every fixture, as JSON read back from disk', () => {
    for (const report of [passingReport, failingReport, hostileReport()]) {
      expect(parseReport(clone(report))).toEqual(clone(report));
    }
  });

  it('names the offending field by its path', () => {
    const bad = clone(failingReport) as unknown as { checks: { failure?: { failingStep: unknown } }[] };
    bad.checks[2].failure!.failingStep = 'four';
    const error = parseError(bad);
    expect(error.code).toBe('REPORT_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['checks[2].failure.failingStep']);
    expect(error.message).toContain('at checks[2].failure.failingStep');
  });

  it('rejects a wrong schema version, an unknown verdict, an unknown field and a missing field', () => {
    expect(parseError({ ...clone(passingReport), schemaVersion: '2.0.0' }).issues[0].path).toBe('schemaVersion');
    const verdict = clone(passingReport) as unknown as { requirements: { verdict: string }[] };
    verdict.requirements[0].verdict = 'mostly';
    expect(parseError(verdict).issues[0].path).toBe('requirements[0].verdict');
    expect(parseError({ ...clone(passingReport), extra: 1 }).message).toContain('extra');
    const { replay: _replay, ...missing } = clone(passingReport);
    expect(parseError(missing).issues[0].path).toBe('replay');
    expect(parseError('not a report').issues[0].path).toBe('(the report itself)');
  });

  it('keeps the profile open: user profiles add parameters', () => {
    const report = { ...clone(passingReport), profile: { name: 'custom', maxCompanions: 7, qr: { refCount: 2 } } };
    expect(parseReport(report).profile).toEqual({ name: 'custom', maxCompanions: 7, qr: { refCount: 2 } });
  });

  it('committed reports/report.schema.json is generated from the schema (run `npx tsx reports/writeJsonSchema.ts` if this fails)', () => {
    expect(readFileSync(REPORT_JSON_SCHEMA_PATH, 'utf8')).toBe(reportJsonSchemaText());
  });

  it('the JSON Schema requires what the type requires', () => {
    const schema = JSON.parse(reportJsonSchemaText()) as { required: string[]; additionalProperties: boolean; properties: Record<string, { const?: string }> };
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'verdict', 'requirements', 'checks', 'coverage', 'replay']));
    expect(schema.required).not.toContain('baseline');
    expect(schema.required).not.toContain('statechartSvg');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.schemaVersion.const).toBe('1.1.0');
  });
});
