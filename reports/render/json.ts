/**
 * report.json: the RunReport as CI and other tools read it. Guarantees:
 * - it validates against reports/report.schema.json (the report is checked with the zod schema
 *   before it is written: a harness bug surfaces here as a ReportParseError naming the field,
 *   never as a file that a consumer rejects later);
 * - key order is stable: the schema's order for every field the schema names, then the profile's
 *   own parameters sorted by name, so two runs of the same suite diff cleanly;
 * - pretty-printed with two spaces and a final newline.
 */
import type { RunReport } from '../schema.js';
import { parseReport } from '../reportSchema.js';

/** Plain objects with their keys sorted, at every depth; arrays keep their order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

export function renderJson(report: RunReport): string {
  // Parsing rebuilds every object in the schema's key order.
  const ordered = parseReport(report);
  const { name, ...parameters } = ordered.profile;
  const canonical = { ...ordered, profile: { name, ...(sortedKeys(parameters) as Record<string, unknown>) } };
  return `${JSON.stringify(canonical, null, 2)}\n`;
}
