/**
 * The run report as a zod schema: the one runtime description of `RunReport` (reports/schema.ts).
 * Guarantees:
 * - the schema and the TypeScript type are the same shape (the compile-time check at the bottom
 *   fails `tsc` when either side changes alone);
 * - reports/report.schema.json is generated from this schema (`npx tsx reports/writeJsonSchema.ts`),
 *   and a test fails when the committed file is stale;
 * - `parseReport` turns untrusted JSON into a RunReport or throws a `ReportParseError` whose
 *   message names every offending field by its path (e.g. `checks[2].failure.failingStep`).
 * Serves the CI consumers of the JSON report (DESIGN.md: "a JSON report with a stable schema").
 */
import { z } from 'zod';
import { REPORT_SCHEMA_VERSION, type RunReport } from './schema.js';

const requirementVerdict = z.enum(['pass', 'fail', 'non-strict', 'skipped', 'not-covered']);
const checkStatus = z.enum(['pass', 'fail', 'skipped']);
const checkKind = z.enum(['model-path', 'property', 'security']);
const count = z.number().int().nonnegative();
const ids = z.array(z.string());

const stepRecord = z.strictObject({
  index: count,
  event: z.string(),
  expected: z.string(),
  actual: z.string(),
  ok: z.boolean(),
  // The step as data (a model/events.ts event), for ITF export and replay (conformance/itf.ts).
  eventData: z.looseObject({ type: z.string() }).optional(),
});

const failure = z.strictObject({
  requirement: z.string(),
  message: z.string(),
  path: z.array(stepRecord),
  failingStep: count,
  differences: z.array(z.strictObject({ field: z.string(), expected: z.string(), actual: z.string() })),
  seed: z.number().int().optional(),
  counterexamplePath: z.string().optional(),
  replay: z.string(),
  flaky: z.strictObject({ replayObserved: z.string(), replayPath: z.array(stepRecord) }).optional(),
});

const checkResult = z.strictObject({
  id: z.string(),
  title: z.string(),
  kind: checkKind,
  requirements: ids,
  status: checkStatus,
  skipReason: z.string().optional(),
  lacking: ids.optional(),
  durationMs: z.number().nonnegative(),
  steps: count,
  failure: failure.optional(),
});

const requirementResult = z.strictObject({
  id: z.string(),
  level: z.enum(['MUST', 'SHOULD']),
  text: z.string(),
  verdict: requirementVerdict,
  reason: z.string().optional(),
  checks: ids,
  modelElements: ids,
  baselined: z.boolean().optional(),
});

const coverageCount = z.strictObject({ covered: count, total: count, uncovered: ids });

const baselineOutcome = z.strictObject({
  file: z.string(),
  accepted: ids,
  unexpected: ids,
  stale: ids,
});

export const runReportSchema = z.strictObject({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.literal('linkspec'), version: z.string() }),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  verdict: z.enum(['conformant', 'non-conformant', 'incomplete', 'flaky', 'adapter-fault', 'budget-exhausted', 'harness-error']),
  claim: z.strictObject({
    class: z.string(),
    title: z.string(),
    musts: ids,
    capabilities: ids,
    missingCapabilities: z.array(z.strictObject({ capability: z.string(), description: z.string(), requirements: ids })),
    notExercised: ids,
    kitGaps: ids.optional(),
  }).optional(),
  fault: z.strictObject({
    kind: z.enum(['adapter-fault', 'budget-exhausted', 'harness-error']),
    code: z.string(),
    call: z.string(),
    reason: z.string(),
    check: z.string().optional(),
  }).optional(),
  adapter: z.strictObject({ name: z.string(), description: z.string(), capabilities: ids }),
  // A profile is the seed's parameters plus whatever a user's profile adds: open by design.
  profile: z.looseObject({ name: z.string() }),
  options: z.strictObject({ seed: z.number().int(), runs: count, only: ids.optional(), shard: z.string().regex(/^\d+\/\d+$/).optional(), claim: z.string().optional(), budgetMs: z.number().nonnegative().optional() }),
  summary: z.strictObject({
    requirements: z.strictObject({
      pass: count,
      fail: count,
      'non-strict': count,
      skipped: count,
      'not-covered': count,
    }),
    checks: z.strictObject({ total: count, pass: count, fail: count, skipped: count }),
    modelSteps: count,
  }),
  requirements: z.array(requirementResult),
  checks: z.array(checkResult),
  coverage: z.strictObject({ states: coverageCount, transitions: coverageCount, situations: coverageCount.optional() }),
  baseline: baselineOutcome.optional(),
  statechartSvg: z.string().optional(),
  replay: z.string(),
});

/** The JSON Schema published as reports/report.schema.json, generated from `runReportSchema`. */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(runReportSchema, { target: 'draft-2020-12' });
  return {
    $schema,
    title: `linkspec run report ${REPORT_SCHEMA_VERSION}`,
    description: 'The result of one conformance run (reports/schema.ts): verdicts per requirement, checks, failures with replay commands, coverage, baseline.',
    ...body,
  };
}

/** Thrown by `parseReport`; `code` is stable, `issues` lists each bad field by path. */
export class ReportParseError extends Error {
  readonly code = 'REPORT_INVALID';
  constructor(readonly issues: readonly { readonly path: string; readonly message: string }[]) {
    super(`invalid linkspec run report:\n${issues.map((i) => `  at ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ReportParseError';
  }
}

/** `checks[2].failure.failingStep`: the path as a reader would type it. */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the report itself)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Validates untrusted JSON (e.g. a report.json read back by CI) as a RunReport. */
export function parseReport(json: unknown): RunReport {
  const result = runReportSchema.safeParse(json);
  if (!result.success) {
    throw new ReportParseError(
      result.error.issues.map((issue) => ({ path: fieldPath(issue.path), message: issue.message })),
    );
  }
  return result.data;
}

// ---- compile-time check: the schema and RunReport are the same shape --------------------------
// Readonly property modifiers do not affect assignability, readonly arrays do: the schema infers
// mutable arrays, so the comparison is made against its deep-readonly form.
type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
// Assignability alone lets an optional field exist on one side only, so the key sets are also
// compared, at every depth.
type SameKeys<A, B> = A extends readonly (infer EA)[]
  ? B extends readonly (infer EB)[] ? SameKeys<EA, EB> : false
  : A extends object
    ? B extends object
      ? [keyof A] extends [keyof B]
        ? [keyof B] extends [keyof A]
          ? false extends { [K in keyof A & keyof B]-?: SameKeys<NonNullable<A[K]>, NonNullable<B[K]>> }[keyof A & keyof B] ? false : true
          : false
        : false
      : false
    : true;
type Inferred = z.infer<typeof runReportSchema>;
type Assert<T extends true> = T;
export type SchemaMatchesRunReport = [
  Assert<Inferred extends RunReport ? true : false>,
  Assert<RunReport extends DeepReadonly<Inferred> ? true : false>,
  Assert<DeepReadonly<Inferred> extends RunReport ? true : false>,
  Assert<SameKeys<RunReport, Inferred>>,
];
