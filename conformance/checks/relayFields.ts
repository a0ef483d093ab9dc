/**
 * E2E-01, one layer deeper than relay-is-ciphertext: a payload is usually a JSON envelope whose
 * fields are base64 (`{"nonce": ..., "ciphertext": ...}`), and a client that ships with its
 * encryption stubbed out puts the message itself, base64-encoded, in the "ciphertext" field.
 * This check decodes every string field of every relayed payload (base64, base64url, hex) and
 * fails if a probe message id appears in any of them. Found by `linkspec selftest`: the
 * known-bad variant 'plaintext-relay' survived the suite without it.
 */
import type { LinkEvent } from '../../model/events.js';
import { failureFromDifferences } from '../failure.js';
import { defineCheck, register, runSequence } from './defineCheck.js';

/** A message id no implementation would invent. */
const PROBE = 'probe-e2e-fields-5d21';

const send = (from: 'A.primary' | 'B.primary', id: string): LinkEvent => ({ type: 'SEND', from, id });

/** Every string in a JSON value (the payload itself when it is not JSON). */
function strings(payload: string): string[] {
  let value: unknown;
  try { value = JSON.parse(payload); } catch { return [payload]; }
  const out: string[] = [payload];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** The readings of a field a server operator could make without any key. */
function readings(field: string): string[] {
  const out = [field];
  if (/^[A-Za-z0-9+/_-]+=*$/.test(field)) out.push(Buffer.from(field, 'base64').toString('latin1'), Buffer.from(field, 'base64url').toString('latin1'));
  if (/^(?:[0-9a-fA-F]{2})+$/.test(field)) out.push(Buffer.from(field, 'hex').toString('latin1'));
  return out;
}

export function leaksPlaintext(payload: string, probe: string = PROBE): boolean {
  return strings(payload).some((s) => readings(s).some((r) => r.includes(probe)));
}

export const RELAY_FIELDS_ARE_CIPHERTEXT = defineCheck({
  id: 'relay-fields-are-ciphertext',
  title: 'No field of a relayed payload, decoded from base64 or hex, carries a message id',
  requirements: ['E2E-01'],
  needs: ['traffic-inspection', 'messaging'],
  async run(ctx) {
    const session = await ctx.openSession();
    try {
      const early = await runSequence(session, [register('A'), register('B'), send('A.primary', PROBE), send('B.primary', `${PROBE}-reply`)]);
      const payloads = await session.driver.relayedPayloads!();
      const leaking = payloads.filter((p) => leaksPlaintext(p));
      if (leaking.length === 0) return early ?? { status: 'pass', steps: session.records.length };
      const records = early?.status === 'fail' ? early.failure.path.slice(0, early.failure.failingStep + 1) : session.records;
      const field = 'relayed payload fields (decoded)';
      const actual = `${leaking.length} of ${payloads.length} payloads carry '${PROBE}' in a decoded field, e.g. ${JSON.stringify(leaking[0]).slice(0, 80)}`;
      const path = [...records, { index: records.length, event: 'decode every field of every payload the server relayed', expected: `${field} ciphertext only`, actual: `${field} ${actual}`, ok: false }];
      return { status: 'fail', steps: records.length, failure: failureFromDifferences(path, records.length, [{ field, expected: 'ciphertext only', actual, requirement: 'E2E-01' }]) };
    } finally {
      await session.close();
    }
  },
});
