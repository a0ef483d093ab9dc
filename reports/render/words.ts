/**
 * The words every renderer uses for the same facts, so JSON readers, CI pages, the HTML report and
 * a pull-request comment never describe one run differently: verdict labels and their meaning,
 * durations, which checks cite a requirement, and the failure path step by step.
 * Pure functions of a RunReport (reports/schema.ts); nothing here reads files or the clock.
 */
import type { CheckResult, Failure, RequirementResult, RequirementVerdict, RunReport } from '../schema.js';

export const VERDICT_ORDER: readonly RequirementVerdict[] = ['fail', 'non-strict', 'skipped', 'not-covered', 'pass'];

/** What each requirement verdict means, for a reader who never saw the code. */
export const VERDICT_MEANING: Readonly<Record<RequirementVerdict, string>> = {
  pass: 'every check that exercises it passed',
  fail: 'a MUST requirement is broken: the implementation differs from the model',
  'non-strict': 'a SHOULD requirement is not met: reported, but does not fail the run',
  skipped: 'the adapter lacks a capability its checks need, so they did not run',
  'not-covered': 'no check in this run exercises it',
};

export const RUN_VERDICT_MEANING: Readonly<Record<RunReport['verdict'], string>> = {
  conformant: 'no MUST requirement fails (after the baseline) and no baseline entry is stale',
  'non-conformant': 'a MUST requirement fails outside the baseline, or a baseline entry is stale',
  incomplete: 'a MUST requirement of the claimed class was skipped or not exercised: not a pass',
  flaky: 'a MUST failure did not reproduce on replay: both observations are reported, counted as a failure',
  'adapter-fault': 'the adapter threw, hung, answered garbage or too much: the run ended early',
  'budget-exhausted': 'the run used its whole --budget before it finished',
  'harness-error': 'linkspec itself failed or was interrupted: the run ended early',
};

/** `1.234 s`, `850 ms`, `2 min 5 s`: durations as a person reads them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Seconds with millisecond precision, as JUnit `time` attributes expect. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function percent(covered: number, total: number): string {
  return total === 0 ? 'n/a' : `${Math.floor((covered * 1000) / total) / 10}%`;
}

/**
 * The checks that exercise a requirement: those whose `requirements` cite it, plus any the
 * requirement lists itself, in report order and without duplicates.
 */
export function checksFor(report: RunReport, requirement: RequirementResult): CheckResult[] {
  const listed = new Set(requirement.checks);
  return report.checks.filter((c) => c.requirements.includes(requirement.id) || listed.has(c.id));
}

/** Whether a failed check counts against the run in this requirement (MUST, not baselined). */
export function failureCounts(requirement: RequirementResult): boolean {
  return requirement.verdict === 'fail' && requirement.baselined !== true;
}

/** The checks that failed, each with its failure evidence. */
export function failedChecks(report: RunReport): (CheckResult & { readonly failure: Failure })[] {
  return report.checks.filter((c): c is CheckResult & { failure: Failure } => c.status === 'fail' && c.failure !== undefined);
}

/** The verdict of the requirement a failure names, or undefined when the report does not list it. */
export function requirementById(report: RunReport, id: string): RequirementResult | undefined {
  return report.requirements.find((r) => r.id === id);
}

/** How a failure stands for the run: counting, accepted by the baseline, or a SHOULD (non-strict). */
export function failureStanding(report: RunReport, failure: Failure): 'counts' | 'baselined' | 'non-strict' {
  const requirement = requirementById(report, failure.requirement);
  if (requirement?.baselined) return 'baselined';
  if (requirement?.level === 'SHOULD' || requirement?.verdict === 'non-strict') return 'non-strict';
  return 'counts';
}

/** Failed checks in reading order: those that fail the run, then non-strict, then baselined. */
export function failuresByStanding(report: RunReport): (CheckResult & { readonly failure: Failure })[] {
  const order = { counts: 0, 'non-strict': 1, baselined: 2 } as const;
  return failedChecks(report).sort((a, b) => order[failureStanding(report, a.failure)] - order[failureStanding(report, b.failure)]);
}

/**
 * One bug is one entry, not N: failures of different checks with the same requirement and the same
 * first difference (the failing step's event and every differing field, expected and actual) are
 * grouped; the shortest path stands for the group, the other checks are named with it.
 */
