/**
 * Verdicts per requirement, from the checks that ran: `fail` (a MUST broken), `non-strict` (a
 * SHOULD broken), `pass` (exercised by a passing check, no failure attributed), `skipped` (every
 * check for it needed a capability the adapter lacks), `not-covered` (nothing exercised it).
 * Each verdict carries its evidence: check ids and the statechart elements that serve it.
 * Coverage of the statechart = the states and transitions the oracle reported, over all steps
 * executed, against modelElements.
 */
import type { ModelElement } from '../model/oracle.js';
import { requirement, type RequirementId } from '../model/requirements.js';
import type { CheckResult, CoverageCount, RequirementResult, RequirementVerdict } from '../reports/schema.js';
import type { Coverage } from './lockstep.js';

export function requirementVerdicts(ids: readonly RequirementId[], checks: readonly CheckResult[], elements: readonly ModelElement[], accepted: ReadonlySet<string> = new Set()): RequirementResult[] {
  return ids.map((id) => {
    const req = requirement(id);
    const related = checks.filter((c) => c.requirements.includes(id) || c.failure?.requirement === id);
    // A failure that reproduced is the evidence to show; a flaky one only when it is all there is.
    const failed = related.filter((c) => c.status === 'fail' && c.failure?.requirement === id).sort((a, b) => Number(!!a.failure?.flaky) - Number(!!b.failure?.flaky));
    const passed = related.filter((c) => c.status === 'pass');
    const skipped = related.filter((c) => c.status === 'skipped');
    let verdict: RequirementVerdict;
    let reason: string | undefined;
    if (failed.length) {
      verdict = req.level === 'MUST' ? 'fail' : 'non-strict';
      reason = failed[0].failure?.message;
    } else if (passed.length) {
      verdict = 'pass';
    } else if (skipped.length) {
      verdict = 'skipped';
      // Capability names once each; what each capability is, the claim section says once per run.
      // What every skipped check lacked (the requirement's own need), else what any of them lacked.
      const all = skipped.map((c) => c.lacking ?? []);
      const common = all[0]?.filter((cap) => all.every((l) => l.includes(cap))) ?? [];
      const lacking = common.length ? common : [...new Set(all.flat())];
      reason = lacking.length ? `the adapter lacks ${lacking.map((c) => `'${c}'`).join(', ')}` : [...new Set(skipped.map((c) => c.skipReason ?? 'skipped'))].join('; ');
    } else if (related.length) {
      verdict = 'not-covered';
      reason = `its checks stopped at an earlier failure (${[...new Set(related.map((c) => c.failure?.requirement))].join(', ')})`;
    } else {
      verdict = 'not-covered';
      reason = req.outsideStateModel ? `no targeted check ran for it: ${req.outsideStateModel}` : 'no check in this run exercised it';
    }
    const baselined = (verdict === 'fail' || verdict === 'non-strict') && accepted.has(id);
    return {
      id, level: req.level, text: req.text, verdict,
      ...(reason !== undefined ? { reason: baselined ? `accepted by the baseline; ${reason}` : reason } : {}),
      checks: related.map((c) => c.id),
      modelElements: elements.filter((e) => e.requirements.includes(id)).map((e) => e.id),
      ...(baselined ? { baselined: true } : {}),
    };
  });
}

export function coverageOf(elements: readonly ModelElement[], seen: Coverage, situations?: readonly string[]): { states: CoverageCount; transitions: CoverageCount; situations?: CoverageCount } {
  const count = (kind: ModelElement['kind'], ids: ReadonlySet<string>): CoverageCount => {
    const all = elements.filter((e) => e.kind === kind);
    const uncovered = all.filter((e) => !ids.has(e.id)).map((e) => e.id);
    return { covered: all.length - uncovered.length, total: all.length, uncovered };
  };
  // Named situations (conformance/situations.ts): those the adapter's capabilities can reach.
  const reached = seen.situations ?? new Set<string>();
  const missedSituations = situations?.filter((s) => !reached.has(s)) ?? [];
  return {
    states: count('state', seen.states), transitions: count('transition', seen.transitions),
    ...(situations ? { situations: { covered: situations.length - missedSituations.length, total: situations.length, uncovered: missedSituations } } : {}),
  };
}

/** The statechart's colours: failed where a failing requirement is served, else covered or not. */
export function statechartColouring(elements: readonly ModelElement[], seen: Coverage, failing: ReadonlySet<string>): Record<string, 'covered' | 'uncovered' | 'failed'> {
  const colours: Record<string, 'covered' | 'uncovered' | 'failed'> = {};
  for (const e of elements) {
    const covered = e.kind === 'state' ? seen.states.has(e.id) : seen.transitions.has(e.id);
    colours[e.id] = covered && e.requirements.some((r) => failing.has(r)) ? 'failed' : covered ? 'covered' : 'uncovered';
  }
  return colours;
}

export function countVerdicts(results: readonly RequirementResult[]): Record<RequirementVerdict, number> {
  const counts: Record<RequirementVerdict, number> = { pass: 0, fail: 0, 'non-strict': 0, skipped: 0, 'not-covered': 0 };
  for (const r of results) counts[r.verdict] += 1;
  return counts;
}
