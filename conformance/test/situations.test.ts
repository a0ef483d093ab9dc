/**
 * Named situations (conformance/situations.ts): a situation is named exactly when its step is
 * taken in its context, judged from the model; and the walks' situation moves reach them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOracle } from '../../model/createOracle.js';
import type { LinkEvent } from '../../model/events.js';
import { DEFAULT_PROFILE, DAY_MS } from '../../model/profile.js';
import { CAPABILITIES, type Capability } from '../contract.js';
import { SituationTracker, SITUATIONS, situationsFor } from '../situations.js';
import { situationMoveArbitrary } from '../situationMoves.js';
import { openLockstep, type Coverage } from '../lockstep.js';
import { createInMemoryAdapter } from '../../adapters/examples/inMemoryAdapter.js';

const P = DEFAULT_PROFILE;

function reached(events: readonly LinkEvent[]): Set<string> {
  const oracle = createOracle(P);
  const tracker = new SituationTracker(P);
  const seen = new Set<string>();
  let before = oracle.observe().accounts;
  for (const e of events) {
    const after = oracle.step(e).observation;
    for (const s of tracker.step(e, before, after)) seen.add(s);
    before = after.accounts;
  }
  return seen;
}

const link = (c: 'A.c1' | 'A.c2' | 'A.c3' | 'A.c4' | 'A.c5'): LinkEvent[] => [
  { type: 'SHOW_QR', device: c },
  { type: 'SCAN_QR', device: c, by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' },
];

describe('situations', () => {
  it('every situation has a unique id and cites requirements', () => {
    expect(new Set(SITUATIONS.map((s) => s.id)).size).toBe(SITUATIONS.length);
    for (const s of SITUATIONS) expect(s.requirements.length).toBeGreaterThan(0);
  });

  it('a dormancy deadline with one companion offline and one online names both, and not before the limit', () => {
    const setup: LinkEvent[] = [
      { type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REGISTER', account: 'B', idCheck: false },
      ...link('A.c1'), ...link('A.c2'), { type: 'GO_OFFLINE', device: 'A.c2' }, { type: 'GO_OFFLINE', device: 'A.primary' },
      { type: 'ADVANCE', ms: P.primaryDormancyMs - 1 },
    ];
    const early = reached(setup);
    expect(early.has('dormancy-just-before-deadline')).toBe(true);
    expect(early.has('dormancy-deadline-companion-offline')).toBe(false);
    const late = reached([...setup, { type: 'ADVANCE', ms: 1 }]);
    expect(late.has('dormancy-deadline-companion-offline')).toBe(true);
    expect(late.has('dormancy-deadline-companion-online')).toBe(true);
  });

  it('a slot is reused only when the account is back at the limit after that kind of sign-out', () => {
    const base: LinkEvent[] = [
      { type: 'REGISTER', account: 'A', idCheck: false }, ...link('A.c1'), ...link('A.c2'), ...link('A.c3'), ...link('A.c4'),
      { type: 'UNLINK', by: 'A.c4', target: 'A.c4' },
    ];
    expect(reached(base).has('slot-reused-after-self-unlink')).toBe(false);
    const refilled = reached([...base, ...link('A.c4'), ...link('A.c5')]);
    expect(refilled.has('slot-reused-after-self-unlink')).toBe(true);
    expect(refilled.has('slot-reused-after-unlink')).toBe(false);
    expect(refilled.has('limit-refused-after-reuse')).toBe(true);
  });

  it('messages queued across 14 days are named when the device comes back', () => {
    const seen = reached([
      { type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REGISTER', account: 'B', idCheck: false },
      { type: 'GO_OFFLINE', device: 'B.primary' }, { type: 'SEND', from: 'A.primary', id: 'x' },
      { type: 'ADVANCE', ms: 14 * DAY_MS }, { type: 'GO_ONLINE', device: 'B.primary' },
    ]);
    expect(seen.has('queued-across-14-days')).toBe(true);
  });

  it('situations needing a capability are left out for an adapter without it', () => {
    const none = situationsFor(new Set());
    expect(none.every((s) => s.needs.length === 0)).toBe(true);
    expect(situationsFor(new Set(Object.keys(CAPABILITIES) as Capability[])).length).toBe(SITUATIONS.length);
  });

  it('the situation moves reach most reachable situations in a few dozen walks of the worked example', async () => {
    const adapter = createInMemoryAdapter();
    const moves = situationMoveArbitrary(P, adapter.capabilities, { crossAccount: false })!;
    const coverage: Coverage = { states: new Set(), transitions: new Set(), situations: new Set() };
    for (const [i, m] of fc.sample(fc.array(moves, { minLength: 3, maxLength: 3 }), { numRuns: 40, seed: 7 }).entries()) {
      const session = await openLockstep({ adapter, profile: P, createOracle, coverage });
      try {
        for (const [j, cmd] of m.entries()) {
          const v = await cmd.renumber!(i * 10 + j).run(session);
          expect(v.record.ok, `${cmd.toString()}: ${v.record.event} ${v.record.expected} / ${v.record.actual}`).toBe(true);
        }
      } finally {
        await session.close();
      }
    }
    const reachable = situationsFor(adapter.capabilities).filter((s) => !s.id.startsWith('cross-account'));
    const hit = reachable.filter((s) => coverage.situations!.has(s.id));
    expect(hit.length / reachable.length).toBeGreaterThan(0.7);
  }, 60_000);
});
