/**
 * LIFE-03 over the wire: nobody registers or re-registers a number without proof of owning it
 * (issue 10, "anyone can take over any account": a stranger's `register {replace:true}` with a
 * fresh key was accepted, the victim's phone and companions signed out).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { VirtualClock } from '../clock.js';
import { ReferenceServer } from './server.js';
import { VERIFICATION_CODE_TTL_MS } from './verification.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const PHONE = '+15550001000';

async function start(options: ConstructorParameters<typeof ReferenceServer>[0] = {}): Promise<string> {
  server = new ReferenceServer(options);
  return server.start();
}

function phone(url: string, name: string, reads = true): DeviceClient {
  const c = new DeviceClient({ url, role: 'primary', name, platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: reads ? (p) => server!.verificationCode(p) : undefined });
  open.push(c);
  return c;
}

async function wire(url: string, localAddress?: string): Promise<WireConnection> {
  const w = await WireConnection.open(url, { localAddress });
  open.push(w);
  return w;
}

/** The victim: a registered primary with a linked laptop. */
async function victim(url: string): Promise<{ owner: DeviceClient; laptop: DeviceClient }> {
  const owner = phone(url, 'owner');
  expect(await owner.register(PHONE, { idCheck: false })).toEqual({ ok: true });
  const laptop = new DeviceClient({ url, role: 'companion', name: 'laptop', platform: 'web', profile: DEFAULT_PROFILE });
  open.push(laptop);
  await laptop.connect();
  expect(await laptop.startQr(PHONE)).toEqual({ ok: true });
  for (let i = 0; i < 200 && laptop.qrText() === null; i++) await new Promise((r) => setTimeout(r, 5));
  expect(await owner.scanQr(laptop.qrText()!, 'pass')).toEqual({ ok: true });
  for (let i = 0; i < 200 && (laptop.status !== 'linked' || !server!.quiescence().quiet); i++) await new Promise((r) => setTimeout(r, 5));
  return { owner, laptop };
}

function devicesOf(phoneNumber: string) {
  return server!.inspect().accounts.find((a) => a.phone === phoneNumber)!.devices.map((d) => ({ name: d.name, status: d.status }));
}

