/**
 * `linkspec serve` without test control: the server's virtual clock follows the wall clock, and
 * keeps following it across restarts (issue 10: the clock used to stop while the server was down,
 * so downtime stretched every window - dormancy, idleness, QR and code lifetimes). The store keeps
 * `epoch` = wall time at which the server clock read 0; every tick sets the server clock to
 * wall now - epoch, so the time a server was down counts like any other (EXP-01, EXP-04).
 *
 * A tick that fails (a full disk: STORAGE_FULL, a store gone) is reported through `onError` and
 * retried at the next tick; it never throws out of the timer (the process keeps serving).
 */
import type { Storage } from '../storage/storage.js';

export interface Advancing {
  readonly now: number;
  advance(ms: number): void;
}

export const TICK_MS = 1_000;

/** One tick: move `server` to wall time. Returns the error instead of throwing. */
export function tickToWallClock(server: Advancing, storage: Storage, wallNow: number): unknown {
  try {
    let epoch = Number(storage.getMeta('epoch'));
    if (storage.getMeta('epoch') === undefined || !Number.isFinite(epoch)) {
      epoch = wallNow - server.now;
      storage.setMeta('epoch', String(epoch));
    }
    const target = wallNow - epoch;
    if (target > server.now) server.advance(target - server.now);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Tick once now and then every TICK_MS; `stop()` ends it. */
export function followWallClock(server: Advancing, storage: Storage, onError: (error: unknown) => void, wallNow: () => number = Date.now): { stop(): void } {
  const tick = () => { const error = tickToWallClock(server, storage, wallNow()); if (error !== undefined) onError(error); };
  tick();
  const timer = setInterval(tick, TICK_MS);
  return { stop: () => clearInterval(timer) };
}
