/**
 * LIFE-03, the contacts' half: when an account's primary key changes (the number moved to a new
 * phone, with proof), every contact that had trusted the old key tells its user - a safety-number
 * change - instead of encrypting to the new key silently. The model has no notion of what a
 * client shows, so this check asks the adapter (capability 'key-change-notice') after steps the
 * model drives in lockstep:
 * - B talks to A (B now trusts A's primary key), then nothing changes: no notice;
 * - A re-registers, B messages A again: exactly one notice naming A;
 * - B keeps messaging A: still one (a notice per change, not per message).
 */
import type { AccountId, LinkEvent } from '../../model/events.js';
import { failureFromDifferences } from '../failure.js';
import type { LockstepSession } from '../lockstep.js';
import { defineCheck, register, runSequence, type CheckOutcome } from './defineCheck.js';

const send = (from: 'A.primary' | 'B.primary', id: string): LinkEvent => ({ type: 'SEND', from, id });

function noticeFailure(session: LockstepSession, expected: readonly AccountId[], actual: readonly AccountId[]): CheckOutcome {
  const records = session.records;
  const field = 'B.primary key-change notices';
  const shown = (list: readonly AccountId[]) => (list.length === 0 ? 'none' : `[${list.join(', ')}]`);
  const path = [...records, { index: records.length, event: 'read B.primary\'s key-change notices', expected: `${field} ${shown(expected)}`, actual: `${field} ${shown(actual)}`, ok: false }];
  return { status: 'fail', steps: records.length, failure: failureFromDifferences(path, records.length, [{ field, expected: shown(expected), actual: shown(actual), requirement: 'LIFE-03' }]) };
}

const same = (a: readonly AccountId[], b: readonly AccountId[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const KEY_CHANGE_SURFACED = defineCheck({
  id: 'key-change-surfaced',
  title: 'A contact surfaces a changed primary key once per change (safety-number change), never silently',
  requirements: ['LIFE-03'],
  needs: ['lifecycle', 'messaging', 'key-change-notice'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      const expectNotices = async (expected: readonly AccountId[]): Promise<CheckOutcome | undefined> => {
        const actual = await session.driver.keyChangeNotices!('B.primary');
        return same(actual, expected) ? undefined : noticeFailure(session, expected, actual);
      };
      const stages: Array<[readonly LinkEvent[], readonly AccountId[]]> = [
        [[register('A'), register('B'), send('A.primary', 'k1'), send('B.primary', 'k2')], []],
        // A takeover without proof of the number is refused: no new key, nothing to surface.
        [[{ type: 'REREGISTER', account: 'A', proof: false }, send('B.primary', 'k3a')], []],
        [[{ type: 'REREGISTER', account: 'A', proof: true }, send('B.primary', 'k3')], ['A']],
        [[send('B.primary', 'k4'), send('A.primary', 'k5')], ['A']],
      ];
      for (const [events, expected] of stages) {
        const stopped = (await runSequence(session, events)) ?? (await expectNotices(expected));
        if (stopped) return stopped;
      }
      return { status: 'pass', steps: session.records.length };
    } finally {
      await session.close();
    }
  },
});
