/**
 * The reference server's clock. Behaviour under test is decided by VIRTUAL time only (EXP-01,
 * EXP-04, PAIR-04, PAIR-06): the server reads `now()` and moves time only through
 * `ReferenceServer.advance`, which processes every deadline reached. No real timer decides
 * anything; the only real-time timeouts guard against a peer that never answers.
 */
export interface Clock {
  /** Milliseconds on the virtual time line (0 when a world begins). */
  now(): number;
  /** Set the time; only the server's deadline processing calls this, never backwards. */
  set(ms: number): void;
}

export class VirtualClock implements Clock {
  constructor(private ms = 0) {}
  now(): number { return this.ms; }
  set(ms: number): void {
    if (ms < this.ms) throw new RangeError(`virtual time cannot go back (${this.ms} -> ${ms})`);
    this.ms = ms;
  }
}
