/**
 * Turns a lockstep session that went wrong into a report Failure: the path in words up to and
 * including the first differing step, every differing field, the requirement the first
 * difference breaks, and the command that reruns exactly it.
 */
import { requirement, type RequirementId } from '../model/requirements.js';
import type { Failure } from '../reports/schema.js';
import { describeDifferences, type Difference } from './compare.js';
import type { LockstepSession } from './lockstep.js';

export type FailureDraft = Omit<Failure, 'replay'>;

export function failureFromSession(session: LockstepSession): FailureDraft | undefined {
  const first = session.firstFailure;
  if (!first) return undefined;
  return failureFromDifferences(session.records.slice(0, first.record.index + 1), first.record.index, first.differences, first.note);
}

/**
 * The requirement a failing step is blamed on: the first difference that breaks a MUST, else the
 * first difference. A MUST violation is never reported as a non-strict SHOULD deviation, even
 * when a SHOULD difference reads first (issue 9).
 */
export function blamedRequirement(differences: readonly Difference[]): RequirementId {
  return (differences.find((d) => requirement(d.requirement).level === 'MUST') ?? differences[0])?.requirement ?? 'LIFE-02';
}

export function failureFromDifferences(path: Failure['path'], failingStep: number, differences: readonly Difference[], note?: string): FailureDraft {
  const step = path[failingStep];
  return {
    requirement: blamedRequirement(differences),
    message: `${step ? `${step.event}: ` : ''}${describeDifferences(differences)}${note ? ` (${note})` : ''}`,
    path,
    failingStep,
    differences: differences.map(({ field, expected, actual }) => ({ field, expected, actual })),
  };
}
