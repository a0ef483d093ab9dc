/**
 * Per-device queue bounds over the wire (issue 10, quotas.ts; OFF-02, E2E-02):
 * - a send that would take a recipient's queue over its quota is refused QUEUE_FULL, and
 *   nothing is stored for any of its recipients;
 * - a device reconnecting to a backlog is sent at most a window of unacked deliveries; each ack
 *   lets the next go; everything arrives in seq order, once, including what is sent meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { sign, toBase64 } from '../crypto/keys.js';
import { AUTH_PREFIX, challengeBytes } from '../protocol/constants.js';
import type { QueueLimits } from './quotas.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const wait = async (done: () => boolean) => { for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5)); };
const settle = () => new Promise((r) => setTimeout(r, 50));

/** Alice (one phone) and Bob (phone + laptop, the laptop offline), on a server with `limits`. */
async function world(limits: Partial<QueueLimits>) {
  server = new ReferenceServer({ queueLimits: limits });
  const url = await server.start();
  const client = (role: 'primary' | 'companion', name: string) => {
    const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(c);
    return c;
  };
  const alice = client('primary', 'alice');
  const bob = client('primary', 'bob');
  const laptop = client('companion', 'laptop');
  expect(await alice.register('+15550003001', { idCheck: false })).toEqual({ ok: true });
  expect(await bob.register('+15550003002', { idCheck: false })).toEqual({ ok: true });
  await laptop.connect();
  await laptop.startQr('+15550003002');
  await wait(() => laptop.qrText() !== null);
  expect(await bob.scanQr(laptop.qrText()!, 'pass')).toEqual({ ok: true });
  await wait(() => laptop.status === 'linked' && server!.quiescence().quiet);
  await laptop.disconnect();
  await bob.disconnect();
  await wait(() => server!.inspect().accounts.every((a) => a.devices.every((d) => d.name === 'alice' || !d.online)));
  return { url, alice, bob, laptop };
}

/** A raw socket authenticated as `device`, recording the deliveries it is sent (never acking by itself). */
async function rawAs(url: string, device: DeviceClient) {
  const w = await WireConnection.open(url);
  open.push(w);
  const delivered: number[] = [];
  w.onFrame = (f: any) => { if (f.type === 'deliver') delivered.push(f.seq); };
  const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, w.nonce), device.keys.signing.secretKey));
  expect(await w.request('auth', { deviceId: device.deviceId, signature })).toMatchObject({ ok: true });
  return { w, delivered };
}

const envelope = (text: string) => ({ nonce: toBase64(new Uint8Array(24)), ciphertext: text });

