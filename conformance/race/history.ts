/**
 * A concurrent history (issue 13, race mode): every operation the harness issued at the same
 * time, with the real-time instants of its invocation and completion and the result the
 * implementation answered. What a race failure shows, line by line.
 */
import type { OpResult } from '../../model/errors.js';
import { describeEvent, type LinkEvent } from '../../model/events.js';

export interface RaceOp {
  /** Index in the scenario's concurrent group. */
  readonly index: number;
  readonly event: LinkEvent;
  /** Milliseconds since the group started (performance.now based). */
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly result: OpResult;
  /** What the harness saw beside the result (an adapter that threw, an unreadable QR code). */
  readonly note?: string;
}

export const describeResult = (r: OpResult): string => (r.ok ? 'ok' : r.code);

/** `a` finished before `b` began: every linearization keeps a before b. */
export const precedes = (a: RaceOp, b: RaceOp): boolean => a.completedAt < b.invokedAt;

/** The history as the report shows it: one line per operation, its interval and its result. */
export function describeHistory(ops: readonly RaceOp[]): string[] {
  return [...ops].sort((a, b) => a.invokedAt - b.invokedAt).map((op) =>
    `#${op.index} [${op.invokedAt.toFixed(1)} .. ${op.completedAt.toFixed(1)} ms] ${describeEvent(op.event)} -> ${describeResult(op.result)}${op.note ? ` (${op.note})` : ''}`);
}
