/**
 * The verdict rules of conformance/verdicts.ts, one check list at a time: a requirement passes
 * only on a passing check that names it; a failure attributed to it wins over any pass; a
 * skipped check never makes it pass; and `not-covered` is what is left (nothing ran for it, or
 * every check for it stopped at someone else's failure). Serves the report's honesty for all IDs.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../reports/schema.js';
import { requirementVerdicts } from '../verdicts.js';

function check(id: string, status: CheckResult['status'], requirements: string[], failed?: string): CheckResult {
  return {
    id, title: id, kind: 'model-path', requirements, status, durationMs: 0, steps: 1,
    ...(status === 'skipped' ? { skipReason: "the adapter lacks 'clock'" } : {}),
    ...(failed ? { failure: { requirement: failed, message: `${failed} broken`, path: [], failingStep: 0, differences: [], replay: 'x' } } : {}),
  };
}

const verdictOf = (id: 'LIMIT-01' | 'NOTE-01' | 'EXP-01', checks: CheckResult[]) => requirementVerdicts([id], checks, [])[0];

describe('requirement verdicts', () => {
  it('pass needs a passing check naming it; a skipped one never passes it', () => {
    expect(verdictOf('LIMIT-01', [check('p', 'pass', ['LIMIT-01'])]).verdict).toBe('pass');
    expect(verdictOf('LIMIT-01', [check('s', 'skipped', ['LIMIT-01'])])).toMatchObject({ verdict: 'skipped', reason: "the adapter lacks 'clock'" });
    expect(verdictOf('LIMIT-01', [check('p', 'pass', ['EXP-01']), check('s', 'skipped', ['LIMIT-01'])]).verdict).toBe('skipped');
  });

  it('a failure attributed to it wins over any pass: fail for a MUST, non-strict for a SHOULD', () => {
    expect(verdictOf('LIMIT-01', [check('p', 'pass', ['LIMIT-01']), check('f', 'fail', ['EXP-01'], 'LIMIT-01')]).verdict).toBe('fail');
    expect(verdictOf('NOTE-01', [check('f', 'fail', ['NOTE-01'], 'NOTE-01'), check('p', 'pass', ['NOTE-01'])]).verdict).toBe('non-strict');
  });

  it('not-covered when nothing ran for it, or its only checks stopped at another requirement\'s failure', () => {
    expect(verdictOf('EXP-01', [check('p', 'pass', ['LIMIT-01'])])).toMatchObject({ verdict: 'not-covered', checks: [] });
    const stopped = verdictOf('EXP-01', [check('f', 'fail', ['EXP-01', 'LIMIT-01'], 'LIMIT-01')]);
    expect(stopped).toMatchObject({ verdict: 'not-covered', checks: ['f'] });
    expect(stopped.reason).toContain('LIMIT-01');
  });
});
