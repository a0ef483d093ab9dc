/**
 * The remote adapter carries the whole Driver contract: every method goes through serveDriver
 * and back with its arguments and its result intact (refusals as results, PNG bytes exact),
 * and the example adapter links a companion end to end through the wire. Loopback only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { decodeQrPng } from '../../reference/qr/scan.js';
import { createInMemoryAdapter } from '../examples/inMemoryAdapter.js';
import { serveDriver, type DriverServer } from './driverServer.js';
import { createRemoteAdapter } from './remoteAdapter.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 127, 128, 254, 255]);
const ACCOUNTS_VIEW = {
  A: { registered: true, deviceListVersion: 3, devices: {
    'A.primary': { role: 'primary', status: 'linked', online: false, messages: ['m1'], notices: ['A.c1'] },
    'A.c1': { role: 'companion', status: 'signed-out', signOutReason: 'primary-dormant', online: true, messages: ['m1'], notices: [] },
  } },
  B: { registered: false, deviceListVersion: 0, devices: {} },
} as const;

/** Records every call and answers with a canned value per method: a fake that cannot be confused with the wire. */
function recordingAdapter(calls: Array<[string, unknown[]]>, capabilities: Capability[]): Adapter {
  const answers: Record<string, unknown> = {
    register: { ok: true }, reregister: { ok: false, code: 'NOT_REGISTERED' }, logout: { ok: false, code: 'DEVICE_OFFLINE' },
    setOnline: { ok: true }, startQrLinking: { ok: false, code: 'ALREADY_LINKED' }, qrImage: { ok: true, value: PNG },
    scanQr: { ok: false, code: 'QR_USED' }, cancelLinking: { ok: false, code: 'NOT_LINKING' },
    requestPairingCode: { ok: true, value: 'ABCD-EFGH' }, enterPairingCode: { ok: false, code: 'ATTEMPTS_EXHAUSTED' },
    unlink: { ok: false, code: 'PRIMARY_NOT_UNLINKABLE' }, send: { ok: true }, advanceClock: undefined, restart: undefined,
    observe: ACCOUNTS_VIEW, injectDevice: undefined, injectedDeviceReceived: 2, relayedPayloads: ['c2VjcmV0', 'b3BhcXVl'], close: undefined,
  };
  const driver = Object.fromEntries(Object.entries(answers).map(([name, answer]) =>
    [name, async (...args: unknown[]) => { calls.push([name, args]); return answer; }])) as unknown as Driver;
  return {
    name: 'recording', description: 'records calls', capabilities: new Set(capabilities),
    open: async (profile) => { calls.push(['open', [profile]]); return driver; },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function throughTheWire(adapter: Adapter): Promise<{ remote: Adapter; server: DriverServer }> {
  const server = await serveDriver(adapter, { port: 0 });
  cleanups.push(() => server.close());
  const remote = await createRemoteAdapter(server.url, { timeoutMs: 5000 });
  cleanups.push(async () => remote.dispose?.());
  return { remote, server };
}

describe('remote adapter round trip', () => {
  it('carries the adapter identity and capabilities from linkspec.hello', async () => {
    const { remote } = await throughTheWire(recordingAdapter([], ['clock', 'qr-image']));
    expect(remote.name).toBe('recording');
    expect(remote.description).toBe('records calls');
    expect([...remote.capabilities].sort()).toEqual(['clock', 'qr-image']);
  });

  it('carries every driver method with its arguments and its result, refusals included', async () => {
    const calls: Array<[string, unknown[]]> = [];
    const { remote } = await throughTheWire(recordingAdapter(calls, ['server-injection', 'traffic-inspection']));
    const d = await remote.open(DEFAULT_PROFILE);
    const info = { name: 'A.c1', platform: 'web' };
    const results = [
      await d.register('A', { idCheck: true }),
      await d.reregister('B', { proof: false }),
      await d.logout('A'),
      await d.setOnline('B.c6', false),
      await d.startQrLinking('A.c1', info),
      await d.qrImage('A.c2'),
      await d.scanQr('A.primary', 'ref,a2V5,aWQ=,c2VjcmV0', 'fail'),
      await d.cancelLinking('B.c3'),
      await d.requestPairingCode('A.c4', info),
      await d.enterPairingCode('A.primary', 'A.c4', 'WXYZ1234', 'pass'),
      await d.unlink('A.c1', 'A.primary'),
      await d.send('B.primary', 'msg-7'),
      await d.advanceClock(14 * 86_400_000 - 1),
      await d.restart(),
      await d.observe(),
      await d.injectDevice!('B', 'evil'),
      await d.injectedDeviceReceived!('B', 'evil'),
      await d.relayedPayloads!(),
      await d.close(),
    ];
    expect(calls).toEqual([
      ['open', [DEFAULT_PROFILE]],
      ['register', ['A', { idCheck: true }]],
      ['reregister', ['B', { proof: false }]],
      ['logout', ['A']],
      ['setOnline', ['B.c6', false]],
      ['startQrLinking', ['A.c1', info]],
      ['qrImage', ['A.c2']],
      ['scanQr', ['A.primary', 'ref,a2V5,aWQ=,c2VjcmV0', 'fail']],
      ['cancelLinking', ['B.c3']],
      ['requestPairingCode', ['A.c4', info]],
      ['enterPairingCode', ['A.primary', 'A.c4', 'WXYZ1234', 'pass']],
      ['unlink', ['A.c1', 'A.primary']],
      ['send', ['B.primary', 'msg-7']],
      ['advanceClock', [14 * 86_400_000 - 1]],
      ['restart', []],
      ['observe', []],
      ['injectDevice', ['B', 'evil']],
      ['injectedDeviceReceived', ['B', 'evil']],
      ['relayedPayloads', []],
      ['close', []],
    ]);
    expect(results).toEqual([
      { ok: true }, { ok: false, code: 'NOT_REGISTERED' }, { ok: false, code: 'DEVICE_OFFLINE' }, { ok: true },
      { ok: false, code: 'ALREADY_LINKED' }, { ok: true, value: PNG }, { ok: false, code: 'QR_USED' },
      { ok: false, code: 'NOT_LINKING' }, { ok: true, value: 'ABCD-EFGH' }, { ok: false, code: 'ATTEMPTS_EXHAUSTED' },
      { ok: false, code: 'PRIMARY_NOT_UNLINKABLE' }, { ok: true }, undefined, undefined, ACCOUNTS_VIEW,
      undefined, 2, ['c2VjcmV0', 'b3BhcXVl'], undefined,
    ]);
    const png = results[5] as unknown as { value: Uint8Array };
    expect(png.value).toBeInstanceOf(Uint8Array);
  });

  it('offers the optional methods exactly when their capability is declared', async () => {
    const { remote } = await throughTheWire(recordingAdapter([], ['clock']));
    const d = await remote.open(DEFAULT_PROFILE);
    expect(d.injectDevice).toBeUndefined();
    expect(d.injectedDeviceReceived).toBeUndefined();
    expect(d.relayedPayloads).toBeUndefined();
  });

  it('links a companion end to end: QR drawn by the driver, decoded by the harness, scanned through the wire', async () => {
    const { remote } = await throughTheWire(createInMemoryAdapter());
    const d = await remote.open(DEFAULT_PROFILE);
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    expect(await d.startQrLinking('A.c1', { name: 'A.c1', platform: 'web' })).toEqual({ ok: true });
    const image = await d.qrImage('A.c1');
    if (!image.ok) throw new Error(`no QR: ${image.code}`);
    const text = decodeQrPng(image.value);
    expect(text?.split(',')).toHaveLength(5);
    expect(await d.scanQr('A.primary', text!, 'pass')).toEqual({ ok: true });
    expect(await d.scanQr('A.primary', text!, 'pass')).toEqual({ ok: false, code: 'QR_USED' });
    const accounts = await d.observe();
    expect(accounts.A.devices['A.c1']?.status).toBe('linked');
    expect(accounts.A.devices['A.primary']?.notices).toEqual(['A.c1']);
  });

  it('keeps worlds apart: two worlds on one driver do not see each other', async () => {
    const { remote } = await throughTheWire(createInMemoryAdapter());
    const one = await remote.open(DEFAULT_PROFILE);
    const two = await remote.open(DEFAULT_PROFILE);
    await one.register('A', { idCheck: false });
    expect((await two.observe()).A.registered).toBe(false);
    expect(await two.register('A', { idCheck: false })).toEqual({ ok: true });
    await one.close();
    await expect(one.observe()).rejects.toThrow(/unknown world/);
    expect((await two.observe()).A.registered).toBe(true);
  });
});
