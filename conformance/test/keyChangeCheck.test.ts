/**
 * The LIFE-03 key-change check (conformance/checks/keyChange.ts) passes against the reference and
 * fails, under LIFE-03, against the same reference whose clients trust a changed key silently.
 */
import { describe, expect, it } from 'vitest';
import { createOracle } from '../../model/createOracle.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createReferenceAdapter } from '../../adapters/reference/index.js';
import { KEY_CHANGE_SURFACED } from '../checks/keyChange.js';
import type { Adapter } from '../contract.js';
import { openLockstep } from '../lockstep.js';

function run(adapter: Adapter) {
  return KEY_CHANGE_SURFACED.run({
    profile: DEFAULT_PROFILE,
    openSession: () => openLockstep({ adapter, profile: DEFAULT_PROFILE, createOracle }),
  });
}

describe('check key-change-surfaced (LIFE-03)', () => {
  it('passes against the reference', async () => {
    expect(await run(createReferenceAdapter())).toMatchObject({ status: 'pass' });
  });

  it('fails under LIFE-03 when the client trusts the new key silently', async () => {
    const honest = createReferenceAdapter();
    const silent: Adapter = {
      ...honest,
      open: async (profile) => {
        const driver = await honest.open(profile);
        driver.keyChangeNotices = async () => [];
        return driver;
      },
    };
    const outcome = await run(silent);
    expect(outcome.status).toBe('fail');
    if (outcome.status === 'fail') {
      expect(outcome.failure.requirement).toBe('LIFE-03');
      expect(outcome.failure.message).toContain('key-change notices');
    }
  });
});