describe('LIFE-03: proof of owning the number', () => {
  it('a stranger re-registering without the code is refused NUMBER_NOT_VERIFIED and nothing changes', async () => {
    const url = await start();
    const { owner } = await victim(url);
    const before = server!.inspect();
    const thief = phone(url, 'thief', false);
    expect(await thief.register(PHONE, { idCheck: false, replace: true, proof: { kind: 'none' } })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    const guesser = phone(url, 'guesser', false);
    expect(await guesser.register(PHONE, { idCheck: false, replace: true, proof: { kind: 'guess', code: '123456' } })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(server!.inspect().accounts).toEqual(before.accounts);
    expect(devicesOf(PHONE)).toEqual([{ name: 'owner', status: 'linked' }, { name: 'laptop', status: 'linked' }]);
    // The owner's key still authenticates.
    await owner.dropConnection();
    expect(await owner.connect()).toEqual({ ok: true });
  });

  it('the first registration needs the code too', async () => {
    const url = await start();
    expect(await phone(url, 'p', false).register(PHONE, { idCheck: false })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(server!.inspect().accounts).toEqual([]);
    expect(await phone(url, 'q').register(PHONE, { idCheck: false })).toEqual({ ok: true });
  });

  it('the owner with the code re-registers (LIFE-01 as before)', async () => {
    const url = await start();
    await victim(url);
    expect(await phone(url, 'new phone').register(PHONE, { idCheck: false, replace: true })).toEqual({ ok: true });
    expect(devicesOf(PHONE)).toEqual([
      { name: 'owner', status: 'signed-out' }, { name: 'laptop', status: 'signed-out' }, { name: 'new phone', status: 'linked' },
    ]);
  });

  it('a code is burned after 5 wrong guesses: even the right one is refused then', async () => {
    const url = await start();
    const w = await wire(url);
    expect(await w.request('verify.request', { phone: PHONE })).toEqual({ ok: true, value: {} });
    const code = server!.verificationCode(PHONE)!;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect(await w.request('verify.confirm', { phone: PHONE, code: wrong })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(await w.request('verify.confirm', { phone: PHONE, code })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
  });

  it('codes per number from one address are rate-limited; a second request from the same address re-sends the code instead of replacing it', async () => {
    const url = await start({ limits: { verificationSendsPerWindow: 3 } });
    const owner = await wire(url);
    const stranger = await wire(url);
    expect(await owner.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    const code = server!.verificationCode(PHONE);
    expect(await stranger.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    expect(server!.verificationCode(PHONE)).toBe(code);
    expect(await stranger.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    expect(await stranger.request('verify.request', { phone: PHONE })).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    // Another number is not affected.
    expect(await stranger.request('verify.request', { phone: '+15550009999' })).toMatchObject({ ok: true });
    expect(await owner.request('verify.confirm', { phone: PHONE, code })).toMatchObject({ ok: true });
  });

  it('a code expires after its lifetime (virtual time)', async () => {
    const clock = new VirtualClock(0);
    const url = await start({ clock });
    const w = await wire(url);
    await w.request('verify.request', { phone: PHONE });
    const code = server!.verificationCode(PHONE);
    server!.advance(VERIFICATION_CODE_TTL_MS);
    expect(await w.request('verify.confirm', { phone: PHONE, code })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
  });

  it('the proof belongs to the connection that confirmed it', async () => {
    const url = await start();
    const confirmer = await wire(url);
    await confirmer.request('verify.request', { phone: PHONE });
    expect(await confirmer.request('verify.confirm', { phone: PHONE, code: server!.verificationCode(PHONE) })).toMatchObject({ ok: true });
    // A different connection (the thief's) registering right after gets nothing from it.
    expect(await phone(url, 'thief', false).register(PHONE, { idCheck: false, proof: { kind: 'none' } })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
  });

  it('transfer: the current primary\'s signature over the new key is proof; a forged one is not', async () => {
    const url = await start();
    const { owner } = await victim(url);
    const version = server!.inspect().accounts[0]!.version;
    const thief = phone(url, 'thief', false);
    const forged = phone(url, 'forger', false);
    // Signed by someone who is not the primary (the thief signs for itself).
    await forged.connect();
    const selfSigned = new DeviceClient({ url, role: 'primary', name: 'x', platform: 'phone', profile: DEFAULT_PROFILE });
    selfSigned.phone = PHONE;
    expect(await thief.register(PHONE, { idCheck: false, replace: true, proof: { kind: 'transfer', signature: selfSigned.transferSignature(thief.identityKey), version } })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    // The owner's signature over ANOTHER key does not transfer to the thief.
    expect(await thief.register(PHONE, { idCheck: false, replace: true, proof: { kind: 'transfer', signature: owner.transferSignature(forged.identityKey), version } })).toEqual({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    const next = phone(url, 'next phone', false);
    expect(await next.register(PHONE, { idCheck: false, replace: true, proof: { kind: 'transfer', signature: owner.transferSignature(next.identityKey), version } })).toEqual({ ok: true });
  });
});

/** Red team F4: verification codes cost money and reach people; the per-number budget alone let one connection text 300 numbers in 0.1 s. */
describe('verification send budgets (issue 10, F4)', () => {
  const number = (i: number) => `+1555002${String(i).padStart(4, '0')}`;

  it('one connection gets 3 codes per window, to any numbers; the 4th is refused naming the budget', async () => {
    const url = await start();
    const w = await wire(url);
    for (let i = 0; i < 3; i++) expect(await w.request('verify.request', { phone: number(i) })).toMatchObject({ ok: true });
    expect(await w.request('verify.request', { phone: number(3) })).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('per connection') });
    expect(server!.verificationCode(number(3))).toBeNull();
    // A fresh connection (same address) has its own budget.
    expect(await (await wire(url)).request('verify.request', { phone: number(3) })).toMatchObject({ ok: true });
  });

  it('one remote address gets verificationSendsPerAddress codes per window over all its connections; another address is not affected', async () => {
    const url = await start({ limits: { verificationSendsPerAddress: 4 } });
    let sent = 0;
    for (let c = 0; c < 2; c++) {
      const w = await wire(url, '127.0.0.2');
      for (let i = 0; i < 2; i++) expect(await w.request('verify.request', { phone: number(sent++) })).toMatchObject({ ok: true });
    }
    const fresh = await wire(url, '127.0.0.2');
    expect(await fresh.request('verify.request', { phone: number(sent) })).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('per remote address') });
    expect(await (await wire(url, '127.0.0.3')).request('verify.request', { phone: number(sent) })).toMatchObject({ ok: true });
  });

  it('the server sends at most verificationSendsPerMinute codes a minute, whatever the addresses', async () => {
    const url = await start({ limits: { verificationSendsPerMinute: 5 } });
    for (let i = 0; i < 5; i++) expect(await (await wire(url, `127.0.0.${10 + i}`)).request('verify.request', { phone: number(i) })).toMatchObject({ ok: true });
    expect(await (await wire(url, '127.0.0.20')).request('verify.request', { phone: number(5) })).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('per minute') });
  });

  it('test control lifts the send budgets (the harness registers from one address, often)', async () => {
    const url = await start({ testControl: true });
    const w = await wire(url);
    for (let i = 0; i < 10; i++) expect(await w.request('verify.request', { phone: number(i) })).toMatchObject({ ok: true });
  });
});

/** Red team F5: a stranger's 5 requests and 5 wrong guesses used to lock the owner out of the number for an hour. */
describe('a stranger cannot lock the owner out of verification (issue 10, F5)', () => {
  it('after a stranger spends its budget and burns its code from another address, the owner still gets and confirms a code, and registers', async () => {
    const url = await start();
    // The stranger at 127.0.0.2: 5 requests (two connections: 3 per connection), the 6th refused.
    const first = await wire(url, '127.0.0.2');
    const second = await wire(url, '127.0.0.2');
    for (let i = 0; i < 3; i++) expect(await first.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) expect(await second.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    expect(await second.request('verify.request', { phone: PHONE })).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('per number from one remote address') });
    // ...and 5 wrong guesses (it never sees the SMS; the test makes sure each guess is wrong).
    const strangers = server!.verificationCode(PHONE)!;
    const wrong = String((Number(strangers) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect(await second.request('verify.confirm', { phone: PHONE, code: wrong })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    // The owner (a DeviceClient from 127.0.0.1) requests, reads the SMS, confirms and registers.
    expect(await phone(url, 'owner').register(PHONE, { idCheck: false })).toEqual({ ok: true });
  });

  it('a code works only from the address that requested it; guesses from elsewhere do not burn it', async () => {
    const url = await start();
    const owner = await wire(url, '127.0.0.3');
    expect(await owner.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    const code = server!.verificationCode(PHONE)!;
    const stranger = await wire(url, '127.0.0.4');
    // Without a code of its own the stranger cannot even guess; with one, its guesses burn only its own.
    expect(await stranger.request('verify.confirm', { phone: PHONE, code })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(await stranger.request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    // A guess that is neither the owner's code nor the stranger's (the latest SMS).
    const wrong = ['000000', '000001', '000002'].find((c) => c !== code && c !== server!.verificationCode(PHONE))!;
    for (let i = 0; i < 5; i++) expect(await stranger.request('verify.confirm', { phone: PHONE, code: wrong })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(await owner.request('verify.confirm', { phone: PHONE, code })).toMatchObject({ ok: true });
  });

  it('a number gets at most verificationSendsPerNumber codes from all addresses (no SMS flood)', async () => {
    const url = await start({ limits: { verificationSendsPerNumber: 3 } });
    for (let i = 0; i < 3; i++) expect(await (await wire(url, `127.0.0.${30 + i}`)).request('verify.request', { phone: PHONE })).toMatchObject({ ok: true });
    expect(await (await wire(url, '127.0.0.40')).request('verify.request', { phone: PHONE })).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('per number per') });
  });
});
