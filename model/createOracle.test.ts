/**
 * The oracle against hand-written scenarios taken from the normative text of model/events.ts:
 * boundaries (EXP-01 at 14 d − 1 ms and 14 d, QR rotation edges, code attempts and expiry),
 * refusal precedence, delivery order, history, notices and the account lifecycle.
 */
import { describe, expect, it } from 'vitest';
import { createOracle } from './createOracle.js';
import { modelElements } from './elements.js';
import type { CompanionId, DeviceId, LinkEvent } from './events.js';
import { DAY_MS, DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE, qrAttemptMs, qrRefWindow, type Profile } from './profile.js';

const reg = (account: 'A' | 'B', idCheck = false): LinkEvent => ({ type: 'REGISTER', account, idCheck });
const show = (device: CompanionId): LinkEvent => ({ type: 'SHOW_QR', device });
const scan = (device: CompanionId, more: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}): LinkEvent =>
  ({ type: 'SCAN_QR', device, by: `${device.slice(0, 1)}.primary` as DeviceId, source: 'live', idCheck: 'pass', tamper: 'none', ...more });
const code = (device: CompanionId): LinkEvent => ({ type: 'REQUEST_CODE', device });
const enter = (device: CompanionId, correct: boolean, more: Partial<Extract<LinkEvent, { type: 'ENTER_CODE' }>> = {}): LinkEvent =>
  ({ type: 'ENTER_CODE', device, by: `${device.slice(0, 1)}.primary` as DeviceId, correct, idCheck: 'pass', ...more });
const off = (device: DeviceId): LinkEvent => ({ type: 'GO_OFFLINE', device });
const on = (device: DeviceId): LinkEvent => ({ type: 'GO_ONLINE', device });
const send = (from: DeviceId, id: string): LinkEvent => ({ type: 'SEND', from, id });
const wait = (ms: number): LinkEvent => ({ type: 'ADVANCE', ms });
const link = (device: CompanionId): LinkEvent[] => [show(device), scan(device)];

function run(events: LinkEvent[], profile: Profile = DEFAULT_PROFILE) {
  const oracle = createOracle(profile);
  const steps = events.map((e) => oracle.step(e));
  return { oracle, steps, last: steps[steps.length - 1]! };
}
const codeOf = (step: { observation: { result: { ok: boolean; code?: string } } }) =>
  step.observation.result.ok ? 'OK' : (step.observation.result as { code: string }).code;
const device = (r: ReturnType<typeof run>, id: DeviceId) => r.last.observation.accounts[id.slice(0, 1) as 'A' | 'B'].devices[id];

describe('EXP-01/EXP-02 primary dormancy', () => {
  const base = [reg('A'), ...link('A.c1'), off('A.primary')];
  it('still linked at 14 d − 1 ms, signed out at 14 d', () => {
    const r = run([...base, wait(14 * DAY_MS - 1)]);
    expect(device(r, 'A.c1')?.status).toBe('linked');
    r.last = r.oracle.step(wait(1));
    expect(device(r, 'A.c1')).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
    expect(r.last.transitions).toContain('A.registered.primaryOffline/primaryDormancyReached');
    expect(r.last.states).toContain('A.registered.primaryDormant');
  });
  it('one long ADVANCE equals the boundary taken exactly', () => {
    const r = run([...base, wait(40 * DAY_MS)]);
    expect(device(r, 'A.c1')?.signOutReason).toBe('primary-dormant');
  });
  it('primary activity before the limit restarts the window', () => {
    const r = run([...base, wait(13 * DAY_MS), on('A.primary'), off('A.primary'), wait(13 * DAY_MS)]);
    expect(device(r, 'A.c1')?.status).toBe('linked');
  });
  it('dormancy beats a companion idleness reached at the same instant', () => {
    const r = run([...base, off('A.c1'), wait(40 * DAY_MS)]);
    expect(device(r, 'A.c1')?.signOutReason).toBe('primary-dormant');
  });
  it('a companion idle 30 days is signed out (EXP-04)', () => {
    const r = run([reg('A'), ...link('A.c1'), off('A.c1'), wait(30 * DAY_MS - 1)]);
    expect(device(r, 'A.c1')?.status).toBe('linked');
    r.last = r.oracle.step(wait(1));
    expect(device(r, 'A.c1')).toMatchObject({ status: 'signed-out', signOutReason: 'idle' });
  });
});

