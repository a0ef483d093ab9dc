/**
 * Issue 10, "one unauthenticated frame stalls the server": 1 MiB of nested `[` cost about a second
 * of JSON.parse before any check, and `refuseLimited` parsed floods too. Now size, nesting and the
 * connection's byte and frame budgets are judged on the bytes (frameScan.ts): such frames are
 * refused without ever reaching JSON.parse, and the refusal echoes the id when it can be read.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import type { Limits } from './limits.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: WireConnection[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

async function connect(limits: Partial<Limits> = {}): Promise<WireConnection> {
  server = new ReferenceServer({ limits });
  const w = await WireConnection.open(await server.start());
  open.push(w);
  return w;
}

function next(w: WireConnection): Promise<any> {
  return new Promise((resolve) => { w.onFrame = resolve; });
}

/** JSON.parse calls on texts of at least `min` characters, while `fn` runs. */
async function bigParses(min: number, fn: () => Promise<void>): Promise<number> {
  const real = JSON.parse;
  let count = 0;
  vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: any) => {
    if (typeof text === 'string' && text.length >= min) count++;
    return real(text, reviver);
  });
  await fn();
  return count;
}

describe('refused before JSON.parse', () => {
  it('a frame nested deeper than the limit: BAD_FRAME with its id, never parsed', async () => {
    const w = await connect();
    const deep = `{"type":"account.info","id":41,"phone":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    let answer: any;
    const parses = await bigParses(20_000, async () => {
      const got = next(w);
      w.sendText(deep);
      answer = await got;
    });
    expect(answer).toMatchObject({ type: 'error', id: 41, code: 'BAD_FRAME' });
    expect(answer.message).toMatch(/nesting/);
    expect(parses).toBe(0);
  });

  it('1 MiB of "[" from an unauthenticated socket: never read nor parsed, the socket is closed 1009 (read limit before authentication)', async () => {
    const w = await connect();
    let closed = false;
    const parses = await bigParses(60_000, async () => {
      const gone = new Promise<void>((resolve) => { w.onClose = () => { closed = true; resolve(); }; });
      w.sendText('['.repeat(MAX_FRAME_BYTES - 1));
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
    });
    expect(closed).toBe(true);
    expect(parses).toBe(0);
  });

  it('FRAME_TOO_LARGE echoes a readable id (an authenticated device: it may send up to the hard size)', async () => {
    server = new ReferenceServer();
    const phone = new DeviceClient({ url: await server.start(), role: 'primary', name: 'P', platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(phone as unknown as WireConnection);
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const w = (phone as unknown as { wire: WireConnection }).wire;
    const got = next(w);
    w.sendText(JSON.stringify({ type: 'account.info', id: 'big-1', phone: 'x'.repeat(MAX_FRAME_BYTES) }));
    expect(await got).toMatchObject({ type: 'error', id: 'big-1', code: 'FRAME_TOO_LARGE' });
  });

  it('frames over the budget are answered RATE_LIMITED with their id, without being parsed', async () => {
    const w = await connect({ frameBurst: 2, framesPerSecond: 0.001 });
    const answers: any[] = [];
    const parses = await bigParses(1_000, async () => {
      const all = new Promise<void>((resolve) => { w.onFrame = (f) => { answers.push(f); if (answers.length === 5) resolve(); }; });
      for (let i = 0; i < 5; i++) w.sendText(JSON.stringify({ type: 'nothing', id: `f${i}`, pad: 'p'.repeat(2_000) }));
      await all;
    });
    // The first two were parsed (UNKNOWN_TYPE), the other three refused unparsed.
    expect(answers.map((a) => `${a.id} ${a.code}`)).toEqual(['f0 UNKNOWN_TYPE', 'f1 UNKNOWN_TYPE', 'f2 RATE_LIMITED', 'f3 RATE_LIMITED', 'f4 RATE_LIMITED']);
    expect(parses).toBe(2);
  });

  it('the byte budget: an authenticated device past its bytes per second is refused RATE_LIMITED unparsed', async () => {
    server = new ReferenceServer({ limits: { bytesBurst: 10_000, bytesPerSecond: 1 } });
    const phone = new DeviceClient({ url: await server.start(), role: 'primary', name: 'P', platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(phone as unknown as WireConnection);
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const w = (phone as unknown as { wire: WireConnection }).wire;
    const got: any[] = [];
    const done = new Promise<void>((resolve) => { w.onFrame = (f) => { if (f.type === 'error') got.push(f); if (got.length === 3) resolve(); }; });
    for (let i = 0; i < 3; i++) w.sendText(JSON.stringify({ type: 'nothing', id: `b${i}`, pad: 'p'.repeat(4_000) }));
    await done;
    expect(got.map((f) => f.code)).toEqual(['UNKNOWN_TYPE', 'UNKNOWN_TYPE', 'RATE_LIMITED']);
  });

  it('before authenticating, past its own budgets (bytes, frames) a connection is closed 1008 RATE_LIMITED', async () => {
    for (const limits of [{ unauthenticatedBytesBurst: 10_000, unauthenticatedBytesPerSecond: 1 }, { unauthenticatedFrameBurst: 2, unauthenticatedFramesPerSecond: 0.001 }]) {
      server = new ReferenceServer({ limits });
      const ws = new WebSocket(await server.start());
      ws.on('error', () => undefined);
      const got: any[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
      ws.on('message', (d) => {
        const f = JSON.parse(String(d));
        if (f.type === 'challenge') for (let i = 0; i < 3; i++) ws.send(JSON.stringify({ type: 'nothing', id: i, pad: 'p'.repeat(4_000) }));
        else got.push(f.code);
      });
      expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 5_000))])).toEqual({ code: 1008, reason: expect.stringMatching(/^RATE_LIMITED/) });
      // Frames not yet answered when it closed get no answer; none was refused one by one.
      expect(got.every((code) => code === 'UNKNOWN_TYPE')).toBe(true);
      await server.stop();
    }
  });

  it('an authenticated device has the larger byte budget', async () => {
    server = new ReferenceServer({ limits: { unauthenticatedBytesBurst: 1_000, unauthenticatedBytesPerSecond: 1 } });
    const phone = new DeviceClient({ url: await server.start(), role: 'primary', name: 'P', platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(phone as unknown as WireConnection);
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const w = (phone as unknown as { wire: WireConnection }).wire;
    const got = next(w);
    w.sendText(JSON.stringify({ type: 'nothing', id: 'd', pad: 'p'.repeat(4_000) }));
    expect(await got).toMatchObject({ id: 'd', code: 'UNKNOWN_TYPE' });
  });
});
