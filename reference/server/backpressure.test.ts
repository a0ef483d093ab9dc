/**
 * Issue 10, backpressure on every connection (backpressure.ts, context.ts Connection.send):
 * - "link.approve waits up to 10 s for the companion; meanwhile a connection can buffer without
 *   bound (326 MB in 9 s)": while the approval waits the server stops reading the primary's
 *   socket once its queue passes the marks, so the client's writes back up on the client; when
 *   the companion answers, every frame is still answered (paused, not refused);
 * - a client that does not read its frames is closed 1008 OUTBOUND_BACKLOG past the cap;
 * - canSend()/onDrain() tell paged delivery when to push more.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import type { WireConnection } from '../client/wire.js';
import { CLOSE } from '../protocol/constants.js';
import type { Connection } from './context.js';
import type { Limits } from './limits.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = performance.now() + ms; performance.now() < end; await sleep(10)) if (check()) return true;
  return check();
}

function device(url: string, role: 'primary' | 'companion', name: string): DeviceClient {
  const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server!.verificationCode(phone) });
  open.push(c);
  return c;
}

const wireOf = (c: DeviceClient) => (c as unknown as { wire: WireConnection }).wire;
const socketOf = (w: WireConnection) => (w as unknown as { ws: WebSocket }).ws;

describe('inbound: a waiting handler does not let the queue grow', () => {
  it('while link.approve waits for the companion, the server stops reading the primary; afterwards every frame is answered', async () => {
    server = new ReferenceServer({ limits: { inboundQueueFrames: 8, inboundQueueBytes: 1_048_576 } });
    const url = await server.start();
    const phone = device(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const laptop = device(url, 'companion', 'L');
    await laptop.connect();
    expect(await laptop.startQr('+1000')).toEqual({ ok: true });
    // The laptop holds back its answer to the offer: the primary's approval waits (up to 10 s).
    const laptopWire = wireOf(laptop);
    const deliver = laptopWire.onFrame;
    let offer: any;
    laptopWire.onFrame = (f) => { if (f.type === 'link.offer') offer = f; else deliver(f); };
    const approval = phone.scanQr(laptop.qrText()!, 'pass');
    expect(await until(() => offer !== undefined, 5_000)).toBe(true);

    // Meanwhile the primary's connection sends 32 MiB: 64 frames of 512 KiB.
    const w = wireOf(phone);
    const answered = new Set<string>();
    const pushes = w.onFrame;
    w.onFrame = (f) => { if (typeof f.id === 'string' && f.id.startsWith('flood')) answered.add(f.id); else pushes(f); };
    const pad = 'p'.repeat(512 * 1024);
    for (let i = 0; i < 64; i++) w.sendText(`{"type":"nothing","id":"flood${i}","pad":"${pad}"}`);
    await sleep(500);
    // The server read a few frames and stopped: most of the 32 MiB still waits on the client side.
    expect(socketOf(w).bufferedAmount).toBeGreaterThan(8 * 1_048_576);
    expect(answered.size).toBe(0);

    // The companion answers: the approval completes, the handlers catch up, reading resumes.
    deliver(offer);
    expect(await approval).toEqual({ ok: true });
    expect(await until(() => answered.size === 64, 10_000)).toBe(true);
    expect(socketOf(w).bufferedAmount).toBe(0);
  });
});

describe('outbound: a client that does not read', () => {
  /** A test-control socket whose `tc.traffic` answers are as large as the traffic it sent first. */
  async function reader(limits: Partial<Limits>): Promise<{ ws: WebSocket; conn: Connection; closed: Promise<{ code: number; reason: string }> }> {
    // The traffic it sends first is above the pre-authentication byte budget: lifted here.
    server = new ReferenceServer({ testControl: true, limits: { unauthenticatedBytesBurst: 1e9, ...limits } });
    const ws = new WebSocket(await server.start());
    ws.on('error', () => undefined);
    open.push({ close: () => ws.terminate() });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve) => ws.once('message', resolve));
    // 16 frames of 60 KiB in the traffic log: each tc.traffic answer is about 1 MiB.
    for (let i = 0; i < 16; i++) ws.send(`{"type":"nothing","id":${i},"pad":"${'t'.repeat(60_000)}"}`);
    const conn = [...(server as unknown as { ctx: { connections: Set<Connection> } }).ctx.connections][0]!;
    return { ws, conn, closed };
  }

  it('is closed 1008 OUTBOUND_BACKLOG once the unread bytes pass the cap', async () => {
    const { ws, conn, closed } = await reader({ outboundBufferBytes: 2 * 1_048_576 });
    ws.pause(); // reads nothing from now on
    for (let i = 0; i < 200 && conn.ws.readyState === conn.ws.OPEN; i++) {
      ws.send(JSON.stringify({ type: 'tc.traffic', id: `t${i}` }));
      await sleep(5);
    }
    expect(conn.ws.readyState).not.toBe(conn.ws.OPEN);
    ws.resume();
    expect(await Promise.race([closed, sleep(10_000).then(() => 'open')])).toEqual({ code: CLOSE.POLICY, reason: expect.stringMatching(/^OUTBOUND_BACKLOG/) });
  });

  it('canSend() turns false while the client does not read, and onDrain() fires once it reads again', async () => {
    const { ws, conn } = await reader({ outboundLowWaterBytes: 1_048_576 });
    ws.pause();
    for (let i = 0; i < 200 && conn.canSend(); i++) {
      ws.send(JSON.stringify({ type: 'tc.traffic', id: `t${i}` }));
      await sleep(5);
    }
    expect(conn.canSend()).toBe(false);
    let drained = false;
    conn.onDrain(() => { drained = true; });
    await sleep(100);
    expect(drained).toBe(false);
    ws.resume();
    expect(await until(() => drained, 10_000)).toBe(true);
    expect(conn.canSend()).toBe(true);
  });
});
