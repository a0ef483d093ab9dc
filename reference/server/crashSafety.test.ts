/**
 * Crash safety of the reference server on SQLite (issue 6; OFF-02, LIFE-02, E2E-02): `linkspec
 * serve --db FILE --test-control` runs in a child process, reference clients link and message
 * through it, and the child is killed with SIGKILL at seeded points (between operations or with
 * one in flight), then restarted on the same file. After the last restart:
 * - nothing acknowledged is lost: every message whose `send` was answered ok reaches its
 *   recipients (the other account's primary, the sender's companion), in send order;
 * - nothing delivered twice: no delivery seq reaches a device twice within one server lifetime,
 *   and no message id is held twice;
 * - device lists intact: both accounts' lists verify (primary signatures, versions that only
 *   grow, ADV signatures) and hold every acknowledged link, and only those plus the one in flight.
 * The seed is printed on failure; rerun with CRASH_SEED=<seed>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { codeFromTestControl } from '../client/verificationCodes.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { linkByQr } from '../../fuzz/canary.js';

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = 6;
const ROOT = new URL('../../', import.meta.url).pathname;

/** mulberry32: a small seeded PRNG, so the kill points replay from the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serve(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/linkspec.mjs', 'serve', '--db', db, '--test-control', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const url = /ws:\/\/[\d.]+:\d+/.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${out}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Count raw deliveries per server lifetime: a seq delivered twice in one lifetime is a duplicate. */
function watchDeliveries(c: DeviceClient, epoch: () => number, duplicates: string[]): void {
  const seen = new Set<string>();
  const target = c as unknown as { onPush(frame: { type: string; seq?: number }): void };
  const original = target.onPush.bind(c);
  target.onPush = (frame) => {
    if (frame.type === 'deliver') {
      const key = `${epoch()}:${frame.seq}`;
      if (seen.has(key)) duplicates.push(`${c.name} seq ${frame.seq} in server lifetime ${epoch()}`);
      seen.add(key);
    }
    original(frame);
  };
}

const dir = mkdtempSync(join(tmpdir(), 'linkspec-crash-'));
let child: ChildProcess | undefined;
const clients: DeviceClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  if (child) await kill(child);
  rmSync(dir, { recursive: true, force: true });
});

describe(`crash safety (kill -9, SQLite; CRASH_SEED=${SEED})`, () => {
  it(`keeps every acknowledged message and link across ${KILLS} kills`, async () => {
    const random = prng(SEED);
    const db = join(dir, 'crash.db');
    let epoch = 0;
    const duplicates: string[] = [];
    const device = (role: 'primary' | 'companion', name: string, url: string) => {
      const c: DeviceClient = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => codeFromTestControl(c.url, phone) });
      watchDeliveries(c, () => epoch, duplicates);
      clients.push(c);
      return c;
    };
    let started = await serve(db);
    child = started.child;
    const a = device('primary', 'A phone', started.url);
    const b = device('primary', 'B phone', started.url);
    const aLaptop = device('companion', 'A laptop', started.url);
    expect(await a.register('+1001', { idCheck: false })).toEqual({ ok: true });
    expect(await b.register('+1002', { idCheck: false })).toEqual({ ok: true });
    await aLaptop.connect();
    await linkByQr(a, aLaptop);

    const acked = { aToB: [] as string[], bToA: [] as string[] };
    const bCompanions: DeviceClient[] = [];
    const linkedB = new Set<string>();
    const maybeB = new Set<string>();
    const log: string[] = [];
    let n = 0;

    const operation = async (): Promise<void> => {
      const pick = random();
      if (pick < 0.4) {
        const id = `a2b-${++n}`;
        if ((await a.send('+1002', id)).ok) acked.aToB.push(id);
      } else if (pick < 0.8) {
        const id = `b2a-${++n}`;
        if ((await b.send('+1001', id)).ok) acked.bToA.push(id);
      } else if (bCompanions.filter((c) => c.status === 'linked').length < 2) {
        const laptop = device('companion', `B laptop ${++n}`, started.url);
        bCompanions.push(laptop);
        await laptop.connect();
        maybeB.add(laptop.identityKey);
        await linkByQr(b, laptop);
        linkedB.add(laptop.identityKey);
      } else {
        const target = bCompanions.find((c) => c.status === 'linked')!;
        // Until answered, the unlink may or may not have happened.
        linkedB.delete(target.identityKey);
        maybeB.add(target.identityKey);
        const r = await b.unlink(target.deviceId!);
        if (r.ok) maybeB.delete(target.identityKey);
        else linkedB.add(target.identityKey);
      }
    };

    for (let kill9 = 1; kill9 <= KILLS; kill9++) {
      const ops = 1 + Math.floor(random() * 6);
      for (let i = 0; i < ops; i++) await operation();
      // Half the kills land while an operation is in flight, after 0-9 ms.
      const inFlight = random() < 0.5 ? operation().catch(() => undefined) : undefined;
      if (inFlight) await new Promise((r) => setTimeout(r, Math.floor(random() * 10)));
      log.push(`kill ${kill9} after ${ops} ops${inFlight ? ' with one in flight' : ''}`);
      await kill(child);
      await inFlight;
      epoch++;
      started = await serve(db);
      child = started.child;
      for (const c of clients) {
        await c.dropConnection();
        c.url = started.url;
        if (c.status === 'linked') await c.connect();
      }
    }

    const context = `seed ${SEED}: ${log.join('; ')}`;
    // Nothing acknowledged is lost, in order per conversation (OFF-02, E2E-02).
    await until(`every acknowledged message delivered (${context})`, () =>
      acked.aToB.every((id) => b.messages.includes(id) && aLaptop.messages.includes(id)) && acked.bToA.every((id) => a.messages.includes(id) && aLaptop.messages.includes(id)));
    const order = (held: string[], sent: string[]) => held.filter((id) => sent.includes(id));
    expect(order(b.messages, acked.aToB), context).toEqual(acked.aToB);
    expect(order(a.messages, acked.bToA), context).toEqual(acked.bToA);
    // Nothing delivered twice.
    expect(duplicates, context).toEqual([]);
    for (const c of [a, b, aLaptop]) expect(new Set(c.messages).size, context).toBe(c.messages.length);
    // Device lists intact: they verify, and hold exactly the acknowledged links (plus one in flight).
    const aList = await b.trustedDevices('+1001');
    expect(aList.ok && aList.value.map((d) => d.id).sort(), context).toEqual([a.deviceId, aLaptop.deviceId].sort());
    const bList = await a.trustedDevices('+1002');
    expect(bList.ok, context).toBe(true);
    const bIds = new Set(bList.ok ? bList.value.map((d) => d.id) : []);
    expect(bIds.has(b.deviceId!), context).toBe(true);
    for (const id of linkedB) expect(bIds.has(id), `${context}: acknowledged link ${id} lost`).toBe(true);
    for (const id of bIds) if (id !== b.deviceId) expect(linkedB.has(id) || maybeB.has(id), `${context}: ${id} appeared`).toBe(true);
    expect(acked.aToB.length + acked.bToA.length, context).toBeGreaterThan(0);
  }, 180_000);
});
