/**
 * The PAIR-08 check (conformance/checks/pairingCodeSecrecy.ts) passes against the reference, whose
 * codes never leave the devices, and fails under PAIR-08 when any spelling of a code shown reaches
 * the server (a client that sends the code lower-cased without its dash, as the old protocol's
 * `code.request {phone, code}` did in upper case).
 */
import { describe, expect, it } from 'vitest';
import { createOracle } from '../../model/createOracle.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createReferenceAdapter } from '../../adapters/reference/index.js';
import { codeSpellings, PAIRING_CODE_NEVER_SENT } from '../checks/pairingCodeSecrecy.js';
import type { Adapter } from '../contract.js';
import { openLockstep } from '../lockstep.js';

function run(adapter: Adapter) {
  return PAIRING_CODE_NEVER_SENT.run({ profile: DEFAULT_PROFILE, openSession: () => openLockstep({ adapter, profile: DEFAULT_PROFILE, createOracle }) });
}

describe('check pairing-code-never-reaches-server (PAIR-08)', () => {
  it('spells a code every way a user or client could', () => {
    expect(codeSpellings('ABCD-EFGH')).toEqual(expect.arrayContaining(['ABCDEFGH', 'abcdefgh', 'ABCD-EFGH', 'abcd-efgh', 'ABCD EFGH']));
  });

  it('passes against the reference', async () => {
    expect(await run(createReferenceAdapter())).toMatchObject({ status: 'pass' });
  }, 60_000);

  it('fails under PAIR-08 when a code reaches the server in another spelling', async () => {
    const honest = createReferenceAdapter();
    const leaky: Adapter = {
      ...honest,
      open: async (profile) => {
        const driver = await honest.open(profile);
        const codes: string[] = [];
        const request = driver.requestPairingCode.bind(driver);
        driver.requestPairingCode = async (device, info) => {
          const r = await request(device, info);
          if (r.ok) codes.push(r.value);
          return r;
        };
        const traffic = driver.serverTraffic!.bind(driver);
        driver.serverTraffic = async () => [...(await traffic()), ...codes.map((c) => JSON.stringify({ type: 'code.request', id: 1, phone: '+1', code: c.replace('-', '').toLowerCase() }))];
        return driver;
      },
    };
    const outcome = await run(leaky);
    expect(outcome.status).toBe('fail');
    if (outcome.status === 'fail') expect(outcome.failure.requirement).toBe('PAIR-08');
  }, 60_000);
});
