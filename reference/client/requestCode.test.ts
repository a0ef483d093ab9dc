/**
 * The companion's pairing-code request without `account.info` (issue 10: account.info is for
 * authenticated devices only). The server's own NOT_REGISTERED answers code.request; a signed-out
 * companion starts afresh (new keys) only once the server accepted (model: REQUEST_CODE refused
 * NOT_REGISTERED changes nothing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { ReferenceServer } from '../server/server.js';
import { DeviceClient } from './device.js';

let server: ReferenceServer | undefined;
const open: DeviceClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

function device(url: string, role: 'primary' | 'companion', name: string): DeviceClient {
  const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server!.verificationCode(phone) });
  open.push(c);
  return c;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('requestCode', () => {
  it('an unregistered number: NOT_REGISTERED from the server; a signed-out companion stays signed out with its keys', async () => {
    server = new ReferenceServer();
    const url = await server.start();
    const phone = device(url, 'primary', 'P');
    expect(await phone.register('+1000', { idCheck: false })).toEqual({ ok: true });
    const laptop = device(url, 'companion', 'L');
    await laptop.connect();
    expect(await laptop.requestCode('+2000')).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect(laptop.status).toBe('idle');

    // Link by QR, then the primary unlinks it: signed out.
    expect(await laptop.startQr('+1000')).toEqual({ ok: true });
    expect(await phone.scanQr(laptop.qrText()!, 'pass')).toEqual({ ok: true });
    await until(() => laptop.status === 'linked');
    expect(await phone.unlink(laptop.deviceId!)).toEqual({ ok: true });
    await until(() => laptop.status === 'signed-out');
    const oldKey = laptop.identityKey;
    expect(await laptop.requestCode('+2000')).toEqual({ ok: false, code: 'NOT_REGISTERED' });
    expect([laptop.status, laptop.identityKey]).toEqual(['signed-out', oldKey]);

    // A registered number: it starts afresh as a new device and shows a code.
    const code = await laptop.requestCode('+1000');
    expect(code).toMatchObject({ ok: true, value: expect.stringMatching(/^\w{4}-\w{4}$/) });
    expect(laptop.status).toBe('linking');
    expect(laptop.identityKey).not.toBe(oldKey);
  });
});
