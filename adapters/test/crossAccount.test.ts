/**
 * Cross-account steps (model/events.ts "Cross-account steps": PAIR-07, PAIR-06, AUTH-03) and
 * re-registration without proof (LIFE-03), answered identically by every implementation we ship:
 * the same event sequences go through the worked example (adapters/examples) and the reference
 * (in process, real sockets and crypto), and every step's result, and the devices' statuses after
 * the sequence, must equal the model's and each other's. Before these steps were specified the
 * implementations answered a primary scanning the other account's companion `ok` (linked),
 * `QR_INVALID` or `NOT_PRIMARY`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../conformance/contract.js';
import { createStepTranslator } from '../../conformance/translate.js';
import { createOracle } from '../../model/createOracle.js';
import { ACCOUNTS, describeEvent, type CompanionId, type DeviceId, type LinkEvent } from '../../model/events.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createInMemoryAdapter } from '../examples/inMemoryAdapter.js';
import { createReferenceAdapter } from '../reference/index.js';

const reg = (account: 'A' | 'B', idCheck = false): LinkEvent => ({ type: 'REGISTER', account, idCheck });
const show = (device: CompanionId): LinkEvent => ({ type: 'SHOW_QR', device });
const scan = (device: CompanionId, by: DeviceId, more: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}): LinkEvent =>
  ({ type: 'SCAN_QR', device, by, source: 'live', idCheck: 'pass', tamper: 'none', ...more });
const request = (device: CompanionId): LinkEvent => ({ type: 'REQUEST_CODE', device });
const enter = (device: CompanionId, by: DeviceId, correct = true): LinkEvent => ({ type: 'ENTER_CODE', device, by, correct, idCheck: 'pass' });
const unlink = (by: DeviceId, target: DeviceId): LinkEvent => ({ type: 'UNLINK', by, target });
const rereg = (proof: boolean): LinkEvent => ({ type: 'REREGISTER', account: 'A', proof });
const link = (device: CompanionId): LinkEvent[] => [show(device), scan(device, `${device.slice(0, 1)}.primary` as DeviceId)];

/** Each sequence names what it pins; the model predicts every step (see the oracle tests too). */
export const CROSS_ACCOUNT_SEQUENCES: Record<string, LinkEvent[]> = {
  'scan the other account\'s companion: WRONG_ACCOUNT, its reference still links it to its own account': [
    reg('A'), reg('B'), show('B.c1'),
    scan('B.c1', 'A.primary'), scan('B.c1', 'A.primary', { source: 'photo' }), scan('B.c1', 'A.primary', { tamper: 'key' }),
    scan('B.c1', 'B.primary', { source: 'photo' }),
  ],
  'scan precedence: NOT_REGISTERED, NOT_PRIMARY, DEVICE_OFFLINE before WRONG_ACCOUNT, WRONG_ACCOUNT before the limit and the QR checks': [
    reg('B'), show('B.c1'), scan('B.c1', 'A.primary'),
    reg('A', true), ...link('A.c1'), scan('B.c1', 'A.c1'),
    { type: 'GO_OFFLINE', device: 'A.primary' }, scan('B.c1', 'A.primary'), { type: 'GO_ONLINE', device: 'A.primary' },
    ...link('A.c2'), ...link('A.c3'), ...link('A.c4'),
    scan('B.c1', 'A.primary', { idCheck: 'fail', tamper: 'ref' }), scan('B.c1', 'A.primary', { tamper: 'secret' }),
    show('A.c5'), scan('A.c5', 'B.primary'),
  ],
  'enter the other account\'s code: judged against the entering account\'s own code, the other code untouched': [
    reg('A'), reg('B'), request('B.c1'), enter('B.c1', 'A.primary'),
    request('A.c1'), ...Array.from({ length: DEFAULT_PROFILE.pairingCode.maxAttempts }, () => enter('B.c1', 'A.primary')),
    enter('A.c1', 'A.primary'), enter('B.c1', 'B.primary'),
  ],
  'unlink across accounts: NOT_LINKED by the primary, NOT_PRIMARY by a companion, never PRIMARY_NOT_UNLINKABLE, nothing signed out': [
    reg('A'), reg('B'), ...link('B.c1'), ...link('A.c1'),
    unlink('A.primary', 'B.primary'), unlink('A.primary', 'B.c1'), unlink('A.c1', 'B.c1'), unlink('A.c1', 'B.primary'),
    unlink('B.c1', 'A.c1'), unlink('B.primary', 'A.primary'),
    { type: 'GO_OFFLINE', device: 'A.primary' }, unlink('A.primary', 'B.c1'),
  ],
  // Walk seed 1491415433: B never registered, so its devices are ids no server has seen; the
  // answers depend only on who unlinks (a companion: NOT_PRIMARY; the primary: NOT_LINKED).
  'unlink of devices of an account that never registered': [
    reg('A'), ...link('A.c1'), unlink('A.c1', 'B.primary'), unlink('A.c1', 'B.c2'),
    unlink('A.primary', 'B.primary'), unlink('A.primary', 'B.c2'), unlink('A.c1', 'A.primary'), unlink('A.c1', 'A.c1'),
  ],
  // Walk seed 2082934365: an idle companion (its code expired) that starts afresh is a new device;
  // the expired code is not its own, so an entry for it is CODE_INVALID (none ever), not CODE_EXPIRED.
  'a companion that starts afresh after its code expired has no code': [
    reg('A'), reg('B'), request('B.c1'), { type: 'ADVANCE', ms: DEFAULT_PROFILE.pairingCode.lifetimeMs },
    enter('B.c1', 'B.primary'), ...link('B.c1'), enter('B.c1', 'B.primary'),
  ],
  're-registering without proof changes nothing; with proof it signs the companions out': [
    reg('A'), reg('B'), ...link('A.c1'), { type: 'SEND', from: 'B.primary', id: 'm1' },
    rereg(false), { type: 'SEND', from: 'B.primary', id: 'm2' }, rereg(true), { type: 'SEND', from: 'B.primary', id: 'm3' },
  ],
};

