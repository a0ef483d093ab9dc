/**
 * `reference-ws`: the same driver against a server at a URL, through the test-control extension
 * only (a server started here, and `linkspec serve --test-control` as a child process); plus the
 * quiescence bound and restart on SQLite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../../reference/client/device.js';
import { decodeQrPng } from '../../reference/qr/scan.js';
import { ReferenceServer } from '../../reference/server/server.js';
import { SqliteStorage } from '../../reference/storage/sqlite.js';
import { createReferenceAdapter, type ReferenceDriver } from './index.js';

const stops: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const s of stops.splice(0).reverse()) await s(); });

async function story(d: ReferenceDriver) {
  expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
  expect(await d.register('B', { idCheck: false })).toEqual({ ok: true });
  await d.startQrLinking('A.c1', { name: 'A.c1', platform: 'web' });
  const png = await d.qrImage('A.c1');
  expect(await d.scanQr('A.primary', png.ok ? decodeQrPng(png.value)! : '', 'pass')).toEqual({ ok: true });
  await d.setOnline('A.primary', false);
  expect(await d.send('A.c1', 'm1')).toEqual({ ok: true });
  await d.advanceClock(SIGNAL_LIKE_PROFILE.primaryDormancyMs);
  return d.observe();
}

describe('reference-ws', () => {
  it('drives a server at a URL through test control, under another profile', async () => {
    const server = new ReferenceServer({ testControl: true });
    const url = await server.start();
    stops.push(() => server.stop());
    const adapter = createReferenceAdapter({ url });
    expect(adapter.name).toBe('reference-ws');
    expect(adapter.capabilities.has('restart')).toBe(false);
    const d = (await adapter.open(SIGNAL_LIKE_PROFILE)) as ReferenceDriver;
    stops.push(() => d.close());
    const seen = await story(d);
    expect(seen.A.devices['A.c1']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
    expect(seen.B.devices['B.primary']?.messages).toEqual(['m1']);
    await expect(d.restart()).rejects.toThrow(/only available in-process/);
  });

  it('refuses to open against a server without test control', async () => {
    const server = new ReferenceServer();
    const url = await server.start();
    stops.push(() => server.stop());
    await expect(createReferenceAdapter({ url }).open(DEFAULT_PROFILE)).rejects.toThrow(/test-control/);
  });

  it('drives `linkspec serve --test-control` as a separate process', async () => {
    const child = spawn(process.execPath, ['bin/linkspec.mjs', 'serve', '--port', '0', '--db', ':memory:', '--test-control'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => { out += chunk; const m = /ws:\/\/[\d.]+:\d+/.exec(out); if (m) resolve(m[0]); });
      child.once('exit', () => reject(new Error(`serve exited: ${out}`)));
    });
    const d = (await createReferenceAdapter({ url }).open(DEFAULT_PROFILE)) as ReferenceDriver;
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    expect((await d.observe()).A.registered).toBe(true);
    await d.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);
});

describe('quiescence and restart', () => {
  it('observe() fails clearly when deliveries never settle', async () => {
    const d = (await createReferenceAdapter().open(DEFAULT_PROFILE)) as ReferenceDriver;
    stops.push(() => d.close());
    await d.register('A', { idCheck: false });
    Object.defineProperty(d.client('A.primary')!, 'busy', { get: () => true });
    d.quiescenceTimeoutMs = 50;
    await expect(d.observe()).rejects.toThrow(/did not settle within 50 ms.*A\.primary/);
  });

  it('a server on a SQLite file restarts without losing a queued message or the clock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkspec-ref-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'ref.db');
    let storage = new SqliteStorage(file);
    let server = new ReferenceServer({ storage });
    const url = await server.start();
    const mk = (role: 'primary', name: string) => new DeviceClient({ url, role, name, platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server.verificationCode(p) });
    const alice = mk('primary', 'alice');
    const bob = mk('primary', 'bob');
    await alice.register('+1', { idCheck: false });
    await bob.register('+2', { idCheck: false });
    await alice.disconnect();
    expect(await bob.send('+1', 'while-away')).toEqual({ ok: true });
    server.advance(DAY_MS);
    await bob.close();
    await server.stop();
    storage.close();

    storage = new SqliteStorage(file);
    server = new ReferenceServer({ storage, port: Number(new URL(url).port) });
    await server.start();
    stops.push(async () => { await alice.close(); await server.stop(); storage.close(); });
    expect(server.now).toBe(DAY_MS);
    await alice.connect();
    for (let i = 0; i < 200 && alice.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(alice.messages).toEqual(['while-away']);
  });
});
