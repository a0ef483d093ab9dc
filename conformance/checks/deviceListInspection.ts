/**
 * LIFE-02 read from the lists themselves (capability 'device-list-inspection'): after every change
 * to account A's devices - links, an unlink by the primary, a self-unlink and a dormancy sign-out
 * (server-asserted removals), a re-registration - the list another client fetches verifies under
 * A's primary key, covers exactly the devices the model has linked, and its version increased
 * exactly when the model's did. The observation compares versions by change only; this reads
 * what a client would trust.
 */
import type { DeviceId, LinkEvent } from '../../model/events.js';
import type { Observation } from '../../model/observation.js';
import type { StepRecord } from '../../reports/schema.js';
import { defineCheck, linkByQr, register, type SecurityCheck } from './defineCheck.js';
import { failureFromDifferences, failureFromSession } from '../failure.js';

const linkedOfA = (accounts: Observation['accounts']): string[] =>
  (Object.entries(accounts.A.devices) as Array<[DeviceId, { status: string }]>).filter(([, d]) => d.status === 'linked').map(([id]) => id).sort();

export const DEVICE_LIST_SIGNED = defineCheck({
  id: 'device-list-signed',
  title: 'After every change, the account\'s device list verifies under its primary key, covers exactly its linked devices, and its version rises exactly when the model\'s does',
  requirements: ['LIFE-02'], needs: ['device-list-inspection', 'qr-image', 'clock', 'offline', 'lifecycle'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      const p = ctx.profile;
      const events: LinkEvent[] = [
        register('A'), register('B'), ...linkByQr('A.c1'), ...linkByQr('A.c2'), ...linkByQr('A.c3'),
        { type: 'UNLINK', by: 'A.primary', target: 'A.c2' }, { type: 'UNLINK', by: 'A.c3', target: 'A.c3' },
        ...linkByQr('A.c4'), { type: 'GO_OFFLINE', device: 'A.primary' }, { type: 'ADVANCE', ms: p.primaryDormancyMs },
        { type: 'GO_ONLINE', device: 'A.primary' }, ...linkByQr('A.c5'), { type: 'REREGISTER', account: 'A', proof: true },
      ];
      let lastVersion = 0;
      let modelVersion = 0;
      for (const event of events) {
        const verdict = await session.step(event);
        if (!verdict.record.ok) return { status: 'fail', steps: session.records.length, failure: failureFromSession(session)! };
        const model = session.expected.accounts;
        if (!model.A.registered || !model.B.registered) continue;
        const list = await session.driver.deviceList!('A');
        const want = linkedOfA(model);
        const problems: string[] = [];
        if (!list.verified) problems.push('does not verify under the primary\'s key');
        if (list.devices.join(',') !== want.join(',')) problems.push(`covers [${list.devices.join(', ')}], the model has [${want.join(', ')}] linked`);
        const rose = model.A.deviceListVersion > modelVersion;
        if (rose && list.version <= lastVersion) problems.push(`version ${list.version} did not rise above ${lastVersion}`);
        if (!rose && modelVersion > 0 && list.version !== lastVersion) problems.push(`version changed ${lastVersion} -> ${list.version} with no change to the devices`);
        if (problems.length) {
          const path: StepRecord[] = [...session.records, {
            index: session.records.length, event: 'FETCH A\'s device list (as B.primary)', expected: `verified, [${want.join(', ')}]`, actual: problems.join('; '), ok: false,
          }];
          return { status: 'fail', steps: path.length, failure: failureFromDifferences(path, path.length - 1, [{ field: 'A device list', expected: `verified, [${want.join(', ')}]`, actual: problems.join('; '), requirement: 'LIFE-02' }]) };
        }
        lastVersion = list.version;
        modelVersion = model.A.deviceListVersion;
      }
      return { status: 'pass', steps: session.records.length };
    } finally {
      await session.close();
    }
  },
}) satisfies SecurityCheck;