describe('LIMIT-01/LIMIT-02', () => {
  const four = (['A.c1', 'A.c2', 'A.c3', 'A.c4'] as CompanionId[]).flatMap(link);
  it('the fifth link is refused and changes nothing', () => {
    const r = run([reg('A'), ...four, show('A.c5')]);
    const before = r.last.observation.accounts;
    const fifth = r.oracle.step(scan('A.c5'));
    expect(codeOf(fifth)).toBe('LIMIT_REACHED');
    expect(fifth.observation.accounts).toEqual(before);
  });
  it('unlinking frees the slot', () => {
    const r = run([reg('A'), ...four, show('A.c5'), { type: 'UNLINK', by: 'A.primary', target: 'A.c2' }, scan('A.c5')]);
    expect(codeOf(r.last)).toBe('OK');
  });
  it('the Signal-like profile allows five', () => {
    const five = (['A.c1', 'A.c2', 'A.c3', 'A.c4', 'A.c5'] as CompanionId[]).flatMap(link);
    const r = run([reg('A'), ...five, show('A.c6'), scan('A.c6')], SIGNAL_LIKE_PROFILE);
    expect(r.steps.slice(0, -1).every((s) => s.observation.result.ok)).toBe(true);
    expect(codeOf(r.last)).toBe('LIMIT_REACHED');
  });
});

describe('PAIR-03/PAIR-04 QR references', () => {
  const photo = (device: CompanionId) => scan(device, { source: 'photo' });
  it('a photo of reference 0 links until the first window closes, then is expired', () => {
    const { untilMs } = qrRefWindow(DEFAULT_PROFILE, 0);
    expect(codeOf(run([reg('A'), show('A.c1'), wait(untilMs - 1), photo('A.c1')]).last)).toBe('OK');
    expect(codeOf(run([reg('A'), show('A.c1'), wait(untilMs), photo('A.c1')]).last)).toBe('QR_EXPIRED');
  });
  it('live scanning works on the last reference and the attempt ends at its end', () => {
    const end = qrAttemptMs(DEFAULT_PROFILE);
    expect(codeOf(run([reg('A'), show('A.c1'), wait(end - 1), scan('A.c1')]).last)).toBe('OK');
    const r = run([reg('A'), show('A.c1'), wait(end), scan('A.c1')]);
    expect(codeOf(r.last)).toBe('NO_QR');
    expect(device(r, 'A.c1')?.status).toBe('idle');
  });
  it('a used or cancelled reference links nothing', () => {
    expect(codeOf(run([reg('A'), ...link('A.c1'), { type: 'UNLINK', by: 'A.primary', target: 'A.c1' }, photo('A.c1')]).last)).toBe('QR_USED');
    expect(codeOf(run([reg('A'), show('A.c1'), { type: 'CANCEL_LINKING', device: 'A.c1' }, photo('A.c1')]).last)).toBe('QR_USED');
    expect(codeOf(run([reg('A'), show('A.c1'), off('A.c1'), photo('A.c1')]).last)).toBe('QR_USED');
  });
  it('refusal precedence: tampered ref before used, key after expired', () => {
    const used = [reg('A'), show('A.c1'), { type: 'CANCEL_LINKING', device: 'A.c1' } as LinkEvent];
    expect(codeOf(run([...used, scan('A.c1', { source: 'photo', tamper: 'ref' })]).last)).toBe('QR_INVALID');
    expect(codeOf(run([...used, scan('A.c1', { source: 'photo', tamper: 'key' })]).last)).toBe('QR_USED');
    expect(codeOf(run([reg('A', true), show('A.c1'), scan('A.c1', { idCheck: 'fail', tamper: 'ref' })]).last)).toBe('ID_CHECK_FAILED');
    expect(codeOf(run([reg('A'), show('A.c1'), scan('A.c1', { tamper: 'secret' })]).last)).toBe('QR_INVALID');
    expect(codeOf(run([reg('A'), show('A.c1'), scan('A.c1', { by: 'A.c2' })]).last)).toBe('NOT_PRIMARY');
    expect(codeOf(run([show('A.c1'), scan('A.c1')]).last)).toBe('NOT_REGISTERED');
    expect(codeOf(run([scan('A.c1')]).last)).toBe('NO_QR');
  });
});

