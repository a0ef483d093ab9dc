/** report.json: valid, stable key order, pretty-printed. */
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../schema.js';
import { parseReport } from '../reportSchema.js';
import { renderJson } from '../render/json.js';
import { failingReport, passingReport } from './fixtures.js';

/** The same object with keys inserted in reverse order, at every depth. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
}

describe('renderJson', () => {
  it('round-trips: the file parses back to the same report', () => {
    for (const report of [passingReport, failingReport]) {
      expect(parseReport(JSON.parse(renderJson(report)))).toEqual(JSON.parse(JSON.stringify(report)));
    }
  });

  it('writes the same text whatever order the harness built the objects in', () => {
    const shuffled = reversed(failingReport) as RunReport;
    expect(Object.keys(shuffled)[0]).toBe('replay');
    expect(renderJson(shuffled)).toBe(renderJson(failingReport));
  });

  it('orders keys as the schema does, then the profile parameters by name', () => {
    const text = renderJson({ ...passingReport, profile: { name: 'p', zeta: 1, alpha: { y: 1, b: 2 } } });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 4)).toEqual(['schemaVersion', 'tool', 'startedAt', 'durationMs']);
    expect(Object.keys(parsed.profile as object)).toEqual(['name', 'alpha', 'zeta']);
    expect(Object.keys((parsed.profile as { alpha: object }).alpha)).toEqual(['b', 'y']);
  });

  it('is pretty-printed with a final newline', () => {
    const text = renderJson(passingReport);
    expect(text.startsWith('{\n  "schemaVersion": "1.1.0",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('refuses an invalid report instead of writing it', () => {
    expect(() => renderJson({ ...passingReport, verdict: 'maybe' } as unknown as RunReport)).toThrow(/verdict/);
  });
});
