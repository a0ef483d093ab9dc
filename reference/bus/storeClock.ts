/**
 * The virtual clock of a cluster (clock.ts Clock): kept in the shared store (meta 'clock'), so
 * every node reads the same time and a deadline processed by one node (tc.advance, or the wall
 * clock ticker of `serve`) is seen by all (EXP-01, PAIR-04). Never goes back.
 */
import type { Clock } from '../clock.js';
import type { Storage } from '../storage/storage.js';

export class StoreClock implements Clock {
  constructor(private readonly storage: Storage) {}

  now(): number {
    const stored = Number(this.storage.getMeta('clock') ?? '0');
    return Number.isFinite(stored) ? stored : 0;
  }

  set(ms: number): void {
    const now = this.now();
    if (ms < now) throw new RangeError(`virtual time cannot go back (${now} -> ${ms})`);
    this.storage.setMeta('clock', String(ms));
  }
}
