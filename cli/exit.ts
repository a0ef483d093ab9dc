/**
 * Exit codes of every linkspec command: stable, CI gates on them (TEAM decision 5, README,
 * conformance/HARNESS.md):
 *   0  conformant (or the command did what was asked)
 *   1  non-conformant, incomplete (a MUST of the claimed class skipped or not exercised), flaky
 *   2  usage error, or harness-error (linkspec itself failed, or was interrupted)
 *   3  adapter-fault (the adapter threw, hung, answered garbage or too much)
 *   4  budget-exhausted (--budget ran out)
 */
import type { RunVerdict } from '../reports/schema.js';

export const EXIT = {
  /** Conformant, or the command did what was asked. */
  OK: 0,
  /** Non-conformant: a MUST requirement failed, an invariant broke, a variant survived; also incomplete and flaky runs. */
  FAILED: 1,
  /** Usage or harness error: bad argument, unreadable profile, linkspec itself failed. */
  USAGE: 2,
  /** The adapter (or remote driver) threw, hung, answered garbage or too much. */
  ADAPTER_FAULT: 3,
  /** The run's --budget ran out before it finished. */
  BUDGET_EXHAUSTED: 4,
} as const;

/** The exit code of a run's verdict. */
export function exitCodeOf(verdict: RunVerdict): number {
  switch (verdict) {
    case 'conformant': return EXIT.OK;
    case 'non-conformant': case 'incomplete': case 'flaky': return EXIT.FAILED;
    case 'adapter-fault': return EXIT.ADAPTER_FAULT;
    case 'budget-exhausted': return EXIT.BUDGET_EXHAUSTED;
    case 'harness-error': return EXIT.USAGE;
  }
}

/** An error the CLI reports in one line with its stable code, exiting 2. */
export class UsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Whether stack traces may be printed: only with --debug (or LINKSPEC_DEBUG=1). */
export function debugEnabled(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--debug') || process.env.LINKSPEC_DEBUG === '1';
}

let exitWhenDone = false;
/**
 * A command whose work is finished may still be held open by an adapter's live handles (a
 * server, a socket, a timer of a hung call). `linkspec run` asks bin/linkspec.mjs to exit once
 * its output is flushed, so a run always ends by itself.
 */
export function requestExitWhenDone(): void {
  exitWhenDone = true;
}
export function exitRequested(): boolean {
  return exitWhenDone;
}
