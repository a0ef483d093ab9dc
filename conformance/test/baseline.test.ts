/**
 * The baseline: a malformed file is refused with BAD_BASELINE; a listed failure is accepted,
 * an unlisted MUST failure fails the run, and an entry that passes now is stale and fails it too.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { parseBaseline } from '../baseline.js';
import { runSuite } from '../runSuite.js';
import { createMemoryAdapter } from './fixtures/memoryAdapter.js';

describe('baseline', () => {
  it.each([
    [{}, 'accepted'],
    [{ accepted: [{ requirement: 'NOPE-1', reason: 'x' }] }, 'accepted.0.requirement'],
    [{ accepted: [{ requirement: 'EXP-04', reason: ' ' }] }, 'accepted.0.reason'],
    [{ accepted: [], extra: 1 }, '(top level)'],
  ])('refuses %j naming %s', (json, field) => {
    expect(() => parseBaseline(json, 'b.json')).toThrow(expect.objectContaining({ code: 'BAD_BASELINE', message: expect.stringContaining(field) }));
  });

  it('accepts a listed failure, and fails the run on a stale entry', async () => {
    const adapter = createMemoryAdapter({ bugs: { extraCompanion: true } });
    const run = (accepted: Array<{ requirement: 'LIMIT-01' | 'EXP-01'; reason: string }>) =>
      runSuite({ adapter, adapterSpec: 'memory', profile: DEFAULT_PROFILE, check: 'limit-one-too-many', baseline: parseBaseline({ accepted }, 'b.json') });

    const unexpected = await run([]);
    expect(unexpected.verdict).toBe('non-conformant');
    expect(unexpected.baseline).toMatchObject({ unexpected: ['LIMIT-01'], accepted: [], stale: [] });

    const accepted = await run([{ requirement: 'LIMIT-01', reason: 'known, fix in 2.1' }]);
    expect(accepted.verdict).toBe('conformant');
    expect(accepted.requirements.find((r) => r.id === 'LIMIT-01')).toMatchObject({ verdict: 'fail', baselined: true });

    const fixed = await runSuite({ adapter: createMemoryAdapter(), adapterSpec: 'memory', profile: DEFAULT_PROFILE, check: 'limit-one-too-many', baseline: parseBaseline({ accepted: [{ requirement: 'LIMIT-01', reason: 'old' }] }, 'b.json') });
    expect(fixed.baseline?.stale).toEqual(['LIMIT-01']);
    expect(fixed.verdict).toBe('non-conformant');
  });
});
