/**
 * The worked example is conformant: the harness's own property walks (conformance/propertySuite)
 * find no difference from the model, in process and through the remote driver protocol - the
 * wire adds nothing and loses nothing. And a few events.ts rules pinned by hand, so a regression
 * reads as a rule, not as a shrunk walk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runPropertySuite } from '../../conformance/propertySuite.js';
import { createOracle } from '../../model/createOracle.js';
import { DAY_MS, DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE } from '../../model/profile.js';
import { serveDriver } from '../remote/driverServer.js';
import { createRemoteAdapter } from '../remote/remoteAdapter.js';
import { createInMemoryAdapter } from './inMemoryAdapter.js';
import { InMemoryWorld } from './inMemoryWorld.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe('the in-memory example against the model', () => {
  it.each([DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE])('passes property walks in process ($name)', async (profile) => {
    const outcome = await runPropertySuite({ adapter: createInMemoryAdapter(), profile, createOracle, seed: 20_261_125, runs: 40 });
    expect(outcome.status === 'fail' ? outcome.failure : outcome.status).toBe('pass');
  }, 60_000);

  it('passes the same walks through the remote driver protocol', async () => {
    const server = await serveDriver(createInMemoryAdapter(), { port: 0 });
    cleanups.push(() => server.close());
    const remote = await createRemoteAdapter(server.url, { timeoutMs: 10_000 });
    cleanups.push(async () => remote.dispose?.());
    const outcome = await runPropertySuite({ adapter: remote, profile: DEFAULT_PROFILE, createOracle, seed: 7, runs: 15 });
    expect(outcome.status === 'fail' ? outcome.failure : outcome.status).toBe('pass');
  }, 60_000);
});

describe('the in-memory example, rule by rule', () => {
  const web = { name: 'A.c1', platform: 'web' };

  it('rotates QR references: the first is refused as expired once the second is shown (PAIR-04)', () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    world.startQr('A.c1', web);
    const first = world.qrText('A.c1');
    world.advance(DEFAULT_PROFILE.qr.firstRefMs);
    const second = world.qrText('A.c1');
    expect(first.ok && second.ok && first.value !== second.value).toBe(true);
    expect(world.scanQr('A.primary', first.ok ? first.value : '', 'pass')).toEqual({ ok: false, code: 'QR_EXPIRED' });
    expect(world.scanQr('A.primary', second.ok ? second.value : '', 'pass')).toEqual({ ok: true });
  });

  it('refuses a tampered key after checking use and expiry, and an unknown reference before (PAIR-07, PAIR-03)', () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    world.startQr('A.c1', web);
    const text = world.qrText('A.c1');
    const fields = text.ok ? text.value.split(',') : [];
    expect(world.scanQr('A.primary', ['x' + fields[0], ...fields.slice(1)].join(','), 'pass')).toEqual({ ok: false, code: 'QR_INVALID' });
    expect(world.scanQr('A.primary', [...fields.slice(0, 2), 'AAAA', ...fields.slice(3)].join(','), 'pass')).toEqual({ ok: false, code: 'QR_INVALID' });
    world.cancelLinking('A.c1');
    expect(world.scanQr('A.primary', [...fields.slice(0, 2), 'AAAA', ...fields.slice(3)].join(','), 'pass')).toEqual({ ok: false, code: 'QR_USED' });
  });

  it('exhausts a pairing code after the allowed wrong entries, and the holder goes idle (PAIR-06)', () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    const code = world.requestCode('A.c1', web);
    for (let i = 0; i < DEFAULT_PROFILE.pairingCode.maxAttempts; i++) {
      expect(world.enterCode('A.primary', 'A.c1', 'WRONGWRO', 'pass')).toEqual({ ok: false, code: 'CODE_INVALID' });
    }
    expect(world.enterCode('A.primary', 'A.c1', code.ok ? code.value : '', 'pass')).toEqual({ ok: false, code: 'ATTEMPTS_EXHAUSTED' });
    expect(world.observe().A.devices['A.c1']?.status).toBe('idle');
  });

  it("keeps each companion's own code: a second request for the same number cancels nothing (PAIR-06)", () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    const victim = world.requestCode('A.c1', web);
    const stranger = world.requestCode('A.c2', web);
    expect(world.observe().A.devices['A.c1']?.status).toBe('linking');
    expect(world.enterCode('A.primary', 'A.c1', stranger.ok ? stranger.value : '', 'pass')).toEqual(
      victim.ok && stranger.ok && victim.value === stranger.value ? { ok: true } : { ok: false, code: 'CODE_INVALID' });
    expect(world.enterCode('A.primary', 'A.c1', victim.ok ? victim.value : '', 'pass')).toEqual({ ok: true });
    expect(world.observe().A.devices['A.c2']?.status).toBe('linking');
  });

  it('signs companions out at exactly 14 days of primary dormancy, not 1 ms before (EXP-01)', () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    world.startQr('A.c1', web);
    const text = world.qrText('A.c1');
    world.scanQr('A.primary', text.ok ? text.value : '', 'pass');
    world.setOnline('A.primary', false);
    world.advance(14 * DAY_MS - 1);
    expect(world.observe().A.devices['A.c1']?.status).toBe('linked');
    world.advance(1);
    expect(world.observe().A.devices['A.c1']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
  });

  it('delivers what was sent to an offline companion on reconnect, in order (OFF-02)', () => {
    const world = new InMemoryWorld(DEFAULT_PROFILE);
    world.register('A', false);
    world.register('B', false);
    world.startQr('A.c1', web);
    const text = world.qrText('A.c1');
    world.scanQr('A.primary', text.ok ? text.value : '', 'pass');
    world.setOnline('A.c1', false);
    world.send('B.primary', 'm1');
    world.send('B.primary', 'm2');
    expect(world.observe().A.devices['A.c1']?.messages).toEqual([]);
    world.setOnline('A.c1', true);
    expect(world.observe().A.devices['A.c1']?.messages).toEqual(['m1', 'm2']);
  });
});
