/**
 * The oracle's interface: how the harness runs the model. The statechart behind it is in
 * linkMachine.ts; `createOracle` (oracleImpl) wraps an XState actor.
 */
import type { LinkEvent } from './events.js';
import type { Observation } from './observation.js';

export interface OracleStep {
  readonly observation: Observation;
  /** Ids of the statechart transitions taken by this step (see ModelElement). */
  readonly transitions: readonly string[];
  /** Ids of the statechart state nodes active during this step (passed through, or active at its end). */
  readonly states: readonly string[];
}

export interface Oracle {
  /** Feed one step; returns what the implementation must now show. */
  step(event: LinkEvent): OracleStep;
  observe(): Observation;
  /** Statechart state node ids active now. */
  activeStates(): readonly string[];
}

/** A structural element of the statechart, for coverage and traceability. */
export interface ModelElement {
  readonly id: string;
  readonly kind: 'state' | 'transition';
  /** What it means, in words, as MODEL.md shows it. */
  readonly description: string;
  readonly requirements: readonly string[];
}