describe('PAIR-06 pairing codes', () => {
  it('the right code links its holder', () => {
    const r = run([reg('A'), code('A.c1'), enter('A.c1', true)]);
    expect(device(r, 'A.c1')?.status).toBe('linked');
  });
  it('wrong codes count; at maxAttempts the code is exhausted and the holder idle', () => {
    const wrong = Array.from({ length: DEFAULT_PROFILE.pairingCode.maxAttempts }, () => enter('A.c1', false));
    const r = run([reg('A'), code('A.c1'), ...wrong]);
    expect(r.steps.slice(2).map(codeOf)).toEqual(wrong.map(() => 'CODE_INVALID'));
    expect(device(r, 'A.c1')?.status).toBe('idle');
    r.last = r.oracle.step(enter('A.c1', true));
    expect(codeOf(r.last)).toBe('ATTEMPTS_EXHAUSTED');
  });
  it('the code expires at its lifetime, not before', () => {
    const life = DEFAULT_PROFILE.pairingCode.lifetimeMs;
    expect(codeOf(run([reg('A'), code('A.c1'), wait(life - 1), enter('A.c1', true)]).last)).toBe('OK');
    const r = run([reg('A'), code('A.c1'), wait(life), enter('A.c1', true)]);
    expect(codeOf(r.last)).toBe('CODE_EXPIRED');
    expect(device(r, 'A.c1')?.status).toBe('idle');
  });
  it("each companion holds its own code: a stranger's request for the same number cancels nothing (issue 10)", () => {
    // The stranger (A.c2) asks for a code for the same number after the victim (A.c1): both active.
    const r = run([reg('A'), code('A.c1'), code('A.c2')]);
    expect(r.last.transitions).toEqual(['A.registered/requestCode']);
    expect(device(r, 'A.c1')?.status).toBe('linking');
    expect(device(r, 'A.c2')?.status).toBe('linking');
    // The stranger's wrong entries wear down only its own code; the victim still links with its own.
    const max = DEFAULT_PROFILE.pairingCode.maxAttempts;
    for (let i = 0; i < max; i += 1) r.last = r.oracle.step(enter('A.c2', false));
    expect(device(r, 'A.c2')?.status).toBe('idle');
    expect(codeOf(r.oracle.step(enter('A.c2', true)))).toBe('ATTEMPTS_EXHAUSTED');
    r.last = r.oracle.step(enter('A.c1', true));
    expect(codeOf(r.last)).toBe('OK');
    expect(device(r, 'A.c1')?.status).toBe('linked');
  });
  it("each code expires on its own lifetime", () => {
    const life = DEFAULT_PROFILE.pairingCode.lifetimeMs;
    const r = run([reg('A'), code('A.c1'), wait(1000), code('A.c2'), wait(life - 1000)]);
    expect(device(r, 'A.c1')?.status).toBe('idle');
    expect(device(r, 'A.c2')?.status).toBe('linking');
    expect(codeOf(r.oracle.step(enter('A.c1', true)))).toBe('CODE_EXPIRED');
    expect(codeOf(r.oracle.step(enter('A.c2', true)))).toBe('OK');
  });
  it("a companion's own new attempt cancels its earlier code; a code never asked for is CODE_INVALID", () => {
    expect(codeOf(run([reg('A'), code('A.c1'), show('A.c1'), enter('A.c1', true)]).last)).toBe('CODE_INVALID');
    const again = run([reg('A'), code('A.c1'), enter('A.c1', false), code('A.c1')]);
    expect(again.last.observation.result.ok).toBe(true);
    expect(codeOf(again.oracle.step(enter('A.c1', true)))).toBe('OK'); // the new code, attempts 0
    const none = run([reg('A'), code('A.c2'), enter('A.c1', true)]);
    expect(codeOf(none.last)).toBe('CODE_INVALID');
    expect(none.last.transitions).toEqual(['A.registered/codeNone']);
    expect(device(none, 'A.c2')?.status).toBe('linking');
    expect(codeOf(run([reg('A'), enter('A.c1', true)]).last)).toBe('CODE_INVALID');
    expect(codeOf(run([reg('A'), code('A.c1'), enter('A.c1', true), enter('A.c1', true)]).last)).toBe('CODE_INVALID');
  });
});

