/**
 * Issue 10: the server keeps real time across restarts (downtime counts toward every window),
 * and a full disk refuses writes with STORAGE_FULL instead of crashing the tick or the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../model/profile.js';
import { WireConnection } from '../client/wire.js';
import { MemoryStorage } from '../storage/memory.js';
import { ReferenceServer } from './server.js';
import { tickToWallClock } from './wallClock.js';

let server: ReferenceServer | undefined;
afterEach(async () => { await server?.stop(); server = undefined; });

class FullDisk extends MemoryStorage {
  full = false;
  private refuse(): void { if (this.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }); }
  override setMeta(key: string, value: string): void { this.refuse(); super.setMeta(key, value); }
}

describe('wall clock across restarts', () => {
  it('downtime counts: a server started again 15 days later is at +15 days at its first tick', () => {
    const storage = new MemoryStorage();
    const t0 = 1_700_000_000_000;
    const first = new ReferenceServer({ storage });
    expect(tickToWallClock(first, storage, t0)).toBeUndefined();
    expect(tickToWallClock(first, storage, t0 + 60_000)).toBeUndefined();
    expect(first.now).toBe(60_000);
    // Down for 15 days; the new server reads the stored clock, the tick adds the downtime.
    const second = new ReferenceServer({ storage });
    expect(second.now).toBe(60_000);
    expect(tickToWallClock(second, storage, t0 + 60_000 + 15 * DAY_MS)).toBeUndefined();
    expect(second.now).toBe(60_000 + 15 * DAY_MS);
  });
});

describe('a full disk (STORAGE_FULL)', () => {
  it('the tick reports the failure instead of throwing, and catches up once there is room', () => {
    const storage = new FullDisk();
    const s = new ReferenceServer({ storage });
    expect(tickToWallClock(s, storage, 1_000)).toBeUndefined();
    storage.full = true;
    expect(tickToWallClock(s, storage, 5_000)).toMatchObject({ code: 'SQLITE_FULL' });
    storage.full = false;
    expect(tickToWallClock(s, storage, 9_000)).toBeUndefined();
    expect(s.now).toBe(8_000);
  });

  it('a request whose write does not fit is answered STORAGE_FULL and the server keeps serving', async () => {
    const storage = new FullDisk();
    server = new ReferenceServer({ storage, testControl: true });
    const w = await WireConnection.open(await server.start());
    try {
      storage.full = true;
      expect(await w.request('tc.advance', { ms: 1 })).toMatchObject({ ok: false, code: 'STORAGE_FULL' });
      storage.full = false;
      expect(await w.request('tc.advance', { ms: 1 })).toMatchObject({ ok: true });
    } finally {
      await w.close();
    }
  });
});
