/**
 * The linearizability checker (race mode) decides from the model alone: histories built by hand
 * from the oracle's own predictions are linearizable; a result no order can give, a settled state
 * no order reaches, or an order real time forbids are not; the bound gives `inconclusive`.
 */
import { describe, expect, it } from 'vitest';
import { OK, refused } from '../../model/errors.js';
import { createOracle } from '../../model/createOracle.js';
import type { LinkEvent } from '../../model/events.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { RaceOp } from './history.js';
import { checkLinearizable } from './linearizability.js';

const oracle = () => createOracle(DEFAULT_PROFILE);
const reg = (account: 'A' | 'B'): LinkEvent => ({ type: 'REGISTER', account, idCheck: false });
const link = (device: 'A.c1' | 'A.c2' | 'A.c3' | 'A.c4' | 'A.c5'): LinkEvent[] => [
  { type: 'SHOW_QR', device }, { type: 'SCAN_QR', device, by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' },
];
const setup: LinkEvent[] = [reg('A'), ...link('A.c1'), ...link('A.c2'), ...link('A.c3'), { type: 'SHOW_QR', device: 'A.c4' }, { type: 'SHOW_QR', device: 'A.c5' }];
const scan4: LinkEvent = { type: 'SCAN_QR', device: 'A.c4', by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' };
const scan5: LinkEvent = { ...scan4, device: 'A.c5' };

/** The settled state the model reaches after setup + events in this order. */
function settled(events: LinkEvent[]) {
  const o = oracle();
  for (const e of setup) o.step(e);
  const before = o.observe().accounts;
  for (const e of events) o.step(e);
  return { before, after: o.observe().accounts };
}

const op = (index: number, event: LinkEvent, result: RaceOp['result'], invokedAt = 0, completedAt = 10): RaceOp => ({ index, event, result, invokedAt, completedAt });

describe('checkLinearizable', () => {
  it('accepts the last slot going to one approval and LIMIT_REACHED for the other, in either order', () => {
    const { before, after } = settled([scan5, scan4]);
    const ops = [op(0, scan4, refused('LIMIT_REACHED')), op(1, scan5, OK)];
    const r = checkLinearizable({ createOracle: oracle, setup, ops, before, after });
    expect(r.verdict).toBe('linearizable');
    if (r.verdict === 'linearizable') expect(r.order).toEqual([1, 0]);
  });

  it('rejects both approvals succeeding (a fifth companion), and says why for each order', () => {
    const { before, after } = settled([scan4]);
    const ops = [op(0, scan4, OK), op(1, scan5, OK)];
    const r = checkLinearizable({ createOracle: oracle, setup, ops, before, after });
    expect(r.verdict).toBe('not-linearizable');
    if (r.verdict === 'not-linearizable') {
      expect(r.why.length).toBe(2);
      expect(r.why.join('\n')).toMatch(/would answer LIMIT_REACHED, the implementation answered ok/);
    }
  });

  it('rejects results that fit but a settled state no order reaches', () => {
    const { before } = settled([]);
    const { after } = settled([]); // nobody linked, although one approval answered ok
    const ops = [op(0, scan4, OK), op(1, scan5, refused('LIMIT_REACHED'))];
    const r = checkLinearizable({ createOracle: oracle, setup, ops, before, after });
    expect(r.verdict).toBe('not-linearizable');
    if (r.verdict === 'not-linearizable') expect(r.why.join('\n')).toMatch(/settled state differs/);
  });

  it('keeps real-time order: an operation that completed before another began stays first', () => {
    const { before, after } = settled([scan5, scan4]);
    // scan4 finished (t=5) before scan5 began (t=6): only the order 4, 5 is allowed, and in it scan4 links.
    const ops = [op(0, scan4, refused('LIMIT_REACHED'), 0, 5), op(1, scan5, OK, 6, 10)];
    expect(checkLinearizable({ createOracle: oracle, setup, ops, before, after }).verdict).toBe('not-linearizable');
  });

  it('answers inconclusive, never a pass, when the search bound is reached', () => {
    const { before, after } = settled([scan5, scan4]);
    const ops = [op(0, scan4, refused('LIMIT_REACHED')), op(1, scan5, OK)];
    const r = checkLinearizable({ createOracle: oracle, setup, ops, before, after, maxOrders: 1 });
    expect(r.verdict).toBe('inconclusive');
  });
});
