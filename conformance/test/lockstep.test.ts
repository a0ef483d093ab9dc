/**
 * Lockstep guards: an adapter that never answers ends the run as a harness error with a stable
 * code (not a hang, not a pass); one that throws in a step gets that step reported as INTERNAL.
 */
import { describe, expect, it } from 'vitest';
import { createOracle } from '../../model/createOracle.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { Adapter } from '../contract.js';
import { openLockstep } from '../lockstep.js';
import { createMemoryAdapter } from './fixtures/memoryAdapter.js';

function withDriver(change: (driver: Awaited<ReturnType<Adapter['open']>>) => void): Adapter {
  const inner = createMemoryAdapter();
  return { ...inner, open: async (p) => { const d = await inner.open(p); change(d); return d; } };
}

describe('lockstep', () => {
  it('ends with ADAPTER_TIMEOUT when the adapter never answers', async () => {
    const adapter = withDriver((d) => { d.register = () => new Promise(() => undefined); });
    const session = await openLockstep({ adapter, profile: DEFAULT_PROFILE, createOracle, stepDeadlineMs: 50 });
    await expect(session.step({ type: 'REGISTER', account: 'A', idCheck: false })).rejects.toMatchObject({ code: 'ADAPTER_TIMEOUT' });
  });

  it('ends with an adapter fault naming the step when an adapter call throws: a crash is never a step result (issue 11)', async () => {
    const adapter = withDriver((d) => { d.register = async () => { throw new Error('boom'); }; });
    const session = await openLockstep({ adapter, profile: DEFAULT_PROFILE, createOracle });
    await expect(session.step({ type: 'REGISTER', account: 'A', idCheck: false })).rejects.toMatchObject({
      kind: 'adapter-fault', code: 'ADAPTER_THREW', call: expect.stringContaining('REGISTER'), message: expect.stringContaining('boom'),
    });
    expect(session.records).toEqual([]);
  });
});
