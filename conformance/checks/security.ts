/**
 * Checks past the observation, against a server that misbehaves or is watched:
 * AUTH-02 - a device the server injected, never signed by the primary, can decrypt nothing;
 * E2E-01 - nothing the server relays carries a message id or body in plaintext.
 */
import type { LinkEvent } from '../../model/events.js';
import { failureFromDifferences } from '../failure.js';
import { defineCheck, linkByQr, register, runSequence, type CheckOutcome } from './defineCheck.js';
import { leaksPlaintext } from './plaintext.js';

const INTRUDER = 'intruder';

const send = (from: 'A.primary' | 'A.c1' | 'B.primary', id: string): LinkEvent => ({ type: 'SEND', from, id });

/** A failure that is not a difference of observations: one extra step in words, and the field. */
function extraFailure(records: Parameters<typeof failureFromDifferences>[0], step: string, field: string, expected: string, actual: string, requirement: 'AUTH-02' | 'E2E-01'): CheckOutcome {
  const path = [...records, { index: records.length, event: step, expected: `${field} ${expected}`, actual: `${field} ${actual}`, ok: false }];
  return { status: 'fail', steps: records.length, failure: failureFromDifferences(path, records.length, [{ field, expected, actual, requirement }]) };
}

export const SERVER_INJECTED_DEVICE = defineCheck({
  id: 'server-injected-device',
  title: 'A device the server adds without the primary\'s signature receives nothing it can decrypt',
  requirements: ['AUTH-02'],
  needs: ['server-injection', 'messaging'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      const early = await runSequence(session, [register('A'), register('B'), ...linkByQr('A.c1')]);
      if (early) return early;
      await session.driver.injectDevice!('A', INTRUDER);
      const later = await runSequence(session, [send('B.primary', 'm-to-A'), send('A.primary', 'm-from-A')]);
      if (later) return later;
      const received = await session.driver.injectedDeviceReceived!('A', INTRUDER);
      if (received === 0) return { status: 'pass', steps: session.records.length };
      return extraFailure(session.records, `server injects device '${INTRUDER}' into A, then count what it could decrypt`, `messages decryptable by ${INTRUDER}`, '0', String(received), 'AUTH-02');
    } finally {
      await session.close();
    }
  },
});

/** A message id no implementation would invent: if it appears in relayed bytes, it was sent in the clear. */
const PROBE = 'probe-e2e-7f3a9c';


export const RELAY_IS_CIPHERTEXT = defineCheck({
  id: 'relay-is-ciphertext',
  title: 'No field of a relayed payload, read as is or decoded from base64 or hex, carries a message id',
  requirements: ['E2E-01'],
  needs: ['traffic-inspection', 'messaging'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      // Inspect the traffic even when a step differed: plaintext on the wire is the finding to
      // report first, and a delivery difference is often only its consequence.
      const early = await runSequence(session, [register('A'), register('B'), send('A.primary', PROBE), send('B.primary', `${PROBE}-reply`)]);
      const payloads = await session.driver.relayedPayloads!();
      const leaking = payloads.filter((p) => leaksPlaintext(p, PROBE));
      if (early && (leaking.length === 0 || early.status === 'pass')) return early;
      if (payloads.length > 0 && leaking.length === 0) return { status: 'pass', steps: session.records.length };
      const actual = payloads.length === 0 ? 'no payload relayed at all (nothing to inspect)' : `${leaking.length} of ${payloads.length} payloads carry '${PROBE}', e.g. ${JSON.stringify(leaking[0]).slice(0, 80)}`;
      const records = early?.status === 'fail' ? early.failure.path.slice(0, early.failure.failingStep + 1) : session.records;
      return extraFailure(records, 'inspect every payload the server relayed', 'relayed payloads', 'ciphertext only', actual, 'E2E-01');
    } finally {
      await session.close();
    }
  },
});
