/** Exit codes of every linkspec command: stable, CI gates on them. */
export const EXIT = {
  /** Conformant, or the command did what was asked. */
  OK: 0,
  /** Non-conformant: a MUST requirement failed, an invariant broke, a variant survived. */
  FAILED: 1,
  /** Usage or harness error: bad argument, unreadable profile, adapter failed to start. */
  USAGE: 2,
} as const;

/** An error the CLI reports in one line with its stable code, exiting 2. */
export class UsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