describe('queue quota (QUEUE_FULL)', () => {
  it('refuses a send over a recipient\'s quota, storing nothing for any recipient', async () => {
    const { url, alice, bob, laptop } = await world({ maxCount: 3 });
    const { w } = await rawAs(url, alice);
    const to = (id: string, text: string) => ({ to: id, envelope: envelope(text) });
    for (let i = 0; i < 3; i++) {
      expect(await w.request('send', { toPhone: '+15550003002', envelopes: [to(laptop.deviceId!, `m${i}`)] })).toMatchObject({ ok: true });
    }
    const both = await w.request('send', { toPhone: '+15550003002', envelopes: [to(bob.deviceId!, 'x'), to(laptop.deviceId!, 'x')] });
    expect(both).toMatchObject({ ok: false, code: 'QUEUE_FULL' });
    expect(server!.storage.countPending(laptop.deviceId!)).toBe(3);
    expect(server!.storage.countPending(bob.deviceId!)).toBe(0); // atomic: not stored for Bob's phone either
    expect(await w.request('send', { toPhone: '+15550003002', envelopes: [to(bob.deviceId!, 'y')] })).toMatchObject({ ok: true });
  });

  it('one sender device fills only its share of a queue: others still get through (red team F6)', async () => {
    const { url, alice, bob, laptop } = await world({ maxCount: 100, maxCountPerSender: 2 });
    const stranger = await rawAs(url, alice);
    const to = (text: string) => ({ toPhone: '+15550003002', envelopes: [{ to: laptop.deviceId!, envelope: envelope(text) }] });
    for (let i = 0; i < 2; i++) expect(await stranger.w.request('send', to(`s${i}`))).toMatchObject({ ok: true });
    expect(await stranger.w.request('send', to('s2'))).toMatchObject({ ok: false, code: 'QUEUE_FULL', message: expect.stringContaining('from one sender device') });
    // Another sender (Bob's phone, writing to its own laptop in the conversation with Alice) is not locked out.
    const friend = await rawAs(url, bob);
    expect(await friend.w.request('send', { toPhone: '+15550003001', envelopes: [{ to: laptop.deviceId!, envelope: envelope('f') }] })).toMatchObject({ ok: true });
    expect(server!.storage.countPending(laptop.deviceId!)).toBe(3);
    // The laptop acks one of the stranger's: its share has room again.
    const { w, delivered } = await rawAs(url, laptop);
    await wait(() => delivered.length === 3);
    w.sendRaw({ type: 'ack', seq: delivered[0] });
    await wait(() => server!.storage.countPending(laptop.deviceId!) === 2);
    expect(await stranger.w.request('send', to('s3'))).toMatchObject({ ok: true });
  });

  it('counts payload bytes too', async () => {
    const { url, alice, laptop } = await world({ maxBytes: 400 });
    const { w } = await rawAs(url, alice);
    const big = { to: laptop.deviceId!, envelope: envelope('z'.repeat(300)) };
    expect(await w.request('send', { toPhone: '+15550003002', envelopes: [big] })).toMatchObject({ ok: true });
    expect(await w.request('send', { toPhone: '+15550003002', envelopes: [big] })).toMatchObject({ ok: false, code: 'QUEUE_FULL' });
  });
});

describe('paged delivery on reconnect (OFF-02, E2E-02)', () => {
  it('sends a window of unacked deliveries, the next as acks come, all in order and once, new ones behind the backlog', async () => {
    const { url, alice, laptop } = await world({ windowCount: 3 });
    const sender = await rawAs(url, alice);
    const send = (text: string) => sender.w.request('send', { toPhone: '+15550003002', envelopes: [{ to: laptop.deviceId!, envelope: envelope(text) }] });
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) seqs.push(((await send(`m${i}`)) as { value: { seqs: number[] } }).value.seqs[0]!);

    const { w, delivered } = await rawAs(url, laptop);
    await settle();
    expect(delivered).toEqual(seqs.slice(0, 3)); // a window, not the whole backlog
    seqs.push(((await send('during')) as { value: { seqs: number[] } }).value.seqs[0]!);
    await settle();
    expect(delivered).toEqual(seqs.slice(0, 3)); // the new one waits behind the backlog
    w.sendRaw({ type: 'ack', seq: seqs[0] });
    await wait(() => delivered.length === 4);
    expect(delivered).toEqual(seqs.slice(0, 4));
    for (let acked = 1; acked < seqs.length; acked++) {
      w.sendRaw({ type: 'ack', seq: seqs[acked] });
      await wait(() => delivered.length === Math.min(seqs.length, acked + 4));
    }
    await settle();
    expect(delivered).toEqual(seqs);
    expect(server!.storage.countPending(laptop.deviceId!)).toBe(0);
    // Drained: a new message goes straight out.
    const last = ((await send('after')) as { value: { seqs: number[] } }).value.seqs[0]!;
    await wait(() => delivered.length === seqs.length + 1);
    expect(delivered.at(-1)).toBe(last);
  });

  it('bounds the window by payload bytes as well (one large delivery at a time)', async () => {
    const { url, alice, laptop } = await world({ windowBytes: 1_000 });
    const sender = await rawAs(url, alice);
    for (let i = 0; i < 4; i++) {
      await sender.w.request('send', { toPhone: '+15550003002', envelopes: [{ to: laptop.deviceId!, envelope: envelope('q'.repeat(2_000)) }] });
    }
    const { w, delivered } = await rawAs(url, laptop);
    await settle();
    expect(delivered).toHaveLength(1);
    w.sendRaw({ type: 'ack', seq: delivered[0] });
    await wait(() => delivered.length === 2);
    await settle();
    expect(delivered).toHaveLength(2);
  });
});
