/**
 * EXP-01 over the wire (issue 9, "the reference itself is not conformant"): a primary that
 * authenticated and then sent `link.bind` on the same socket dropped its authentication without
 * being recorded offline, so its dormancy window never started and its companions stayed linked
 * 15 days later. The same escape through a second `auth` or `register` on one socket is closed too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { generateDeviceKeys, sign, toBase64 } from '../crypto/keys.js';
import { AUTH_PREFIX, BIND_PREFIX, boxKeyBytes, challengeBytes } from '../protocol/constants.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const wait = async (done: () => boolean) => { for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5)); };

async function accountWithLaptop(): Promise<{ url: string; phone: DeviceClient; laptop: DeviceClient }> {
  server = new ReferenceServer();
  const url = await server.start();
  const phone = new DeviceClient({ url, role: 'primary', name: 'phone', platform: 'android', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
  const laptop = new DeviceClient({ url, role: 'companion', name: 'laptop', platform: 'web', profile: DEFAULT_PROFILE });
  open.push(phone, laptop);
  expect(await phone.register('+15550002000', { idCheck: false })).toEqual({ ok: true });
  await laptop.connect();
  await laptop.startQr('+15550002000');
  await wait(() => laptop.qrText() !== null);
  expect(await phone.scanQr(laptop.qrText()!, 'pass')).toEqual({ ok: true });
  await wait(() => laptop.status === 'linked' && server!.quiescence().quiet);
  await laptop.disconnect();
  return { url, phone, laptop };
}

function laptopStatus(): string | undefined {
  return server!.inspect().accounts[0]!.devices.find((d) => d.name === 'laptop')?.status;
}

/** The primary's raw socket: authenticate as it. */
async function authenticatedAs(url: string, phone: DeviceClient): Promise<WireConnection> {
  const w = await WireConnection.open(url);
  open.push(w);
  const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, w.nonce), phone.keys.signing.secretKey));
  expect(await w.request('auth', { deviceId: phone.deviceId, signature })).toMatchObject({ ok: true });
  return w;
}

describe('no dormancy escape on one socket (EXP-01)', () => {
  it('auth then link.bind: refused ALREADY_LINKED; after the socket closes the window runs and companions are out at 14 days', async () => {
    const { url, phone } = await accountWithLaptop();
    await phone.dropConnection();
    const w = await authenticatedAs(url, phone);
    const keys = generateDeviceKeys();
    const bind = {
      identityKey: toBase64(keys.signing.publicKey), boxKey: toBase64(keys.box.publicKey),
      boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)), name: 'x', platform: 'web',
      signature: toBase64(sign(challengeBytes(BIND_PREFIX, w.nonce), keys.signing.secretKey)),
    };
    expect(await w.request('link.bind', bind)).toMatchObject({ ok: false, code: 'ALREADY_LINKED' });
    await w.close();
    await wait(() => server!.inspect().accounts[0]!.devices.every((d) => !d.online));
    server!.advance(14 * DAY_MS - 1);
    expect(laptopStatus()).toBe('linked');
    server!.advance(1);
    expect(laptopStatus()).toBe('signed-out');
  });

  it('auth as the primary, then auth as another device on the same socket: the primary counts as offline from then', async () => {
    const { url, phone, laptop } = await accountWithLaptop();
    await phone.dropConnection();
    const w = await authenticatedAs(url, phone);
    // Some other device's key on this socket (the laptop's): the primary is no longer on it.
    const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, w.nonce), laptop.keys.signing.secretKey));
    expect(await w.request('auth', { deviceId: laptop.deviceId, signature })).toMatchObject({ ok: true });
    server!.advance(14 * DAY_MS);
    expect(laptopStatus()).toBe('signed-out');
  });
});

describe('no dormancy escape across a restart (EXP-01, red-team F1)', () => {
  it('a primary connected when the server stopped, never back: its window starts at the stop, companions out at 14 days', async () => {
    await accountWithLaptop();
    server!.advance(DAY_MS);
    const storage = server!.storage;
    await server!.stop();
    server = new ReferenceServer({ storage });
    await server.start();
    expect(server.inspect().accounts[0]!.devices.every((d) => !d.online)).toBe(true);
    server.advance(14 * DAY_MS - 1);
    expect(laptopStatus()).toBe('linked');
    server.advance(1);
    expect(laptopStatus()).toBe('signed-out');
  });

  it('a primary that reconnects after the restart keeps its companions (a restart alone changes nothing)', async () => {
    const { phone } = await accountWithLaptop();
    const storage = server!.storage;
    await server!.stop();
    server = new ReferenceServer({ storage, port: Number(new URL(phone.url).port) });
    await server.start();
    await phone.dropConnection();
    expect(await phone.connect()).toEqual({ ok: true });
    await wait(() => server!.inspect().accounts[0]!.devices.some((d) => d.role === 'primary' && d.online));
    server.advance(30 * DAY_MS);
    // The laptop went offline before the restart: idle at 30 days (EXP-04), not dormancy.
    expect(server.inspect().accounts[0]!.devices.find((d) => d.name === 'laptop')?.signOutReason).toBe('idle');
  });
});