describe('messaging, history, notices', () => {
  it('E2E-03: an unlinked device receives nothing sent after its removal', () => {
    const r = run([reg('A'), reg('B'), ...link('A.c1'), send('B.primary', 'm1'),
      { type: 'UNLINK', by: 'A.c1', target: 'A.c1' }, send('B.primary', 'm2')]);
    expect(device(r, 'A.c1')).toMatchObject({ status: 'signed-out', signOutReason: 'unlinked', messages: ['m1'] });
    expect(codeOf(r.oracle.step(send('A.c1', 'm3')))).toBe('SIGNED_OUT');
  });
  it('OFF-02: an offline device gets what it missed on reconnect, in order, once', () => {
    const r = run([reg('A'), reg('B'), ...link('A.c1'), off('A.c1'), send('B.primary', 'm1'), send('A.primary', 'm2'), send('B.primary', 'm3')]);
    expect(device(r, 'A.c1')?.messages).toEqual([]);
    r.last = r.oracle.step(on('A.c1'));
    expect(device(r, 'A.c1')?.messages).toEqual(['m1', 'm2', 'm3']);
    expect(device(r, 'A.primary')?.messages).toEqual(['m1', 'm2', 'm3']);
    r.last = r.oracle.step(on('A.c1'));
    expect(device(r, 'A.c1')?.messages).toEqual(['m1', 'm2', 'm3']);
  });
  it('OFF-01: with the primary offline a companion still sends and receives', () => {
    const r = run([reg('A'), reg('B'), ...link('A.c1'), off('A.primary'), send('A.c1', 'm1'), send('B.primary', 'm2')]);
    expect(r.steps.slice(-2).map(codeOf)).toEqual(['OK', 'OK']);
    expect(device(r, 'A.c1')?.messages).toEqual(['m1', 'm2']);
  });
  it('HIST-01 and NOTE-01: a new companion gets the history; existing devices are told', () => {
    const r = run([reg('A'), reg('B'), ...link('A.c1'), send('B.primary', 'm1'), off('A.c1'), ...link('A.c2')]);
    expect(device(r, 'A.c2')).toMatchObject({ status: 'linked', messages: ['m1'], notices: [] });
    expect(device(r, 'A.primary')?.notices).toEqual(['A.c1', 'A.c2']);
    expect(device(r, 'A.c1')?.notices).toEqual([]);
    r.last = r.oracle.step(on('A.c1'));
    expect(device(r, 'A.c1')?.notices).toEqual(['A.c2']);
  });
  it('SEND refusal precedence', () => {
    expect(codeOf(run([send('A.c1', 'm1')]).last)).toBe('UNKNOWN_DEVICE');
    expect(codeOf(run([reg('A'), send('A.primary', 'm1')]).last)).toBe('NOT_REGISTERED');
    expect(codeOf(run([reg('A'), reg('B'), show('A.c1'), send('A.c1', 'm1')]).last)).toBe('NOT_LINKED');
    expect(codeOf(run([reg('A'), reg('B'), off('A.primary'), send('A.primary', 'm1')]).last)).toBe('DEVICE_OFFLINE');
  });
});

