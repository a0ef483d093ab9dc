/**
 * The reference adapter end to end over real loopback sockets, one test per requirement, each
 * checking what the model (model/events.ts) says must be observed. These run the in-process
 * adapter; reference-ws.test.ts runs a few of them against a server at a URL.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceId } from '../../model/events.js';
import { DAY_MS, DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { DeviceClient } from '../../reference/client/device.js';
import { decodeQrPng } from '../../reference/qr/scan.js';
import { createReferenceAdapter, type ReferenceDriver } from './index.js';

const info = (name: string) => ({ name, platform: 'web' });
let driver: ReferenceDriver | undefined;

async function world(profile: Profile = DEFAULT_PROFILE): Promise<ReferenceDriver> {
  driver = (await createReferenceAdapter().open(profile)) as ReferenceDriver;
  return driver;
}

afterEach(async () => { vi.restoreAllMocks(); await driver?.close(); driver = undefined; });

async function qrText(d: ReferenceDriver, device: `A.c${number}` | `B.c${number}`): Promise<string> {
  const png = await d.qrImage(device as never);
  if (!png.ok) throw new Error(`no QR: ${png.code}`);
  const text = decodeQrPng(png.value);
  if (!text) throw new Error('QR did not decode');
  return text;
}

async function link(d: ReferenceDriver, device: string) {
  expect(await d.startQrLinking(device as never, info(device))).toEqual({ ok: true });
  return d.scanQr(`${device.split('.')[0]}.primary` as DeviceId, await qrText(d, device as never), 'pass');
}

async function twoAccounts(d: ReferenceDriver) {
  expect(await d.register('A', { idCheck: true })).toEqual({ ok: true });
  expect(await d.register('B', { idCheck: false })).toEqual({ ok: true });
}

const statusOf = async (d: ReferenceDriver, id: DeviceId) => (await d.observe())[id.split('.')[0] as 'A'].devices[id];

describe('reference adapter: linking (PAIR-*)', () => {
  it('PAIR-01/02, HIST-01, NOTE-01: a QR decoded from the PNG links, history and notice follow', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await d.send('A.primary', 'before')).toEqual({ ok: true });
    expect(await link(d, 'A.c1')).toEqual({ ok: true });
    const seen = await d.observe();
    expect(seen.A.devices['A.c1']).toMatchObject({ status: 'linked', online: true, messages: ['before'] });
    expect(seen.A.devices['A.primary']?.notices).toEqual(['A.c1']);
    expect(seen.A.deviceListVersion).toBe(2);
  });

  it('PAIR-03: a used reference links nothing the second time; a cancelled one neither', async () => {
    const d = await world();
    await twoAccounts(d);
    await d.startQrLinking('A.c1', info('A.c1'));
    const text = await qrText(d, 'A.c1');
    expect(await d.scanQr('A.primary', text, 'pass')).toEqual({ ok: true });
    expect(await d.scanQr('A.primary', text, 'pass')).toEqual({ ok: false, code: 'QR_USED' });
    await d.startQrLinking('A.c2', info('A.c2'));
    const other = await qrText(d, 'A.c2');
    expect(await d.cancelLinking('A.c2')).toEqual({ ok: true });
    expect(await d.scanQr('A.primary', other, 'pass')).toEqual({ ok: false, code: 'QR_USED' });
    expect((await d.observe()).A.devices['A.c2']?.status).toBe('idle');
  });

  it('PAIR-04: the first reference lives 60 s, the next ones 20 s, six in all; expired ones link nothing', async () => {
    const d = await world();
    await twoAccounts(d);
    await d.startQrLinking('A.c1', info('A.c1'));
    const first = await qrText(d, 'A.c1');
    await d.advanceClock(59_999);
    expect(await qrText(d, 'A.c1')).toBe(first);
    await d.advanceClock(1);
    const second = await qrText(d, 'A.c1');
    expect(second).not.toBe(first);
    expect(await d.scanQr('A.primary', first, 'pass')).toEqual({ ok: false, code: 'QR_EXPIRED' });
    await d.advanceClock(5 * 20_000 - 1);
    expect((await d.observe()).A.devices['A.c1']?.status).toBe('linking');
    await d.advanceClock(1);
    expect((await d.observe()).A.devices['A.c1']?.status).toBe('idle');
    expect((await d.qrImage('A.c1')).ok).toBe(false);
  });

  it('PAIR-05: a failed ID check links nothing; a primary without one is not asked', async () => {
    const d = await world();
    await twoAccounts(d);
    await d.startQrLinking('A.c1', info('A.c1'));
    expect(await d.scanQr('A.primary', await qrText(d, 'A.c1'), 'fail')).toEqual({ ok: false, code: 'ID_CHECK_FAILED' });
    expect((await d.observe()).A.devices['A.c1']?.status).toBe('linking');
    await d.startQrLinking('B.c1', info('B.c1'));
    expect(await d.scanQr('B.primary', await qrText(d, 'B.c1'), 'fail')).toEqual({ ok: true });
  });

  it('PAIR-07: a QR with an altered reference, key or secret links nothing', async () => {
    const d = await world();
    await twoAccounts(d);
    await d.startQrLinking('A.c1', info('A.c1'));
    const fields = (await qrText(d, 'A.c1')).split(',');
    const alter = (i: number, value: string) => fields.map((f, j) => (j === i ? value : f)).join(',');
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    expect(await d.scanQr('A.primary', alter(0, 'forged-ref'), 'pass')).toEqual({ ok: false, code: 'QR_INVALID' });
    expect(await d.scanQr('A.primary', alter(2, otherKey), 'pass')).toEqual({ ok: false, code: 'QR_INVALID' });
    expect(await d.scanQr('A.primary', alter(3, otherKey), 'pass')).toEqual({ ok: false, code: 'QR_INVALID' });
    const seen = await d.observe();
    expect(seen.A.devices['A.c1']?.status).toBe('linking');
    expect(seen.A.deviceListVersion).toBe(1);
    expect(await d.scanQr('A.primary', fields.join(','), 'pass')).toEqual({ ok: true });
  });

  it('PAIR-06: a pairing code links; wrong codes count to the limit; codes expire', async () => {
    const d = await world();
    await twoAccounts(d);
    const code = await d.requestPairingCode('A.c1', info('A.c1'));
    expect(code.ok && /^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/.test(code.value)).toBe(true);
    expect(await d.enterPairingCode('A.primary', 'A.c1', code.ok ? code.value : '', 'pass')).toEqual({ ok: true });
    expect((await statusOf(d, 'A.c1'))?.status).toBe('linked');

    const second = await d.requestPairingCode('A.c2', info('A.c2'));
    const wrong = (second.ok ? second.value : '').replace(/^./, (c) => (c === 'Z' ? 'Y' : 'Z'));
    for (let i = 1; i < DEFAULT_PROFILE.pairingCode.maxAttempts; i++) {
      expect(await d.enterPairingCode('A.primary', 'A.c2', wrong, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
      expect((await statusOf(d, 'A.c2'))?.status).toBe('linking');
    }
    expect(await d.enterPairingCode('A.primary', 'A.c2', wrong, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    expect((await statusOf(d, 'A.c2'))?.status).toBe('idle');
    expect(await d.enterPairingCode('A.primary', 'A.c2', second.ok ? second.value : '', 'pass')).toEqual({ ok: false, code: 'ATTEMPTS_EXHAUSTED' });

    const third = await d.requestPairingCode('A.c3', info('A.c3'));
    await d.advanceClock(DEFAULT_PROFILE.pairingCode.lifetimeMs);
    expect((await statusOf(d, 'A.c3'))?.status).toBe('idle');
    expect(await d.enterPairingCode('A.primary', 'A.c3', third.ok ? third.value : '', 'pass')).toEqual({ ok: false, code: 'CODE_EXPIRED' });
  });
});

describe('reference adapter: pairing-code bookkeeping (PAIR-06)', () => {
  it("each companion holds its own code: a stranger's request for the same number cancels nothing; a cancelled code stays CODE_INVALID after its lifetime", async () => {
    const d = await world();
    await twoAccounts(d);
    const first = await d.requestPairingCode('A.c1', info('A.c1'));
    const second = await d.requestPairingCode('A.c2', info('A.c2'));
    expect((await statusOf(d, 'A.c1'))?.status).toBe('linking');
    expect((await statusOf(d, 'A.c2'))?.status).toBe('linking');
    // The other request's code typed for A.c1's request is a wrong code for A.c1.
    expect(await d.enterPairingCode('A.primary', 'A.c1', second.ok ? second.value : '', 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    expect(await d.enterPairingCode('A.primary', 'A.c1', first.ok ? first.value : '', 'pass')).toEqual({ ok: true });
    expect(await d.cancelLinking('A.c2')).toEqual({ ok: true });
    await d.advanceClock(DEFAULT_PROFILE.pairingCode.lifetimeMs);
    expect(await d.enterPairingCode('A.primary', 'A.c2', second.ok ? second.value : '', 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    expect(await d.requestPairingCode('A.c3', info('A.c3'))).toMatchObject({ ok: true });
    expect(await d.setOnline('A.c3', false)).toEqual({ ok: true });
    expect((await statusOf(d, 'A.c3'))?.status).toBe('idle');
  });

  it('NOT_REGISTERED for a code on an unregistered number creates nothing', async () => {
    const d = await world();
    expect(await d.requestPairingCode('A.c1', info('A.c1'))).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect((await d.observe()).A.devices).toEqual({});
  });
});

describe('reference adapter: limits and authority (LIMIT-*, AUTH-*)', () => {
  it('LIMIT-01/02: a fifth companion is refused and changes nothing; unlinking frees the slot', async () => {
    const d = await world();
    await twoAccounts(d);
    for (const c of ['A.c1', 'A.c2', 'A.c3', 'A.c4']) expect(await link(d, c)).toEqual({ ok: true });
    const before = await d.observe();
    await d.startQrLinking('A.c5', info('A.c5'));
    expect(await d.scanQr('A.primary', await qrText(d, 'A.c5'), 'pass')).toEqual({ ok: false, code: 'LIMIT_REACHED' });
    const after = await d.observe();
    expect(after.A.deviceListVersion).toBe(before.A.deviceListVersion);
    expect(await d.unlink('A.primary', 'A.c2')).toEqual({ ok: true });
    expect(await d.scanQr('A.primary', await qrText(d, 'A.c5'), 'pass')).toEqual({ ok: true });
  });

  it('AUTH-01: a linked companion cannot approve a link (the server refuses NOT_PRIMARY)', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.startQrLinking('A.c2', info('A.c2'));
    expect(await d.scanQr('A.c1', await qrText(d, 'A.c2'), 'pass')).toEqual({ ok: false, code: 'NOT_PRIMARY' });
    expect((await statusOf(d, 'A.c2'))?.status).toBe('linking');
  });

  it('AUTH-02: a device the server injects gets nothing from a sending client', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.injectDevice('B', 'evil');
    await d.injectDevice('A', 'evil');
    expect(await d.send('A.c1', 'secret-1')).toEqual({ ok: true });
    expect(await d.send('B.primary', 'secret-2')).toEqual({ ok: true });
    expect(await d.injectedDeviceReceived('B', 'evil')).toBe(0);
    expect(await d.injectedDeviceReceived('A', 'evil')).toBe(0);
    expect((await d.observe()).B.devices['B.primary']?.messages).toEqual(['secret-1', 'secret-2']);
  });

  it('AUTH-03: a companion unlinks only itself; nobody unlinks the primary', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await link(d, 'A.c2');
    expect(await d.unlink('A.c1', 'A.primary')).toEqual({ ok: false, code: 'PRIMARY_NOT_UNLINKABLE' });
    expect(await d.unlink('A.primary', 'A.primary')).toEqual({ ok: false, code: 'PRIMARY_NOT_UNLINKABLE' });
    expect(await d.unlink('A.c1', 'A.c2')).toEqual({ ok: false, code: 'NOT_PRIMARY' });
    const v = (await d.observe()).A.deviceListVersion;
    expect(await d.unlink('A.c1', 'A.c1')).toEqual({ ok: true });
    const seen = await d.observe();
    expect(seen.A.devices['A.c1']).toMatchObject({ status: 'signed-out', signOutReason: 'unlinked' });
    expect(seen.A.deviceListVersion).toBeGreaterThan(v);
    expect(await d.unlink('A.c1', 'A.c2')).toEqual({ ok: false, code: 'NOT_LINKED' });
  });
});

describe('reference adapter: offline, expiry, messaging (OFF-*, EXP-*, E2E-*)', () => {
  it('OFF-01/02: companions chat with the primary offline; an offline device gets everything once, in order', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.setOnline('A.primary', false);
    await d.setOnline('B.primary', false);
    for (const id of ['m1', 'm2', 'm3']) expect(await d.send('A.c1', id)).toEqual({ ok: true });
    expect((await statusOf(d, 'B.primary'))?.messages).toEqual([]);
    await d.setOnline('B.primary', true);
    await d.setOnline('A.primary', true);
    const seen = await d.observe();
    expect(seen.B.devices['B.primary']?.messages).toEqual(['m1', 'm2', 'm3']);
    expect(seen.A.devices['A.primary']?.messages).toEqual(['m1', 'm2', 'm3']);
  });

  it('EXP-01/02/03: linked at 14 d - 1 ms, signed out at 14 d; activity restarts the window; then nothing flows', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.setOnline('A.primary', false);
    await d.advanceClock(10 * DAY_MS);
    await d.setOnline('A.primary', true);
    await d.setOnline('A.primary', false);
    await d.advanceClock(14 * DAY_MS - 1);
    expect((await statusOf(d, 'A.c1'))?.status).toBe('linked');
    await d.advanceClock(1);
    expect(await statusOf(d, 'A.c1')).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
    expect(await d.send('A.c1', 'late')).toEqual({ ok: false, code: 'SIGNED_OUT' });
    expect(await d.send('B.primary', 'to-a')).toEqual({ ok: true });
    expect((await statusOf(d, 'A.c1'))?.messages).toEqual([]);
    expect(await link(d, 'A.c1').catch(() => undefined)).toEqual({ ok: false, code: 'DEVICE_OFFLINE' });
  });

  it('EXP-04: a companion idle for 30 days is signed out', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.setOnline('A.c1', false);
    await d.advanceClock(30 * DAY_MS - 1);
    expect((await statusOf(d, 'A.c1'))?.status).toBe('linked');
    await d.advanceClock(1);
    expect(await statusOf(d, 'A.c1')).toMatchObject({ status: 'signed-out', signOutReason: 'idle', online: false });
  });

  it('E2E-01: the server relays ciphertext only', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.send('A.c1', 'plain-text-marker');
    const payloads = await d.relayedPayloads();
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) expect(p).not.toContain('plain-text-marker');
  });

  it('E2E-02/03: every linked device and the sender\'s others get a message; an unlinked one gets nothing after', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await link(d, 'A.c2');
    await d.setOnline('A.c2', false);
    await d.send('B.primary', 'x1');
    await d.unlink('A.primary', 'A.c2');
    await d.send('B.primary', 'x2');
    await d.setOnline('A.c2', true);
    const seen = await d.observe();
    expect(seen.A.devices['A.c1']?.messages).toEqual(['x1', 'x2']);
    expect(seen.A.devices['A.c2']?.messages).toEqual([]);
  });
});

describe('reference adapter: cross-account steps (PAIR-07, PAIR-06, AUTH-03; model/events.ts)', () => {
  it('SCAN_QR of another account\'s companion: WRONG_ACCOUNT, live or photo, tampered or not; its reference is not consumed', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await d.startQrLinking('B.c1', info('B.c1'))).toEqual({ ok: true });
    const text = await qrText(d, 'B.c1');
    const before = await d.observe();
    expect(await d.scanQr('A.primary', text, 'pass')).toEqual({ ok: false, code: 'WRONG_ACCOUNT' });
    const fields = text.split(',');
    for (const i of [0, 2, 3]) {
      const tampered = fields.map((f, j) => (j === i ? (i === 0 ? 'forged-ref' : Buffer.alloc(32, 7).toString('base64')) : f)).join(',');
      expect(await d.scanQr('A.primary', tampered, 'fail')).toEqual({ ok: false, code: 'WRONG_ACCOUNT' });
    }
    expect(await d.observe()).toEqual(before);
    // The right account's primary still links with the same reference.
    expect(await d.scanQr('B.primary', text, 'pass')).toEqual({ ok: true });
    expect((await d.observe()).B.devices['B.c1']).toMatchObject({ status: 'linked' });
  });

  it("ENTER_CODE for another account's companion: CODE_INVALID, no attempt counted anywhere; the other code is untouched", async () => {
    const d = await world();
    await twoAccounts(d);
    const code = await d.requestPairingCode('B.c1', info('B.c1'));
    if (!code.ok) throw new Error(code.code);
    expect(await d.enterPairingCode('A.primary', 'B.c1', code.value, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    const own = await d.requestPairingCode('A.c1', info('A.c1'));
    if (!own.ok) throw new Error(own.code);
    for (let i = 0; i < DEFAULT_PROFILE.pairingCode.maxAttempts; i++) {
      expect(await d.enterPairingCode('A.primary', 'B.c1', code.value, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    }
    expect(await d.enterPairingCode('B.primary', 'B.c1', code.value, 'pass')).toEqual({ ok: true });
    expect(await d.enterPairingCode('A.primary', 'A.c1', own.value, 'pass')).toEqual({ ok: true });
  });

  it('UNLINK of another account\'s device: NOT_LINKED by the primary, NOT_PRIMARY by a companion (it unlinks only itself)', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await link(d, 'A.c1')).toEqual({ ok: true });
    expect(await link(d, 'B.c1')).toEqual({ ok: true });
    const before = await d.observe();
    expect(await d.unlink('A.primary', 'B.primary')).toEqual({ ok: false, code: 'NOT_LINKED' });
    expect(await d.unlink('A.primary', 'B.c1')).toEqual({ ok: false, code: 'NOT_LINKED' });
    expect(await d.unlink('A.c1', 'B.c1')).toEqual({ ok: false, code: 'NOT_PRIMARY' });
    expect(await d.unlink('A.c1', 'B.primary')).toEqual({ ok: false, code: 'NOT_PRIMARY' });
    expect(await d.observe()).toEqual(before);
  });
});

describe('reference adapter: lifecycle and restart (LIFE-*)', () => {
  it('LIFE-03: a re-registration without proof is refused NUMBER_NOT_VERIFIED and changes nothing', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    const before = await d.observe();
    expect(await d.reregister('A', { proof: false })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(await d.observe()).toEqual(before);
    expect(await d.reregister('B', { proof: true })).toEqual({ ok: true });
  });

  it('LIFE-03: a contact surfaces the changed primary key (safety-number change), once per change', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await d.send('B.primary', 'hello')).toEqual({ ok: true });
    expect(await d.keyChangeNotices('B.primary')).toEqual([]);
    expect(await d.reregister('A')).toEqual({ ok: true });
    expect(await d.send('B.primary', 'again')).toEqual({ ok: true });
    expect(await d.keyChangeNotices('B.primary')).toEqual(['A']);
    expect((await d.observe()).A.devices['A.primary']?.messages).toEqual(['again']);
  });

  it('OFF-02 (seed 697994388, companion): a message from a companion of the old primary still reaches its offline contact', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    expect(await d.setOnline('B.primary', false)).toEqual({ ok: true });
    expect(await d.send('A.c1', 'm5')).toEqual({ ok: true });
    expect(await d.reregister('A')).toEqual({ ok: true });
    expect(await d.setOnline('B.primary', true)).toEqual({ ok: true });
    expect((await d.observe()).B.devices['B.primary']?.messages).toEqual(['m5']);
  });

  it('OFF-02 (seed 697994388): a message from the old primary, queued before it re-registered, still reaches its offline contact', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await d.setOnline('B.primary', false)).toEqual({ ok: true });
    expect(await d.send('A.primary', 'm3')).toEqual({ ok: true });
    expect(await d.reregister('A')).toEqual({ ok: true });
    expect(await d.setOnline('B.primary', true)).toEqual({ ok: true });
    expect((await d.observe()).B.devices['B.primary']?.messages).toEqual(['m3']);
  });

  it('LIFE-01: re-registration and logout sign every companion out; LIFE-02: each change raises the version', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    const v1 = (await d.observe()).A.deviceListVersion;
    expect(await d.reregister('A')).toEqual({ ok: true });
    const seen = await d.observe();
    expect(seen.A.devices['A.c1']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-reregistered' });
    expect(seen.A.devices['A.primary']).toMatchObject({ status: 'linked', online: true, messages: [] });
    expect(seen.A.deviceListVersion).toBeGreaterThan(v1);
    await link(d, 'A.c2');
    expect(await d.logout('A')).toEqual({ ok: true });
    const out = await d.observe();
    expect(out.A.registered).toBe(false);
    expect(out.A.devices['A.c2']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-logout' });
    expect(out.A.devices['A.primary']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-logout' });
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: false, code: 'ALREADY_REGISTERED' });
  });

  it('RESTART: nothing acknowledged is lost (queued messages, linking attempts, clock)', async () => {
    const d = await world();
    await twoAccounts(d);
    await link(d, 'A.c1');
    await d.setOnline('A.c1', false);
    await d.send('B.primary', 'kept');
    await d.startQrLinking('A.c2', info('A.c2'));
    const text = await qrText(d, 'A.c2');
    const before = await d.observe();
    await d.restart();
    expect(await d.observe()).toEqual(before);
    expect(await d.scanQr('A.primary', text, 'pass')).toEqual({ ok: true });
    await d.setOnline('A.c1', true);
    expect((await statusOf(d, 'A.c1'))?.messages).toEqual(['kept']);
  });
});

// The driver answers a refusal from the server's view only where the device cannot ask (offline,
// or not part of the account); otherwise the client and the server decide. Each test replaces
// the client's answer with a wrong acceptance: if the driver answered first, it would not show.
describe('reference adapter: refusals an online device can ask about are the implementation\'s', () => {
  it('SEND to an unregistered account from a linked, online device: the client asks, the server answers', async () => {
    const d = await world();
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    const send = vi.spyOn(DeviceClient.prototype, 'send');
    expect(await d.send('A.primary', 'm1')).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect(send).toHaveBeenCalledTimes(1);
    send.mockResolvedValueOnce({ ok: true });
    expect(await d.send('A.primary', 'm2')).toEqual({ ok: true });
  });

  it('SEND from an offline device: it cannot ask, so the driver answers NOT_REGISTERED from the server view', async () => {
    const d = await world();
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    await d.setOnline('A.primary', false);
    const send = vi.spyOn(DeviceClient.prototype, 'send');
    expect(await d.send('A.primary', 'm1')).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect(send).not.toHaveBeenCalled();
  });

  it('REQUEST_CODE on an unregistered number: the companion asks the server', async () => {
    const d = await world();
    const request = vi.spyOn(DeviceClient.prototype, 'requestCode');
    expect(await d.requestPairingCode('A.c1', info('A.c1'))).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect(request).toHaveBeenCalledTimes(1);
    request.mockResolvedValueOnce({ ok: true, value: 'ABCD-EFGH' });
    expect(await d.requestPairingCode('A.c1', info('A.c1'))).toEqual({ ok: true, value: 'ABCD-EFGH' });
  });

  it('REQUEST_CODE refused NOT_REGISTERED leaves a signed-out companion as it was (messages kept)', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await link(d, 'A.c1')).toEqual({ ok: true });
    expect(await d.send('B.primary', 'kept')).toEqual({ ok: true });
    expect(await d.logout('A')).toEqual({ ok: true });
    const before = await statusOf(d, 'A.c1');
    expect(before).toMatchObject({ status: 'signed-out', signOutReason: 'primary-logout', messages: ['kept'] });
    expect(await d.requestPairingCode('A.c1', info('A.c1'))).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect(await statusOf(d, 'A.c1')).toEqual(before);
  });

  it('SHOW_QR / REQUEST_CODE on a linked, online companion and SEND from a signed-out, online one: the client refuses by itself', async () => {
    const d = await world();
    await twoAccounts(d);
    expect(await link(d, 'A.c1')).toEqual({ ok: true });
    const startQr = vi.spyOn(DeviceClient.prototype, 'startQr');
    const requestCode = vi.spyOn(DeviceClient.prototype, 'requestCode');
    expect(await d.startQrLinking('A.c1', info('A.c1'))).toEqual({ ok: false, code: 'ALREADY_LINKED' });
    expect(await d.requestPairingCode('A.c1', info('A.c1'))).toEqual({ ok: false, code: 'ALREADY_LINKED' });
    expect(startQr).toHaveBeenCalledTimes(1);
    expect(requestCode).toHaveBeenCalledTimes(1);
    expect(await d.unlink('A.c1', 'A.c1')).toEqual({ ok: true });
    const send = vi.spyOn(DeviceClient.prototype, 'send');
    expect(await d.send('A.c1', 'late')).toEqual({ ok: false, code: 'SIGNED_OUT' });
    expect(send).toHaveBeenCalledTimes(1);
    send.mockResolvedValueOnce({ ok: true });
    expect(await d.send('A.c1', 'late')).toEqual({ ok: true });
  });
});
