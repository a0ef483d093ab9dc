/**
 * Pairing codes as WhatsApp does them (PAIR-06, PAIR-08; server/codeExchange.ts): the server
 * relays opaque blobs, a wrong code fails cryptographically, attempts stay limited, and the old
 * hijack (a stranger requesting a code for the victim's number, then the victim's primary
 * entering the victim's code and linking the stranger under a genuine account signature) is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { generateDeviceKeys, sign, toBase64 } from '../crypto/keys.js';
import { BIND_PREFIX, boxKeyBytes, challengeBytes } from '../protocol/constants.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const PHONE = '+15550003000';
const wait = async (done: () => boolean) => { for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5)); };

async function world(): Promise<{ url: string; phone: DeviceClient }> {
  server = new ReferenceServer({ testControl: true });
  const url = await server.start();
  const phone = new DeviceClient({ url, role: 'primary', name: 'phone', platform: 'android', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
  open.push(phone);
  expect(await phone.register(PHONE, { idCheck: false })).toEqual({ ok: true });
  return { url, phone };
}

async function companion(url: string, name: string): Promise<DeviceClient> {
  const c = new DeviceClient({ url, role: 'companion', name, platform: 'web', profile: DEFAULT_PROFILE });
  open.push(c);
  await c.connect();
  return c;
}

const devices = () => server!.inspect().accounts[0]!.devices.map((d) => `${d.name} ${d.status}`);

describe('pairing codes the server never learns (PAIR-06, PAIR-08)', () => {
  it('links with the right code; nothing the server received carries it', async () => {
    const { url, phone } = await world();
    const laptop = await companion(url, 'laptop');
    const code = await laptop.requestCode(PHONE);
    if (!code.ok) throw new Error(code.code);
    expect(await phone.enterCode(laptop.identityKey, code.value, 'pass')).toEqual({ ok: true });
    await wait(() => laptop.status === 'linked');
    expect(devices()).toEqual(['phone linked', 'laptop linked']);
    const bare = code.value.replace('-', '');
    for (const frame of server!.receivedFrames()) for (const s of [bare, code.value, bare.toLowerCase()]) expect(frame).not.toContain(s);
  });

  it('a wrong code fails cryptographically; the fifth exhausts the code and its holder stops', async () => {
    const { url, phone } = await world();
    const laptop = await companion(url, 'laptop');
    const code = await laptop.requestCode(PHONE);
    if (!code.ok) throw new Error(code.code);
    const wrong = code.value.startsWith('2') ? '3333-3333' : '2222-2222';
    for (let i = 0; i < 4; i++) expect(await phone.enterCode(laptop.identityKey, wrong, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    expect(laptop.status).toBe('linking');
    expect(await phone.enterCode(laptop.identityKey, wrong, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    await wait(() => laptop.status === 'idle');
    expect(laptop.status).toBe('idle');
    expect(await phone.enterCode(laptop.identityKey, code.value, 'pass')).toEqual({ ok: false, code: 'ATTEMPTS_EXHAUSTED' });
  });

  it("no hijack, no cancellation: a stranger's request for the number is a separate request; the owner's code still links the owner's laptop only", async () => {
    const { url, phone } = await world();
    const laptop = await companion(url, 'laptop');
    const code = await laptop.requestCode(PHONE);
    if (!code.ok) throw new Error(code.code);
    const stranger = await companion(url, 'stranger');
    expect((await stranger.requestCode(PHONE)).ok).toBe(true);
    // The primary lists both requests, each with its companion's name (never a code).
    const listed = await phone.listCodeRequests();
    if (!listed.ok) throw new Error(listed.code);
    expect(listed.value.map((r) => [r.name, r.companion])).toEqual([['laptop', laptop.identityKey], ['stranger', stranger.identityKey]]);
    expect(JSON.stringify(listed.value)).not.toContain(code.value.replace('-', ''));
    // The owner's code typed for the stranger's request is a wrong code there: nothing links.
    expect(await phone.enterCode(stranger.identityKey, code.value, 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    await new Promise((r) => setTimeout(r, 50));
    expect(laptop.status).toBe('linking'); // no code.ended {cancelled} reached it
    expect(await phone.enterCode(laptop.identityKey, code.value, 'pass')).toEqual({ ok: true });
    await wait(() => laptop.status === 'linked');
    expect(devices()).toEqual(['phone linked', 'laptop linked']);
    expect(stranger.status).toBe('linking');
  });

  it('a primary that never reports its failures still spends its attempts', async () => {
    const { url, phone } = await world();
    const laptop = await companion(url, 'laptop');
    expect((await laptop.requestCode(PHONE)).ok).toBe(true);
    // A raw primary connection: code.enter and code.challenge with junk, never code.fail.
    const w = await WireConnection.open(url);
    open.push(w);
    const r = await w.request<{ deviceId: string }>('auth', { deviceId: phone.deviceId, signature: toBase64(sign(challengeBytes(new TextEncoder().encode('linkspec-auth-v1'), w.nonce), phone.keys.signing.secretKey)) });
    expect(r.ok).toBe(true);
    for (let i = 0; i < DEFAULT_PROFILE.pairingCode.maxAttempts; i++) {
      const entered = await w.request<{ codeToken: string }>('code.enter', { companion: laptop.identityKey });
      if (!entered.ok) throw new Error(entered.code);
      expect(await w.request('code.challenge', { codeToken: entered.value.codeToken, wrapped: toBase64(new Uint8Array(48)) })).toMatchObject({ ok: true });
    }
    expect(await w.request('code.enter', { companion: laptop.identityKey })).toMatchObject({ ok: false, code: 'ATTEMPTS_EXHAUSTED' });
  });

  it('keeps at most one link token per active code (pending records pruned)', async () => {
    const { url, phone } = await world();
    const laptops = [await companion(url, 'laptop'), await companion(url, 'tablet')];
    for (const c of laptops) expect((await c.requestCode(PHONE)).ok).toBe(true);
    const w = await WireConnection.open(url);
    open.push(w);
    expect((await w.request('auth', { deviceId: phone.deviceId, signature: toBase64(sign(challengeBytes(new TextEncoder().encode('linkspec-auth-v1'), w.nonce), phone.keys.signing.secretKey)) })).ok).toBe(true);
    const tokens = () => (server as unknown as { ctx: { codeTokens: Map<string, string> } }).ctx.codeTokens.size;
    // Entries abandoned before their challenge: one token per code survives.
    for (let i = 0; i < 5; i++) for (const c of laptops) expect((await w.request('code.enter', { companion: c.identityKey })).ok).toBe(true);
    expect(tokens()).toBe(2);
    expect((await laptops[0]!.cancelLinking()).ok).toBe(true);
    expect((await w.request('code.enter', { companion: laptops[1]!.identityKey })).ok).toBe(true);
    expect(tokens()).toBe(1);
  });

  it('code.request carries an 80-byte blob, never a code', async () => {
    const { url } = await world();
    const w = await WireConnection.open(url);
    open.push(w);
    const keys = generateDeviceKeys();
    expect(await w.request('link.bind', {
      identityKey: toBase64(keys.signing.publicKey), boxKey: toBase64(keys.box.publicKey),
      boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)), name: 'c', platform: 'web',
      signature: toBase64(sign(challengeBytes(BIND_PREFIX, w.nonce), keys.signing.secretKey)),
    })).toMatchObject({ ok: true });
    expect(await w.request('code.request', { phone: PHONE, code: 'ABCDEFGH' })).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await w.request('code.request', { phone: PHONE, wrapped: toBase64(new Uint8Array(10)) })).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await w.request('code.request', { phone: PHONE, wrapped: toBase64(new Uint8Array(80)) })).toMatchObject({ ok: true });
  });
});