describe('LIFE-01/LIFE-02 account lifecycle', () => {
  it('re-registering signs every companion out; the version increases', () => {
    const r = run([reg('A'), ...link('A.c1'), ...link('A.c2'), { type: 'REREGISTER', account: 'A', proof: true }]);
    const versions = r.steps.map((s) => s.observation.accounts.A.deviceListVersion);
    expect(versions).toEqual([1, 1, 2, 2, 3, 4]);
    expect(device(r, 'A.c1')?.signOutReason).toBe('primary-reregistered');
    expect(device(r, 'A.c2')?.signOutReason).toBe('primary-reregistered');
  });
  it('logging out signs out companions and primary; REGISTER may follow', () => {
    const r = run([reg('A'), ...link('A.c1'), { type: 'LOGOUT', account: 'A' }]);
    expect(r.last.observation.accounts.A.registered).toBe(false);
    expect(device(r, 'A.primary')?.signOutReason).toBe('primary-logout');
    expect(device(r, 'A.c1')?.signOutReason).toBe('primary-logout');
    expect(r.last.states).toContain('A.unregistered');
    r.last = r.oracle.step(reg('A'));
    expect(device(r, 'A.primary')?.status).toBe('linked');
  });
  it('AUTH-03: nobody unlinks the primary; a companion only itself', () => {
    const base = [reg('A'), ...link('A.c1'), ...link('A.c2')];
    expect(codeOf(run([...base, { type: 'UNLINK', by: 'A.c1', target: 'A.primary' }]).last)).toBe('PRIMARY_NOT_UNLINKABLE');
    expect(codeOf(run([...base, { type: 'UNLINK', by: 'A.c1', target: 'A.c2' }]).last)).toBe('NOT_PRIMARY');
    expect(codeOf(run([...base, { type: 'UNLINK', by: 'A.primary', target: 'A.c3' }]).last)).toBe('NOT_LINKED');
  });
});

describe('transition ids', () => {
  it('every id the oracle reports is a model element', () => {
    const ids = new Set(modelElements().map((e) => e.id));
    const r = run([reg('A'), ...link('A.c1'), off('A.primary'), wait(15 * DAY_MS), { type: 'RESTART' }]);
    for (const s of r.steps) {
      for (const t of s.transitions) expect(ids.has(t)).toBe(true);
      for (const st of s.states) expect(ids.has(st)).toBe(true);
    }
  });
});

describe('LIFE-03 re-registration needs proof of owning the number', () => {
  const rereg = (proof: boolean): LinkEvent => ({ type: 'REREGISTER', account: 'A', proof });
  it('without proof: NUMBER_NOT_VERIFIED, companions stay linked, version and messages unchanged', () => {
    const r = run([reg('A'), reg('B'), ...link('A.c1'), send('B.primary', 'm1'), rereg(false)]);
    expect(codeOf(r.last)).toBe('NUMBER_NOT_VERIFIED');
    expect(r.last.transitions).toEqual(['A.registered/reregisterNotVerified']);
    expect(device(r, 'A.c1')?.status).toBe('linked');
    expect(device(r, 'A.primary')?.messages).toEqual(['m1']);
    expect(r.last.observation.accounts.A.deviceListVersion).toBe(r.steps[r.steps.length - 2]!.observation.accounts.A.deviceListVersion);
  });
  it('NOT_REGISTERED comes first; with proof it re-registers as LIFE-01 says', () => {
    expect(codeOf(run([rereg(false)]).last)).toBe('NOT_REGISTERED');
    const r = run([reg('A'), ...link('A.c1'), rereg(false), rereg(true)]);
    expect(codeOf(r.last)).toBe('OK');
    expect(device(r, 'A.c1')?.signOutReason).toBe('primary-reregistered');
  });
});

