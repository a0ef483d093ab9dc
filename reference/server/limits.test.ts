/**
 * The abuse limits (limits.ts) are enforced with their documented codes, and a connection over a
 * limit keeps working once the limit allows again; other connections are not affected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { TokenBucket, WindowCounter, type Limits } from './limits.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

async function start(limits: Partial<Limits>): Promise<string> {
  server = new ReferenceServer({ limits });
  return server.start();
}

function client(url: string, role: 'primary' | 'companion', name: string): DeviceClient {
  const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server!.verificationCode(phone) });
  open.push(c);
  return c;
}

describe('token bucket and window (fake monotonic time)', () => {
  it('refuses past the burst and refills with time', () => {
    let t = 0;
    const bucket = new TokenBucket(3, 10, () => t);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual(['ok', 'ok', 'ok', 'limited']);
    t = 100; // 10/s: one token back after 100 ms
    expect([bucket.take(), bucket.take()]).toEqual(['ok', 'limited']);
  });
  it('counts events in a sliding window', () => {
    let t = 0;
    const window = new WindowCounter(2, 1000, () => t);
    expect([window.take(), window.take(), window.take()]).toEqual(['ok', 'ok', 'limited']);
    t = 1000;
    expect(window.take()).toBe('ok');
  });
});

describe('limits on the wire', () => {
  it('answers RATE_LIMITED past the frame burst, echoing the id, and other connections are unaffected', async () => {
    const url = await start({ frameBurst: 5, framesPerSecond: 0.001 });
    const flooder = await WireConnection.open(url);
    const other = await WireConnection.open(url);
    open.push(flooder, other);
    // link.precheck before authenticating: handled (OUT_OF_ORDER), not limited, within the burst.
    const answers = await Promise.all(Array.from({ length: 8 }, () => flooder.request('link.precheck', {})));
    expect(answers.slice(0, 5).every((a) => !a.ok && a.code === 'OUT_OF_ORDER')).toBe(true);
    expect(answers.slice(5)).toEqual(Array(3).fill({ ok: false, code: 'RATE_LIMITED', message: expect.any(String) }));
    expect(await other.request('link.precheck', {})).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
  });

  it('account.info and devices.get: refused before authenticating (no enumeration), then limited per connection (RATE_LIMITED)', async () => {
    const url = await start({ lookupBurst: 3, lookupsPerSecond: 0.001 });
    const stranger = await WireConnection.open(url);
    open.push(stranger);
    expect(await stranger.request('account.info', { phone: '+1000' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await stranger.request('devices.get', { phone: '+1000' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    const phone = client(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const w = (phone as unknown as { wire: WireConnection }).wire;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await w.request(i % 2 ? 'devices.get' : 'account.info', { phone: '+1' + i }));
    expect(answers.map((a) => (a.ok ? 'ok' : a.code))).toEqual(['ok', 'NOT_REGISTERED', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Another connection has its own budget.
    const stranger2 = client(url, 'primary', 'Q');
    expect(await stranger2.register('+2000', { idCheck: false })).toEqual({ ok: true });
    expect(await (stranger2 as unknown as { wire: WireConnection }).wire.request('account.info', { phone: '+1000' })).toEqual({ ok: true, value: { registered: true, version: 1 } });
  });

  it('limits QR attempts and pairing codes per connection per window (RATE_LIMITED)', async () => {
    const url = await start({ linkingStartsPerWindow: 2, linkingWindowMs: 60_000 });
    const laptop = client(url, 'companion', 'L');
    await laptop.connect();
    expect(await laptop.startQr('+1000')).toEqual({ ok: true });
    expect(await laptop.startQr('+1000')).toEqual({ ok: true });
    expect(await laptop.startQr('+1000')).toEqual({ ok: false, code: 'RATE_LIMITED' });
  });

  it('limits authenticated connections per account (TOO_MANY_CONNECTIONS)', async () => {
    const url = await start({ connectionsPerAccount: 1 });
    const phone = client(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const laptop = client(url, 'companion', 'L');
    await laptop.connect();
    await laptop.startQr('+1000');
    for (let i = 0; i < 50 && laptop.qrText() === null; i++) await new Promise((r) => setTimeout(r, 5));
    // Linking makes the laptop's connection the account's second one (the limit is checked at auth).
    expect(await phone.scanQr(laptop.qrText()!, 'pass')).toEqual({ ok: true });
    for (let i = 0; i < 100 && laptop.status !== 'linked'; i++) await new Promise((r) => setTimeout(r, 5));
    await laptop.dropConnection();
    expect(await laptop.connect()).toEqual({ ok: false, code: 'TOO_MANY_CONNECTIONS' });
    // The primary reconnecting replaces its own connection: not refused.
    await phone.dropConnection();
    expect(await phone.connect()).toEqual({ ok: true });
  });
});
