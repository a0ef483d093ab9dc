/**
 * A stranger against someone else's pairing code, written the way a hold-back attack script is:
 * raw WebSocket frames built from reference/PROTOCOL.md alone (§1 transport, §2 signatures, §3
 * frames, §4.2 pairing codes), no reference client on the attacker's side. The victim is an
 * honest laptop and phone (the reference client). Issue 10: "no code hijack or cancellation by a
 * stranger" (PAIR-06, PAIR-07, PAIR-08).
 *
 * On the old server (the number's latest request wins) the stranger's `code.request` pushed
 * `code.ended {cancelled}` to the victim's laptop and its code was gone.
 */
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { MAX_ACTIVE_CODES_PER_NUMBER } from './limits.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const PHONE = '+15550004000';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

/** A raw protocol client: frames in, frames out, requests matched by id (PROTOCOL.md §1). */
class RawClient {
  readonly frames: Array<Record<string, unknown>> = [];
  private nextId = 1;
  private constructor(private readonly ws: WebSocket, readonly nonce: Uint8Array) {}

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    for (let i = 0; i < 400 && !frames.some((f) => f.type === 'challenge'); i++) await new Promise((r) => setTimeout(r, 5));
    const challenge = frames.find((f) => f.type === 'challenge');
    if (!challenge) throw new Error('the server did not speak first');
    const client = new RawClient(ws, Uint8Array.from(Buffer.from(String(challenge.nonce), 'base64')));
    client.frames.push(...frames);
    ws.removeAllListeners('message');
    ws.on('message', (data) => client.frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    open.push({ close: () => ws.close() });
    return client;
  }