describe('cross-account steps (model/events.ts): each has one predicted outcome', () => {
  const both = [reg('A'), reg('B')];
  const scanBy = (device: CompanionId, by: DeviceId, more: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}) => scan(device, { by, ...more });
  const unlink = (by: DeviceId, target: DeviceId): LinkEvent => ({ type: 'UNLINK', by, target });
  it("SCAN_QR of B's companion by A's primary: WRONG_ACCOUNT, nothing consumed, B's primary can still use the same reference", () => {
    const r = run([...both, show('B.c1'), scanBy('B.c1', 'A.primary')]);
    expect(codeOf(r.last)).toBe('WRONG_ACCOUNT');
    expect(r.last.transitions).toEqual(['A.registered/scanWrongAccount']);
    expect(device(r, 'B.c1')?.status).toBe('linking');
    r.last = r.oracle.step(scanBy('B.c1', 'B.primary', { source: 'photo' }));
    expect(codeOf(r.last)).toBe('OK');
    expect(device(r, 'B.c1')?.status).toBe('linked');
  });
  it('SCAN_QR precedence: NO_QR, NOT_REGISTERED, NOT_PRIMARY, DEVICE_OFFLINE, then WRONG_ACCOUNT before limit, ID check and tampering', () => {
    expect(codeOf(run([...both, scanBy('B.c1', 'A.primary')]).last)).toBe('NO_QR');
    expect(codeOf(run([reg('B'), show('B.c1'), scanBy('B.c1', 'A.primary')]).last)).toBe('NOT_REGISTERED');
    // The companion's account need not be registered: the approver's account judges.
    expect(codeOf(run([reg('A'), show('B.c1'), scanBy('B.c1', 'A.primary')]).last)).toBe('WRONG_ACCOUNT');
    expect(codeOf(run([...both, ...link('A.c2'), show('B.c1'), scanBy('B.c1', 'A.c2')]).last)).toBe('NOT_PRIMARY');
    expect(codeOf(run([...both, show('B.c1'), off('A.primary'), scanBy('B.c1', 'A.primary')]).last)).toBe('DEVICE_OFFLINE');
    const full = ['A.c1', 'A.c2', 'A.c3', 'A.c4'].flatMap((c) => link(c as CompanionId));
    expect(codeOf(run([reg('A', true), reg('B'), ...full, show('B.c1'), scanBy('B.c1', 'A.primary', { idCheck: 'fail', tamper: 'ref' })]).last)).toBe('WRONG_ACCOUNT');
    expect(codeOf(run([...both, show('B.c1'), wait(DAY_MS), scanBy('B.c1', 'A.primary', { source: 'photo' })]).last)).toBe('WRONG_ACCOUNT');
  });
  it("ENTER_CODE of B's companion by A's primary: CODE_INVALID, no attempt counted anywhere; B's code untouched", () => {
    const none = run([...both, code('B.c1'), enter('B.c1', true, { by: 'A.primary' })]);
    expect(codeOf(none.last)).toBe('CODE_INVALID');
    expect(none.last.transitions).toEqual(['A.registered/codeNone']);
    const max = DEFAULT_PROFILE.pairingCode.maxAttempts;
    const tries = Array.from({ length: max }, () => enter('B.c1', true, { by: 'A.primary' }));
    const r = run([...both, code('A.c1'), code('B.c1'), ...tries]);
    expect(r.steps.slice(-max).map(codeOf)).toEqual(Array(max).fill('CODE_INVALID'));
    expect(device(r, 'A.c1')?.status).toBe('linking'); // A's own code is not worn down
    expect(device(r, 'B.c1')?.status).toBe('linking');
    expect(codeOf(r.oracle.step(enter('A.c1', true)))).toBe('OK');
    r.last = r.oracle.step(enter('B.c1', true));
    expect(codeOf(r.last)).toBe('OK'); // B's own primary: B's code still active, attempts untouched
  });
  it('UNLINK across accounts: NOT_LINKED after the actor checks, before PRIMARY_NOT_UNLINKABLE', () => {
    const r = run([...both, ...link('B.c1'), unlink('A.primary', 'B.primary')]);
    expect(codeOf(r.last)).toBe('NOT_LINKED');
    expect(r.last.transitions).toEqual(['A.registered/unlinkOtherAccount']);
    expect(codeOf(run([...both, ...link('B.c1'), unlink('A.primary', 'B.c1')]).last)).toBe('NOT_LINKED');
    expect(codeOf(run([reg('B'), unlink('A.primary', 'B.primary')]).last)).toBe('NOT_REGISTERED');
    expect(codeOf(run([...both, off('A.primary'), unlink('A.primary', 'B.primary')]).last)).toBe('DEVICE_OFFLINE');
    expect(codeOf(run([...both, show('A.c1'), unlink('A.c1', 'B.primary')]).last)).toBe('NOT_LINKED');
    const linked = run([...both, ...link('B.c1'), unlink('A.primary', 'B.c1')]);
    expect(device(linked, 'B.c1')?.status).toBe('linked');
  });
});
