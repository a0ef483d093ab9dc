/**
 * Test control's long-polled quiescence (`tc.quiescent {waitMs, view}`): the answer comes when
 * the last delivery is acked, not before, carries the server's view taken at that moment, and
 * after `waitMs` of real time the answer says what is still open (the harness's clear error).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { MemoryStorage } from '../storage/memory.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

/** Two registered primaries; `alice` holds back her acks until `release()`. */
async function world(storage = new MemoryStorage()) {
  server = new ReferenceServer({ testControl: true, storage });
  const url = await server.start();
  const mk = async (phone: string) => {
    const c = new DeviceClient({ url, role: 'primary', name: phone, platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(c);
    expect(await c.register(phone, { idCheck: false })).toEqual({ ok: true });
    return c;
  };
  const alice = await mk('+1');
  const bob = await mk('+2');
  const wire = (alice as unknown as { wire: WireConnection }).wire;
  const held: object[] = [];
  const sendRaw = wire.sendRaw.bind(wire);
  wire.sendRaw = (frame: object) => { held.push(frame); };
  const tc = await WireConnection.open(url);
  open.push(tc);
  return { alice, bob, tc, release: () => { wire.sendRaw = sendRaw; for (const f of held.splice(0)) sendRaw(f); } };
}

describe('tc.quiescent long poll', () => {
  it('answers once the last delivery is acked, with the view of that moment', async () => {
    const { alice, bob, tc, release } = await world();
    expect(await bob.send('+1', 'm1')).toEqual({ ok: true });
    await alice.idle();
    let answered = false;
    const poll = tc.request('tc.quiescent', { waitMs: 10_000, view: true }).then((r) => { answered = true; return r; });
    // Another connection sees the held ack; the poll must still be waiting.
    const other = await WireConnection.open(server!.url);
    open.push(other);
    expect(await other.request('tc.quiescent')).toMatchObject({ ok: true, value: { quiet: false, pendingDeliveries: 1 } });
    expect(answered).toBe(false);
    release();
    const r = await poll;
    expect(r).toMatchObject({ ok: true, value: { quiet: true, pendingDeliveries: 0, unackedPushes: 0, openOffers: 0 } });
    const view = (r as { value: { view: { accounts: { phone: string; devices: { pending: number }[] }[] } } }).value.view;
    expect(view.accounts.find((a) => a.phone === '+1')?.devices[0]?.pending).toBe(0);
    expect(alice.messages).toEqual(['m1']);
  });

  it('answers the reading that found it quiet, even if the store moves before the answer is written', async () => {
    // On a cluster another node commits to the shared store at any moment (race mode: the other
    // operation's send). Here that commit lands right after the waiter's reading found the queue
    // empty, and before the answer is written; the answer must say what was judged (quiet), not
    // a second reading: a long poll answering quiet: false with waitMs left made the harness give
    // up at once ('deliveries did not settle', cluster race checks).
    const storage = new MemoryStorage();
    const { alice, bob, tc, release } = await world(storage);
    expect(await bob.send('+1', 'm1')).toEqual({ ok: true });
    await alice.idle();
    const count = storage.countPending.bind(storage);
    let commitElsewhere = false;
    storage.countPending = (deviceId: string) => {
      const n = count(deviceId);
      if (commitElsewhere && n === 0 && deviceId === alice.deviceId) {
        commitElsewhere = false;
        storage.enqueue({ recipientDeviceId: deviceId, kind: 'message', senderDeviceId: bob.deviceId!, payload: '{}' });
      }
      return n;
    };
    const poll = tc.request('tc.quiescent', { waitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    commitElsewhere = true;
    release();
    expect(await poll).toMatchObject({ ok: true, value: { quiet: true, pendingDeliveries: 0, unackedPushes: 0, openOffers: 0 } });
    expect(commitElsewhere).toBe(false);
  });

  it('answers the first reading when it is quiet, not a second one', async () => {
    // The same on arrival: the reading that found the server quiet is the answer.
    const storage = new MemoryStorage();
    const { alice, bob, tc } = await world(storage);
    const count = storage.countPending.bind(storage);
    let commitElsewhere = true;
    storage.countPending = (deviceId: string) => {
      const n = count(deviceId);
      if (commitElsewhere && deviceId === alice.deviceId) {
        commitElsewhere = false;
        storage.enqueue({ recipientDeviceId: deviceId, kind: 'message', senderDeviceId: bob.deviceId!, payload: '{}' });
      }
      return n;
    };
    expect(await tc.request('tc.quiescent', { waitMs: 10_000 })).toMatchObject({ ok: true, value: { quiet: true, pendingDeliveries: 0 } });
    expect(commitElsewhere).toBe(false);
  });

  it('after waitMs of real time answers quiet: false with what is still open', async () => {
    const { bob, tc } = await world();
    expect(await bob.send('+1', 'm1')).toEqual({ ok: true });
    const r = await tc.request('tc.quiescent', { waitMs: 30 });
    expect(r).toMatchObject({ ok: true, value: { quiet: false, pendingDeliveries: 1 } });
    expect((r as { value: object }).value).not.toHaveProperty('view');
  });
});

describe('test control only on loopback (issue 10)', () => {
  it('a server with test control refuses to listen on a non-loopback host; loopback ones are fine', async () => {
    const { ReferenceServer: Server, isLoopback } = await import('./server.js');
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(isLoopback(host)).toBe(false);
      await expect(new Server({ testControl: true, host }).start()).rejects.toMatchObject({ code: 'TEST_CONTROL_NOT_LOOPBACK' });
    }
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
  });
});