  async request(type: string, fields: Record<string, unknown> = {}): Promise<{ ok: boolean; code?: string; value?: unknown }> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type, id, ...fields }));
    for (let i = 0; i < 2000; i++) {
      const answer = this.frames.find((f) => f.type === 'result' && f.id === id);
      if (answer) return answer as { ok: boolean; code?: string; value?: unknown };
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no result for ${type}`);
  }

  /** link.bind with a fresh identity (PROTOCOL.md §2: "linkspec-bind-v1" ‖ nonce, "linkspec-box-v1" ‖ box key). */
  async bindFresh(name: string, claimedIdentity?: string): Promise<{ ok: boolean; code?: string; identityKey: string }> {
    const signing = nacl.sign.keyPair();
    const box = nacl.box.keyPair();
    const identityKey = claimedIdentity ?? b64(signing.publicKey);
    const r = await this.request('link.bind', {
      identityKey, boxKey: b64(box.publicKey),
      boxKeySignature: b64(nacl.sign.detached(concat(utf8('linkspec-box-v1'), box.publicKey), signing.secretKey)),
      name, platform: 'web',
      signature: b64(nacl.sign.detached(concat(utf8('linkspec-bind-v1'), this.nonce), signing.secretKey)),
    });
    return { ...r, identityKey };
  }
}

async function victim(limits?: Record<string, number>) {
  server = new ReferenceServer({ testControl: true, ...(limits ? { limits } : {}) });
  const url = await server.start();
  const phone = new DeviceClient({ url, role: 'primary', name: 'phone', platform: 'android', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
  const laptop = new DeviceClient({ url, role: 'companion', name: 'laptop', platform: 'web', profile: DEFAULT_PROFILE });
  open.push(phone, laptop);
  expect(await phone.register(PHONE, { idCheck: false })).toEqual({ ok: true });
  await laptop.connect();
  const code = await laptop.requestCode(PHONE);
  if (!code.ok) throw new Error(code.code);
  // Every frame the victim's laptop receives from now on.
  const seen: Array<Record<string, unknown>> = [];
  const wire = (laptop as unknown as { wire: { onFrame: (f: Record<string, unknown>) => void } }).wire;
  const forward = wire.onFrame;
  wire.onFrame = (frame) => { seen.push(frame); forward(frame); };
  return { url, phone, laptop, code: code.value, seen };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe("a stranger's raw frames against a victim's pairing code (issue 10)", () => {
  it('a code.request for the victim\'s number neither cancels nor replaces the victim\'s code; the victim still links', async () => {
    const { url, phone, laptop, code, seen } = await victim();
    const stranger = await RawClient.open(url);
    expect(await stranger.bindFresh('Laptop')).toMatchObject({ ok: true });
    expect(await stranger.request('code.request', { phone: PHONE, wrapped: b64(randomBytes(80)) })).toMatchObject({ ok: true });
    await settle();
    expect(seen.filter((f) => f.type === 'code.ended')).toEqual([]);
    expect(laptop.status).toBe('linking');
    // The stranger's request is listed apart, under the stranger's own key.
    const listed = await phone.listCodeRequests();
    if (!listed.ok) throw new Error(listed.code);
    expect(listed.value.map((r) => r.companion)).toEqual([laptop.identityKey, expect.not.stringMatching(laptop.identityKey)]);
    // The victim's primary enters the victim's code for the victim's request: the laptop, and only it, is linked.
    expect(await phone.enterCode(laptop.identityKey, code, 'pass')).toEqual({ ok: true });
    for (let i = 0; i < 200 && laptop.status !== 'linked'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server!.inspect().accounts[0]!.devices.map((d) => `${d.name} ${d.status}`)).toEqual(['phone linked', 'laptop linked']);
  });

  it('cannot list, enter, challenge or cancel the victim\'s request, nor bind under the victim\'s key', async () => {
    const { url, phone, laptop, code, seen } = await victim();
    const stranger = await RawClient.open(url);
    // Not the victim's key: the bind signature is checked against the claimed identity (AUTH_FAILED).
    expect(await stranger.bindFresh('laptop', laptop.identityKey)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    // Unauthenticated, or a bound companion: no primary's requests (OUT_OF_ORDER).
    expect(await stranger.request('code.list')).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await stranger.request('code.enter', { companion: laptop.identityKey })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await stranger.bindFresh('Laptop')).toMatchObject({ ok: true });
    expect(await stranger.request('code.list')).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await stranger.request('code.enter', { companion: laptop.identityKey })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await stranger.request('code.challenge', { codeToken: 'guess', wrapped: b64(randomBytes(48)) })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    // Its own cancel stops only its own attempt (it has none yet).
    expect(await stranger.request('link.cancel')).toMatchObject({ ok: false, code: 'NOT_LINKING' });
    await settle();
    expect(seen.filter((f) => f.type === 'code.ended')).toEqual([]);
    expect(await phone.enterCode(laptop.identityKey, code, 'pass')).toEqual({ ok: true });
  });

  it('filling the number with requests is refused TOO_MANY_CODE_REQUESTS and cancels nothing; the victim may still renew its own', async () => {
    const { url, phone, laptop, seen } = await victim();
    const answers: Array<string | undefined> = [];
    for (let i = 0; i < MAX_ACTIVE_CODES_PER_NUMBER; i++) {
      // One socket per fake companion: re-binding one socket ends the previous key's request.
      const stranger = await RawClient.open(url);
      expect(await stranger.bindFresh(`fake ${i}`)).toMatchObject({ ok: true });
      const r = await stranger.request('code.request', { phone: PHONE, wrapped: b64(randomBytes(80)) });
      answers.push(r.ok ? 'ok' : r.code);
    }
    // The victim's request and MAX - 1 of the stranger's fill the number; the last is refused.
    expect(answers).toEqual([...Array(MAX_ACTIVE_CODES_PER_NUMBER - 1).fill('ok'), 'TOO_MANY_CODE_REQUESTS']);
    await settle();
    expect(seen.filter((f) => f.type === 'code.ended')).toEqual([]);
    // The victim's own new request replaces only its own code, even with the number full.
    const renewed = await laptop.requestCode(PHONE);
    if (!renewed.ok) throw new Error(renewed.code);
    expect(await phone.enterCode(laptop.identityKey, renewed.value, 'pass')).toEqual({ ok: true });
  });

  it('one socket re-binding fresh keys keeps one request at most: each bind ends the previous key\'s request (red-team F3)', async () => {
    const { url, phone } = await victim();
    const stranger = await RawClient.open(url);
    for (let i = 0; i < MAX_ACTIVE_CODES_PER_NUMBER; i++) {
      expect(await stranger.bindFresh(`fake ${i}`)).toMatchObject({ ok: true });
      expect(await stranger.request('code.request', { phone: PHONE, wrapped: b64(randomBytes(80)) })).toMatchObject({ ok: true });
    }
    const listed = await phone.listCodeRequests();
    if (!listed.ok) throw new Error(listed.code);
    expect(listed.value.map((r) => r.name)).toEqual(['laptop', `fake ${MAX_ACTIVE_CODES_PER_NUMBER - 1}`]);
  });

  it("code.fail with the victim primary's token: refused to a stranger and to another number's primary, and the token stays the owner's (red-team F2)", async () => {
    const { url, phone, laptop } = await victim();
    const wire = (phone as unknown as { wire: { request: (type: string, fields: object) => Promise<{ ok: boolean; value?: { codeToken: string } }> } }).wire;
    const entered = await wire.request('code.enter', { companion: laptop.identityKey });
    const codeToken = entered.value!.codeToken;
    const stranger = await RawClient.open(url);
    expect(await stranger.request('code.fail', { codeToken })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    const other = new DeviceClient({ url, role: 'primary', name: 'other', platform: 'android', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
    open.push(other);
    expect(await other.register('+15550004001', { idCheck: false })).toEqual({ ok: true });
    const otherWire = (other as unknown as { wire: { request: (type: string, fields: object) => Promise<{ ok: boolean; code?: string }> } }).wire;
    expect(await otherWire.request('code.fail', { codeToken })).toMatchObject({ ok: false, code: 'CODE_INVALID' });
    // Still the owner's: its own report is taken (before the fix the stranger's had spent it).
    expect(await wire.request('code.fail', { codeToken })).toMatchObject({ ok: true });
  });
});
