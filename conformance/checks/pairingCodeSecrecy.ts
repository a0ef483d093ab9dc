/**
 * PAIR-08: the server never learns the pairing code. The check links by pairing code (a wrong
 * entry first, then the right one, then a second companion's code), then reads every frame the
 * server received (capability 'server-traffic') and looks for each code shown in any
 * normalisation a user or a client could produce - as shown ('ABCD-EFGH'), without the dash,
 * lower case, with a space - read as is and decoded from base64 and hex (plaintext.ts), so a
 * client that sends the code, or an encoding of it, is caught.
 */
import type { CompanionId, LinkEvent } from '../../model/events.js';
import { failureFromDifferences } from '../failure.js';
import { defineCheck, register, runSequence } from './defineCheck.js';
import { leaksPlaintext } from './plaintext.js';

/** The spellings of one code a server could be sent. */
export function codeSpellings(shown: string): string[] {
  const bare = shown.replace(/[-\s]/g, '');
  const half = Math.ceil(bare.length / 2);
  const grouped = [`${bare.slice(0, half)}-${bare.slice(half)}`, `${bare.slice(0, half)} ${bare.slice(half)}`, shown];
  return [...new Set([bare, ...grouped].flatMap((s) => [s, s.toLowerCase(), s.toUpperCase()]))];
}

const enter = (device: CompanionId, correct: boolean): LinkEvent => ({ type: 'ENTER_CODE', device, by: 'A.primary', correct, idCheck: 'pass' });

export const PAIRING_CODE_NEVER_SENT = defineCheck({
  id: 'pairing-code-never-reaches-server',
  title: 'No frame the server receives carries the pairing code, in any spelling or encoding',
  requirements: ['PAIR-08'],
  needs: ['pairing-code', 'server-traffic'],
  async run(ctx) {
    const session = await ctx.openSession();
    const shown: string[] = [];
    const driver = session.driver;
    const request = driver.requestPairingCode.bind(driver);
    driver.requestPairingCode = async (device, info) => {
      const outcome = await request(device, info);
      if (outcome.ok) shown.push(outcome.value);
      return outcome;
    };
    try {
      const events: LinkEvent[] = [
        register('A'), { type: 'REQUEST_CODE', device: 'A.c1' }, enter('A.c1', false), enter('A.c1', true),
        { type: 'REQUEST_CODE', device: 'A.c2' }, enter('A.c2', true),
      ];
      const stopped = await runSequence(session, events);
      const traffic = await driver.serverTraffic!();
      const leaks = shown.flatMap((code) => codeSpellings(code).filter((spelling) => traffic.some((frame) => leaksPlaintext(frame, spelling))).map((spelling) => ({ code, spelling })));
      if (leaks.length === 0) return stopped ?? { status: 'pass', steps: session.records.length };
      const records = stopped?.status === 'fail' ? stopped.failure.path.slice(0, stopped.failure.failingStep + 1) : session.records;
      const field = 'frames the server received';
      const actual = `${leaks.length} spelling(s) of the codes shown appear, e.g. '${leaks[0]!.spelling}' (code ${leaks[0]!.code})`;
      const path = [...records, { index: records.length, event: 'read every frame the server received', expected: `${field}: no pairing code`, actual: `${field}: ${actual}`, ok: false }];
      return { status: 'fail', steps: records.length, failure: failureFromDifferences(path, records.length, [{ field, expected: 'no pairing code in any spelling', actual, requirement: 'PAIR-08' }]) };
    } finally {
      await session.close();
    }
  },
});