export function failureKey(failure: Failure): string {
  const step = failure.path[failure.failingStep];
  return JSON.stringify([failure.requirement, step?.event ?? '', failure.differences.map((d) => [d.field, d.expected, d.actual])]);
}

export interface FailureGroup {
  readonly check: CheckResult & { readonly failure: Failure };
  /** Other checks that failed with the same difference. */
  readonly sameAs: readonly (CheckResult & { readonly failure: Failure })[];
}

/** Failures in reading order (failuresByStanding), identical ones grouped under the shortest path. */
export function failureGroups(report: RunReport): FailureGroup[] {
  const groups = new Map<string, (CheckResult & { failure: Failure })[]>();
  for (const c of failuresByStanding(report)) {
    const key = failureKey(c.failure);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((list) => {
    const shortest = list.reduce((a, b) => (b.failure.path.length < a.failure.path.length ? b : a));
    return { check: shortest, sameAs: list.filter((c) => c !== shortest) };
  });
}

/** What kind of check it is, in words: a targeted check is not necessarily about security. */
export const CHECK_KIND_WORDS: Readonly<Record<CheckResult['kind'], string>> = {
  'model-path': 'a path generated from the model',
  property: 'a property-based random walk',
  security: 'a targeted check',
};

/** How the path came to be this long: shrunk (property walks), shortest found (model paths) or as written (targeted). */
export function pathLengthWords(check: CheckResult, failure: Failure): string {
  const steps = plural(failure.path.length, 'step');
  if (check.kind === 'property') return `${steps} after shrinking`;
  if (check.kind === 'model-path') return `${steps} up to the first difference`;
  return `${steps}, as the check is written`;
}

/** `1 step`, `3 steps`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The path in words, one line per step, the failing step marked: `  3. ✗ EVENT — expected …, got …`. */
export function pathInWords(failure: Failure): string[] {
  return failure.path.map((step, i) => {
    const marker = i === failure.failingStep ? '✗' : step.ok ? '✓' : '✗';
    const line = `${String(i + 1).padStart(3)}. ${marker} ${step.event}`;
    return i === failure.failingStep || !step.ok
      ? `${line}\n       expected: ${step.expected}\n       actual:   ${step.actual}`
      : line;
  });
}

/** The differing fields in words, one per line. */
export function differencesInWords(failure: Failure): string[] {
  return failure.differences.map((d) => `${d.field}: expected ${d.expected}, actual ${d.actual}`);
}

/** Every check that was skipped, with the reason (or a plain statement that none was given). */
export function skippedChecks(report: RunReport): { readonly check: CheckResult; readonly reason: string }[] {
  return report.checks
    .filter((c) => c.status === 'skipped')
    .map((check) => ({ check, reason: check.skipReason ?? 'no reason given by the harness' }));
}

/**
 * Why the run's verdict is what it is beyond failing requirements, one line each: the fault that
 * ended it early, the claimed class's capabilities the adapter lacks (once per capability), MUSTs
 * of the class not exercised, and flaky failures.
 */
export function runVerdictNotes(report: RunReport): string[] {
  const lines: string[] = [];
  const f = report.fault;
  if (f) lines.push(`${f.kind} ${f.code} in ${f.call}${f.check ? ` (check ${f.check})` : ''}: ${f.reason}`);
  const claim = report.claim;
  if (claim) {
    for (const m of claim.missingCapabilities) lines.push(`claim '${claim.class}' not exercised: the adapter lacks '${m.capability}' (${m.description}), needed by ${m.requirements.join(', ')}`);
    if (claim.notExercised.length) lines.push(`claim '${claim.class}' not exercised: ${claim.notExercised.join(', ')} (no passing check)`);
    if (claim.kitGaps?.length) lines.push(`claim '${claim.class}': no check of this kit exercises ${claim.kitGaps.join(', ')} yet (a gap in the kit, not counted against the implementation)`);
  }
  for (const c of report.checks) {
    if (c.failure?.flaky) lines.push(`flaky ${c.failure.requirement} in ${c.id}: seen once, the replay observed: ${c.failure.flaky.replayObserved}`);
  }
  return lines;
}
