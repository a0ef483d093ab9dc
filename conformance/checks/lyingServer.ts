/**
 * A lying server (capability 'lying-server', issue 9 class 3): after account A removed a
 * companion and B's client has seen the new list, the server lies to B about A's devices, and B
 * sends. Clients trust devices only through the primary's signatures, so B must address nothing
 * to what the lie introduced:
 * - replay an older signed list (it still holds the removed companion): LIFE-02, older lists are rejected;
 * - re-list the removed companion beside the current list (its ADV signatures are genuine): E2E-03;
 * - swap a companion's box key for the server's own (not signed by its identity key): AUTH-02.
 * The server injecting an unsigned device is the older check `server-injected-device`.
 * NOT checked: the server withholding an update from a client that never saw the newer list; no
 * client can tell that from the protocol alone (a replay to a client that did see it is covered).
 */
import type { RequirementId } from '../../model/requirements.js';
import type { StepRecord } from '../../reports/schema.js';
import type { ServerLie } from '../contract.js';
import { failureFromDifferences } from '../failure.js';
import { defineCheck, linkByQr, register, runSequence, type SecurityCheck } from './defineCheck.js';

const LIES: ReadonlyArray<{ lie: ServerLie; requirement: RequirementId; title: string }> = [
  { lie: 'replay-old-list', requirement: 'LIFE-02', title: 'The server replays an older signed device list holding a removed companion: the sender rejects it' },
  { lie: 'relist-removed', requirement: 'E2E-03', title: 'The server lists a removed companion again beside the current list: the sender encrypts nothing to it' },
  { lie: 'unbound-key', requirement: 'AUTH-02', title: 'The server swaps a companion\'s box key for its own: the sender encrypts nothing to that key' },
];

export const LYING_SERVER_CHECKS: readonly SecurityCheck[] = LIES.map(({ lie, requirement, title }) => defineCheck({
  id: `lying-server-${lie}`, title, requirements: [requirement], needs: ['lying-server', 'qr-image', 'messaging'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      const failed = await runSequence(session, [
        register('A'), register('B'), ...linkByQr('A.c1'), ...linkByQr('A.c2'),
        { type: 'SEND', from: 'B.primary', id: 'before' },
        { type: 'UNLINK', by: 'A.primary', target: 'A.c2' },
        { type: 'SEND', from: 'B.primary', id: 'after' },
      ]);
      if (failed) return failed;
      await session.driver.serverLie!('A', lie);
      // Not a model step: the model knows no lying server. Whatever B's client answers, it must
      // not address the removed companion or the swapped key.
      const result = await session.driver.send('B.primary', 'lied');
      const addressed = await session.driver.addressedUnderLie!('A');
      const steps = session.records.length + 2;
      if (addressed === 0) return { status: 'pass', steps };
      const path: StepRecord[] = [
        ...session.records,
        { index: session.records.length, event: `the server lies about A's devices (${lie})`, expected: 'ok', actual: 'ok', ok: true },
        {
          index: session.records.length + 1, event: 'SEND lied from B.primary', expected: 'no envelope to what the lie introduced',
          actual: `${addressed} envelope(s) addressed to it (send ${result.ok ? 'ok' : result.code})`, ok: false,
        },
      ];
      return {
        status: 'fail', steps,
        failure: failureFromDifferences(path, path.length - 1, [{ field: 'envelopes to the lie', expected: '0', actual: String(addressed), requirement }]),
      };
    } finally {
      await session.close();
    }
  },
}));
