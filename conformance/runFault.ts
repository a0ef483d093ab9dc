/**
 * Faults that end a run early (issue 11), as one error type carrying what a report needs: the
 * verdict kind, a stable code, the call that failed and a one-line reason. No stack trace ever
 * reaches a report or the console through this type.
 *
 * And the run's clock: one overall budget (`--budget`) and an abort switch (SIGINT) that every
 * guarded adapter call races against, so a run always ends by itself.
 */
import type { RunFault } from '../reports/schema.js';

export class RunFaultError extends Error {
  constructor(readonly kind: RunFault['kind'], readonly code: string, readonly call: string, reason: string) {
    super(oneLine(reason));
    this.name = 'RunFaultError';
  }

  /** The same fault, its call described with more context (the step that was running). */
  within(context: string): RunFaultError {
    if (this.call.includes(context)) return this;
    const call = context.startsWith(this.call) ? context : `${this.call} (${context})`;
    return new RunFaultError(this.kind, this.code, call, this.message);
  }

  toFault(check?: string): RunFault {
    return { kind: this.kind, code: this.code, call: this.call, reason: this.message, ...(check ? { check } : {}) };
  }
}

export function adapterFault(code: string, call: string, reason: string): RunFaultError {
  return new RunFaultError('adapter-fault', code, call, reason);
}

/** A reason fit for one line of a report: first line only, bounded length. */
export function oneLine(text: string, max = 300): string {
  const first = text.split('\n', 1)[0]!.trim();
  return first.length > max ? `${first.slice(0, max)}… (${first.length} characters)` : first;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return oneLine(error.message || error.name);
  if (typeof error === 'string') return oneLine(error);
  try {
    return oneLine(String(JSON.stringify(error)));
  } catch {
    return 'an unprintable value';
  }
}

/** The run's budget and abort switch, shared by every guarded call. */
export class RunClock {
  private readonly deadline: number;
  private stopped: RunFaultError | undefined;
  private readonly listeners = new Set<(fault: RunFaultError) => void>();

  constructor(readonly budgetMs?: number, private readonly now: () => number = Date.now) {
    this.deadline = budgetMs === undefined ? Number.POSITIVE_INFINITY : now() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** Throws when the budget is spent or the run was interrupted. */
  check(call: string): void {
    if (this.stopped) throw this.stopped;
    if (this.remainingMs() <= 0) throw this.exhausted(call);
  }

  exhausted(call: string): RunFaultError {
    return new RunFaultError('budget-exhausted', 'BUDGET_EXHAUSTED', call, `the run's budget of ${((this.budgetMs ?? 0) / 1000).toFixed(1)} s ran out`);
  }

  /** Ends every pending and future call with this fault (SIGINT). */
  interrupt(fault: RunFaultError): void {
    this.stopped ??= fault;
    for (const l of this.listeners) l(this.stopped);
  }

  get interrupted(): RunFaultError | undefined {
    return this.stopped;
  }

  onInterrupt(listener: (fault: RunFaultError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