interface Answer {
  readonly results: string[];
  readonly statuses: Record<string, string>;
}

const said = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code!);

function modelAnswer(events: readonly LinkEvent[]): Answer {
  const oracle = createOracle(DEFAULT_PROFILE);
  const steps = events.map((e) => oracle.step(e));
  return { results: steps.map((s) => said(s.observation.result)), statuses: statusesOf(steps[steps.length - 1]!.observation.accounts) };
}

function statusesOf(accounts: Awaited<ReturnType<import('../../conformance/contract.js').Driver['observe']>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of ACCOUNTS) for (const [id, d] of Object.entries(accounts[a].devices)) out[id] = d.status;
  return out;
}

async function adapterAnswer(adapter: Adapter, events: readonly LinkEvent[]): Promise<Answer> {
  const driver = await adapter.open(DEFAULT_PROFILE);
  try {
    const translator = createStepTranslator(driver, DEFAULT_PROFILE);
    const results: string[] = [];
    for (const event of events) results.push(said((await translator.apply(event)).result));
    return { results, statuses: statusesOf(await driver.observe()) };
  } finally {
    await driver.close();
  }
}

/** The implementations compared; each must answer every sequence as the model does. */
const IMPLEMENTATIONS: Array<[string, () => Promise<Adapter> | Adapter]> = [
  ['worked example', () => createInMemoryAdapter()],
  ['reference (in process)', () => createReferenceAdapter()],
];

describe('cross-account steps and LIFE-03, every implementation answers as the model', () => {
  const opened: Adapter[] = [];
  afterAll(async () => { for (const a of opened) await a.dispose?.(); });

  for (const [name, events] of Object.entries(CROSS_ACCOUNT_SEQUENCES)) {
    it(name, async () => {
      const expected = modelAnswer(events);
      // The sequence means what its name says: it reaches at least one refusal of its kind.
      expect(expected.results.some((r) => ['WRONG_ACCOUNT', 'CODE_INVALID', 'NOT_LINKED', 'NUMBER_NOT_VERIFIED'].includes(r))).toBe(true);
      const answers: Array<[string, Answer]> = [];
      for (const [impl, make] of IMPLEMENTATIONS) {
        const adapter = await make();
        opened.push(adapter);
        answers.push([impl, await adapterAnswer(adapter, events)]);
      }
      for (const [impl, answer] of answers) {
        const steps = events.map((e, i) => `${describeEvent(e)} → ${answer.results[i]}`);
        expect(steps, impl).toEqual(events.map((e, i) => `${describeEvent(e)} → ${expected.results[i]}`));
        expect(answer.statuses, impl).toEqual(expected.statuses);
      }
    }, 60_000);
  }
});
