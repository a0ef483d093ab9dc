/**
 * Issue 10, admission (admission.ts): "idle unauthenticated sockets are kept forever", "there is
 * no authentication deadline and no connection cap", "unfinished fragmented messages pin about
 * 4 MiB per unauthenticated socket". Each refusal with its documented close code and reason.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { CLOSE } from '../protocol/constants.js';
import type { Limits } from './limits.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

async function start(limits: Partial<Limits>): Promise<string> {
  server = new ReferenceServer({ limits });
  return server.start();
}

interface Raw { ws: WebSocket; challenged: Promise<boolean>; closed: Promise<{ code: number; reason: string }> }

/** A raw socket; `challenged` resolves true once the server's challenge arrived (false if it closed first). */
function raw(url: string, localAddress?: string): Raw {
  const ws = new WebSocket(url, { localAddress });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const challenged = Promise.race([new Promise<boolean>((resolve) => ws.once('message', () => resolve(true))), closed.then(() => false)]);
  open.push({ close: () => ws.terminate() });
  return { ws, challenged, closed };
}

/** Resolves with the close, or 'open' after `ms`. */
function closedWithin(r: Raw, ms: number): Promise<{ code: number; reason: string } | 'open'> {
  return Promise.race([r.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);
}

function device(url: string, role: 'primary' | 'companion', name: string): DeviceClient {
  const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server!.verificationCode(phone) });
  open.push(c);
  return c;
}

describe('authentication deadline', () => {
  it('closes a socket that neither authenticates nor binds in time (1008 AUTH_DEADLINE); bound and authenticated ones stay', async () => {
    const url = await start({ authDeadlineMs: 300 });
    const idle = raw(url);
    expect(await idle.challenged).toBe(true);
    const phone = device(url, 'primary', 'P');
    expect(await phone.register('+2000', { idCheck: false })).toEqual({ ok: true });
    const laptop = device(url, 'companion', 'L');
    await laptop.connect();
    expect(await laptop.startQr('+2000')).toEqual({ ok: true }); // link.bind, then link.start
    const closed = await closedWithin(idle, 5_000);
    expect(closed).toEqual({ code: CLOSE.POLICY, reason: expect.stringMatching(/^AUTH_DEADLINE/) });
    // Well past the deadline, the bound companion and the device are still served.
    await new Promise((r) => setTimeout(r, 400));
    expect(await phone.trustedDevices('+2000')).toMatchObject({ ok: true });
    expect(await laptop.cancelLinking()).toEqual({ ok: true });
  });
});

describe('authentication deadline and test control', () => {
  it("the harness's test-control connection (an accepted tc.* frame) is not closed at the deadline; an idle one beside it is", async () => {
    server = new ReferenceServer({ testControl: true, limits: { authDeadlineMs: 300 } });
    const url = await server.start();
    const control = raw(url);
    const idle = raw(url);
    expect([await control.challenged, await idle.challenged]).toEqual([true, true]);
    control.ws.send(JSON.stringify({ type: 'tc.inspect', id: 1 }));
    expect(await closedWithin(idle, 5_000)).toEqual({ code: CLOSE.POLICY, reason: expect.stringMatching(/^AUTH_DEADLINE/) });
    expect(await closedWithin(control, 400)).toBe('open');
  });
});

describe('caps on unauthenticated connections', () => {
  it('refuses one more from the same address at accept (1013), counts only unauthenticated ones, and not other addresses', async () => {
    const url = await start({ unauthenticatedPerAddress: 2 });
    const a = raw(url);
    const b = raw(url);
    expect([await a.challenged, await b.challenged]).toEqual([true, true]);
    const c = raw(url);
    expect(await c.challenged).toBe(false); // no challenge: nothing was allocated for it
    expect(await closedWithin(c, 5_000)).toEqual({ code: CLOSE.TRY_AGAIN_LATER, reason: expect.stringMatching(/^TOO_MANY_UNAUTHENTICATED/) });
    // Another loopback address has its own count.
    const other = raw(url, '127.0.0.2');
    expect(await other.challenged).toBe(true);
    // An authenticated device does not count: a registered primary frees its place.
    a.ws.terminate();
    await a.closed;
    const phone = device(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const d = raw(url);
    expect(await d.challenged).toBe(true);
    expect(server!['admission'].counts('127.0.0.1')).toEqual({ total: 3, address: 2 });
  });

  it('refuses past the total cap, whatever the address', async () => {
    const url = await start({ unauthenticatedConnections: 2 });
    const a = raw(url, '127.0.0.2');
    const b = raw(url, '127.0.0.3');
    expect([await a.challenged, await b.challenged]).toEqual([true, true]);
    const c = raw(url, '127.0.0.4');
    expect(await closedWithin(c, 5_000)).toEqual({ code: CLOSE.TRY_AGAIN_LATER, reason: expect.stringMatching(/^TOO_MANY_UNAUTHENTICATED: at most 2 in all/) });
    b.ws.close();
    await b.closed;
    for (let i = 0; i < 50 && server!['admission'].counts().total > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await raw(url, '127.0.0.4').challenged).toBe(true);
  });
});

describe('read limit before authentication', () => {
  it('closes 1009 an unauthenticated socket whose unfinished fragmented message passes the limit', async () => {
    const url = await start({ unauthenticatedFrameBytes: 4_096 });
    const r = raw(url);
    expect(await r.challenged).toBe(true);
    const chunk = Buffer.alloc(1_024, 0x5b);
    // Five fragments, never the last one: the fifth passes 4 KiB.
    for (let i = 0; i < 5; i++) r.ws.send(chunk, { fin: false, binary: false });
    expect((await closedWithin(r, 5_000) as { code: number }).code).toBe(CLOSE.TOO_BIG);
  });

  it('an authenticated device may send large frames again', async () => {
    const url = await start({ unauthenticatedFrameBytes: 4_096 });
    const phone = device(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    // devices.get padded to 64 KiB by a long phone number: read, parsed, refused by the schema.
    const w = (phone as unknown as { wire: import('../client/wire.js').WireConnection }).wire;
    const answer = new Promise<any>((resolve) => { w.onFrame = resolve; });
    w.sendText(JSON.stringify({ type: 'devices.get', id: 'x', phone: '+1'.padEnd(65_536, '0') }));
    expect(await answer).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
    expect(w.isOpen).toBe(true);
  });
});
