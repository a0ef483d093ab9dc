/**
 * The deadline tick (deadlines.ts; issue 10, EXP-01/04, PAIR-04/06): it reads the store's
 * deadline index, so a tick with nothing due reads no account and no device, however many the
 * store holds (it used to walk every account: 0.78 s per tick at 10,000 accounts). And the
 * deadlines it does reach behave as before: at the exact millisecond, earliest first.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { MemoryStorage } from '../storage/memory.js';
import { SqliteStorage } from '../storage/sqlite.js';
import type { DeviceRecord, Storage } from '../storage/storage.js';
import { ReferenceServer } from './server.js';

const DAY = 86_400_000;

/** The store, with a count of every call to each method. */
function counted(storage: Storage): { storage: Storage; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(storage, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage: proxy, calls };
}

const device = (id: string, phone: string, over: Partial<DeviceRecord>): DeviceRecord => ({
  id, phone, role: 'companion', identityKey: id, boxKey: 'b', boxKeySignature: 's', name: id, platform: 'web',
  status: 'linked', linkedAt: 0, offlineSince: null, injected: false, ...over,
});

/** An account whose primary went offline at `primaryOff` and whose companion at `companionOff`. */
function account(s: Storage, n: number, primaryOff: number | null, companionOff: number | null): void {
  const phone = `+${n}`;
  s.putDevice(device(`P${n}`, phone, { role: 'primary', offlineSince: primaryOff }));
  s.putDevice(device(`C${n}`, phone, { offlineSince: companionOff }));
  s.putAccount({ phone, registered: true, primaryDeviceId: `P${n}`, primaryIdentityKey: `P${n}`, registrations: 1 });
  const list = { version: 2, devices: [{ id: `P${n}`, identityKey: `P${n}` }, { id: `C${n}`, identityKey: `C${n}` }], signature: 'sig' };
  s.putDeviceList({ phone, ...list, lastSigned: list });
}

const STORES: [string, () => Storage][] = [
  ['MemoryStorage', () => new MemoryStorage()],
  ['SqliteStorage', () => new SqliteStorage(':memory:')],
];

describe.each(STORES)('the deadline tick on %s', (_name, make) => {
  it('reads no account and no device when nothing is due, however many accounts there are', () => {
    const { storage, calls } = counted(make());
    for (let n = 0; n < 300; n++) account(storage, n, 0, 0);
    const server = new ReferenceServer({ storage });
    calls.clear();
    server.advance(1_000);
    server.advance(DAY);
    expect(calls.get('listAccounts') ?? 0).toBe(0);
    expect(calls.get('getDevice') ?? 0).toBe(0);
    expect(calls.get('listDevices') ?? 0).toBe(0);
    storage.close();
  });

  it('reads the index once per advance, however many deadlines fall in it (a burst after downtime)', () => {
    const { storage, calls } = counted(make());
    for (let n = 0; n < 40; n++) account(storage, n, null, n); // 40 companions idle at 30 days + n ms
    const server = new ReferenceServer({ storage });
    calls.clear();
    server.advance(DEFAULT_PROFILE.companionIdleMs + 100);
    expect(storage.listDevices('+39').map((d) => d.status)).toEqual(['linked', 'signed-out']);
    expect(storage.getDeviceList('+0')?.version).toBe(3);
    expect(calls.get('dueDeadlines')).toBe(4); // dormancy, idle, code, qr: once each, not once per deadline
    storage.close();
  });

  it('signs companions out at the exact deadline, dormancy before idleness at the same instant', () => {
    const storage = make();
    const { primaryDormancyMs: dormancy, companionIdleMs: idle } = DEFAULT_PROFILE;
    // The clock starts at `idle`. +1: primary offline now, companion offline since `dormancy`, so
    // both its dormancy and the companion's idleness fall at idle + dormancy: dormancy wins.
    // +2: primary online, companion offline now: idle at 2 * idle.
    storage.setMeta('clock', String(idle));
    account(storage, 1, idle, dormancy);
    account(storage, 2, null, idle);
    const server = new ReferenceServer({ storage });
    // A boot stamps a primary found 'online' as offline since the boot (nobody is connected to a
    // new server); this one is connected again at once.
    storage.putDevice({ ...storage.getDevice('P2')!, offlineSince: null });
    server.advance(dormancy - 1);
    expect(storage.getDevice('C1')?.status).toBe('linked');
    server.advance(1);
    expect(storage.getDevice('C1')).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
    expect(storage.getDeviceList('+1')?.version).toBe(3);
    expect(storage.getDevice('C2')?.status).toBe('linked');
    server.advance(idle - dormancy - 1);
    expect(storage.getDevice('C2')?.status).toBe('linked');
    server.advance(1);
    expect(storage.getDevice('C2')).toMatchObject({ status: 'signed-out', signOutReason: 'idle' });
    expect(server.now).toBe(2 * idle);
    storage.close();
  });
});
