/**
 * The Storage contract (storage.ts), one set of cases run against every implementation:
 * MemoryStorage, SqliteStorage in memory and SqliteStorage on a file. Then a differential
 * property: random operation sequences give identical answers from memory and SQLite.
 * Serves RESTART and the requirements storage.ts lists (PAIR-03/04/06, LIMIT-01/02, LIFE-02,
 * OFF-02, E2E-03, EXP-01/04).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { SERVICE_URLS } from '../../adapters/cluster/services.js';
import { MemoryStorage } from './memory.js';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type {
  AccountRecord, DeviceListRecord, DeviceRecord, PairingCodeRecord, QrAttemptRecord, QrRefRecord, Storage,
} from './storage.js';

const dir = mkdtempSync(join(tmpdir(), 'linkspec-storage-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IMPLEMENTATIONS: [string, () => Storage][] = [
  ['MemoryStorage', () => new MemoryStorage()],
  ['SqliteStorage(:memory:)', () => new SqliteStorage(':memory:')],
  ['SqliteStorage(file)', () => new SqliteStorage(join(dir, `contract-${files++}.db`))],
  // The cluster's store, in a fresh schema per case (dropped on close), when PostgreSQL answers.
  ...(inject('clusterServices') ? [['PostgresStorage', () => freshPostgres()] as [string, () => Storage]] : []),
];

function freshPostgres(): Storage {
  const store = new PostgresStorage(SERVICE_URLS.postgres, { schema: `lsct_${process.pid}_${files++}` });
  const close = store.close.bind(store);
  store.close = () => { store.dropSchema(); close(); };
  return store;
}

const account = (phone: string, over: Partial<AccountRecord> = {}): AccountRecord => ({
  phone, registered: true, primaryDeviceId: `P-${phone}`, primaryIdentityKey: 'AAAA', registrations: 1, ...over,
});

const device = (id: string, phone: string, over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id, phone, role: 'companion', identityKey: id, boxKey: `box-${id}`, boxKeySignature: `sig-${id}`,
  name: `name ${id}`, platform: 'web', status: 'linked', linkedAt: 10, offlineSince: null, injected: false, ...over,
});

const attempt = (attemptId: string, companionId: string, state: QrAttemptRecord['state'] = 'active'): QrAttemptRecord => ({
  attemptId, companionId, startedAt: 5, state,
});

const qrRef = (ref: string, attemptId: string, index: number): QrRefRecord => ({
  ref, attemptId, index, fromMs: index * 20, untilMs: index * 20 + 20, used: false,
});

const code = (codeId: string, phone: string, over: Partial<PairingCodeRecord> = {}): PairingCodeRecord => ({
  codeId, phone, wrapped: 'QUJDREVGR0g=', companionId: 'C1', issuedAt: 1, expiresAt: 180_001, attempts: 0, state: 'active', ...over,
});

describe.each(IMPLEMENTATIONS)('Storage contract: %s', (_name, make) => {
  let s: Storage;
  beforeEach(() => { s = make(); });
  afterEach(() => s.close());

  describe('accounts', () => {
    it('answers undefined / [] when empty', () => {
      expect(s.getAccount('+1')).toBeUndefined();
      expect(s.listAccounts()).toEqual([]);
    });
    it('upserts by phone and lists every account', () => {
      s.putAccount(account('+1'));
      s.putAccount(account('+2', { registered: false, primaryDeviceId: null, primaryIdentityKey: null, registrations: 0 }));
      s.putAccount(account('+1', { registrations: 2 }));
      expect(s.getAccount('+1')).toEqual(account('+1', { registrations: 2 }));
      expect(s.getAccount('+2')?.primaryDeviceId).toBeNull();
      expect(s.listAccounts().map((a) => a.phone).sort()).toEqual(['+1', '+2']);
    });
    it('hands out copies: mutating what came in or out changes nothing stored', () => {
      const a = account('+1') as { registrations: number } & AccountRecord;
      s.putAccount(a);
      a.registrations = 99;
      const out = s.getAccount('+1') as { registrations: number } & AccountRecord;
      out.registrations = 77;
      (s.listAccounts()[0] as { registrations: number }).registrations = 55;
      expect(s.getAccount('+1')?.registrations).toBe(1);
    });
  });

  describe('devices', () => {
    it('round-trips optional fields exactly (present and absent)', () => {
      const linked = device('C1', '+1', { link: { details: 'ZA==', accountSignature: 'YQ==', deviceSignature: 'Yg==' } });
      const out = device('C2', '+1', { status: 'signed-out', signOutReason: 'primary-dormant', offlineSince: 1234 });
      s.putDevice(linked);
      s.putDevice(out);
      expect(s.getDevice('C1')).toEqual(linked);
      expect(s.getDevice('C2')).toEqual(out);
      expect(Object.keys(s.getDevice('C2')!)).not.toContain('link');
      expect(Object.keys(s.getDevice('C1')!)).not.toContain('signOutReason');
    });
    it('lists an account\'s devices in first-insertion order, upserts keeping their place', () => {
      s.putDevice(device('P', '+1', { role: 'primary' }));
      s.putDevice(device('B', '+1'));
      s.putDevice(device('X', '+2'));
      s.putDevice(device('A', '+1', { injected: true }));
      s.putDevice(device('B', '+1', { status: 'signed-out', signOutReason: 'unlinked' }));
      expect(s.listDevices('+1').map((d) => d.id)).toEqual(['P', 'B', 'A']);
      expect(s.listDevices('+1')[1].status).toBe('signed-out');
      expect(s.listDevices('+2').map((d) => d.id)).toEqual(['X']);
      expect(s.listDevices('+3')).toEqual([]);
      expect(s.getDevice('nope')).toBeUndefined();
    });
  });

  describe('device lists', () => {
    it('keeps only the latest list per account, signature and lastSigned verbatim', () => {
      const v1: DeviceListRecord = { phone: '+1', version: 1, devices: [{ id: 'P', identityKey: 'P' }], signature: 'c2ln', lastSigned: { version: 1, devices: [{ id: 'P', identityKey: 'P' }], signature: 'c2ln' } };
      const v2: DeviceListRecord = { phone: '+1', version: 2, devices: [], signature: null, lastSigned: v1.lastSigned };
      expect(s.getDeviceList('+1')).toBeUndefined();
      s.putDeviceList(v1);
      expect(s.getDeviceList('+1')).toEqual(v1);
      s.putDeviceList(v2);
      expect(s.getDeviceList('+1')).toEqual(v2);
      s.putDeviceList({ ...v1, phone: '+2', lastSigned: null });
      expect(s.getDeviceList('+2')?.lastSigned).toBeNull();
    });
  });

  describe('queued deliveries (OFF-02, E2E-03)', () => {
    const msg = (to: string, payload: string) => ({ recipientDeviceId: to, kind: 'message' as const, senderDeviceId: 'S', payload });

    it('assigns strictly increasing seqs and returns pending deliveries in seq order', () => {
      const a = s.enqueue(msg('D1', '1'));
      const b = s.enqueue(msg('D2', '2'));
      const c = s.enqueue(msg('D1', '3'));
      expect(a.seq).toBeLessThan(b.seq);
      expect(b.seq).toBeLessThan(c.seq);
      expect(a).toEqual({ ...msg('D1', '1'), seq: a.seq });
      expect(s.pendingFor('D1')).toEqual([a, c]);
      expect(s.countPending('D1')).toBe(2);
      expect(s.pendingFor('D3')).toEqual([]);
      expect(s.countPending('D3')).toBe(0);
    });
    it('acks only the recipient\'s own delivery, once', () => {
      const a = s.enqueue(msg('D1', '1'));
      expect(s.ack('D2', a.seq)).toBe(false);
      expect(s.ack('D1', a.seq + 1000)).toBe(false);
      expect(s.ack('D1', a.seq)).toBe(true);
      expect(s.ack('D1', a.seq)).toBe(false);
      expect(s.pendingFor('D1')).toEqual([]);
    });
    it('never reuses a seq, even after the newest delivery was acked', () => {
      const a = s.enqueue(msg('D1', '1'));
      s.ack('D1', a.seq);
      expect(s.enqueue(msg('D1', '2')).seq).toBeGreaterThan(a.seq);
    });
    it('drops a removed device\'s whole queue and nobody else\'s', () => {
      s.enqueue(msg('D1', '1'));
      s.enqueue({ ...msg('D1', '2'), kind: 'history' });
      const keep = s.enqueue({ recipientDeviceId: 'D2', kind: 'notice', senderDeviceId: 'server', payload: '{}' });
      expect(s.dropQueue('D1')).toBe(2);
      expect(s.dropQueue('D1')).toBe(0);
      expect(s.countPending('D1')).toBe(0);
      expect(s.pendingFor('D2')).toEqual([keep]);
    });
  });

  describe('queue pages and usage (OFF-02, QUEUE_FULL)', () => {
    const msg = (to: string, payload: string) => ({ recipientDeviceId: to, kind: 'message' as const, senderDeviceId: 'S', payload });

    it('pages a device\'s queue after a seq, in seq order, at most `limit` each', () => {
      const d1 = ['a', 'b', 'c', 'd', 'e'].map((p) => s.enqueue(msg('D1', p)));
      s.enqueue(msg('D2', 'x'));
      expect(s.pendingAfter('D1', 0, 2)).toEqual(d1.slice(0, 2));
      expect(s.pendingAfter('D1', d1[1].seq, 2)).toEqual(d1.slice(2, 4));
      expect(s.pendingAfter('D1', d1[3].seq, 10)).toEqual(d1.slice(4));
      expect(s.pendingAfter('D1', d1[4].seq, 10)).toEqual([]);
      expect(s.pendingAfter('D1', 0, 0)).toEqual([]);
      s.ack('D1', d1[2].seq);
      expect(s.pendingAfter('D1', d1[0].seq, 2)).toEqual([d1[1], d1[3]]);
      expect(s.pendingAfter('D9', 0, 5)).toEqual([]);
    });

    it('counts deliveries and UTF-8 payload bytes per device, through enqueue, ack and drop', () => {
      expect(s.queueUsage('D1')).toEqual({ count: 0, bytes: 0 });
      const a = s.enqueue(msg('D1', 'abc'));
      s.enqueue(msg('D1', 'é€')); // 2 + 3 bytes
      s.enqueue(msg('D2', 'zz'));
      expect(s.queueUsage('D1')).toEqual({ count: 2, bytes: 8 });
      expect(s.ack('D1', a.seq)).toBe(true);
      expect(s.ack('D1', a.seq)).toBe(false);
      expect(s.queueUsage('D1')).toEqual({ count: 1, bytes: 5 });
      expect(s.countPending('D1')).toBe(1);
      s.dropQueue('D1');
      expect(s.queueUsage('D1')).toEqual({ count: 0, bytes: 0 });
      expect(s.queueUsage('D2')).toEqual({ count: 1, bytes: 2 });
    });

    it('counts each sender\'s part of a queue, through enqueue, ack and drop', () => {
      const from = (to: string, sender: string, payload: string) => ({ ...msg(to, payload), senderDeviceId: sender });
      const a = s.enqueue(from('D1', 'S1', 'abc'));
      s.enqueue(from('D1', 'S1', 'é€'));
      s.enqueue(from('D1', 'S2', 'zz'));
      s.enqueue(from('D2', 'S1', 'q'));
      expect(s.queueUsageFrom('D1', 'S1')).toEqual({ count: 2, bytes: 8 });
      expect(s.queueUsageFrom('D1', 'S2')).toEqual({ count: 1, bytes: 2 });
      expect(s.queueUsageFrom('D1', 'S3')).toEqual({ count: 0, bytes: 0 });
      expect(s.ack('D1', a.seq)).toBe(true);
      expect(s.queueUsageFrom('D1', 'S1')).toEqual({ count: 1, bytes: 5 });
      s.dropQueue('D1');
      expect(s.queueUsageFrom('D1', 'S1')).toEqual({ count: 0, bytes: 0 });
      expect(s.queueUsageFrom('D1', 'S2')).toEqual({ count: 0, bytes: 0 });
      expect(s.queueUsageFrom('D2', 'S1')).toEqual({ count: 1, bytes: 1 });
      // A rolled-back transaction leaves the shares as they were.
      const b = s.enqueue(from('D1', 'S1', 'x'));
      expect(() => s.transaction(() => {
        s.enqueue(from('D1', 'S1', 'more'));
        s.ack('D1', b.seq);
        s.dropQueue('D1');
        s.enqueue(from('D1', 'S2', 'again'));
        throw new Error('boom');
      })).toThrow('boom');
      expect(s.queueUsageFrom('D1', 'S1')).toEqual({ count: 1, bytes: 1 });
      expect(s.queueUsageFrom('D1', 'S2')).toEqual({ count: 0, bytes: 0 });
    });

    it('a rolled-back transaction leaves the queue and its usage as they were', () => {
      const a = s.enqueue(msg('D1', 'abc'));
      expect(() => s.transaction(() => {
        s.enqueue(msg('D1', 'more'));
        s.ack('D1', a.seq);
        s.dropQueue('D1');
        s.enqueue(msg('D1', 'again'));
        throw new Error('boom');
      })).toThrow('boom');
      expect(s.queueUsage('D1')).toEqual({ count: 1, bytes: 3 });
      expect(s.pendingAfter('D1', 0, 10)).toEqual([a]);
    });
  });

  describe('QR attempts and references (PAIR-01/03/04)', () => {
    it('lists active attempts, overall and per companion, following state changes', () => {
      s.putQrAttempt(attempt('A1', 'C1'));
      s.putQrAttempt(attempt('A2', 'C2'));
      s.putQrAttempt(attempt('A3', 'C1', 'ended'));
      expect(s.listActiveQrAttempts().map((a) => a.attemptId).sort()).toEqual(['A1', 'A2']);
      expect(s.listActiveQrAttemptsOf('C1')).toEqual([attempt('A1', 'C1')]);
      s.putQrAttempt(attempt('A1', 'C1', 'cancelled'));
      expect(s.listActiveQrAttemptsOf('C1')).toEqual([]);
      expect(s.getQrAttempt('A1')?.state).toBe('cancelled');
      expect(s.getQrAttempt('A9')).toBeUndefined();
    });
    it('lists an attempt\'s references by increasing index, whatever the insertion order', () => {
      s.putQrRef(qrRef('r2', 'A1', 2));
      s.putQrRef(qrRef('r0', 'A1', 0));
      s.putQrRef(qrRef('x0', 'A2', 0));
      s.putQrRef(qrRef('r1', 'A1', 1));
      s.putQrRef({ ...qrRef('r0', 'A1', 0), used: true });
      expect(s.listQrRefs('A1').map((r) => r.ref)).toEqual(['r0', 'r1', 'r2']);
      expect(s.getQrRef('r0')?.used).toBe(true);
      expect(s.getQrRef('nope')).toBeUndefined();
      expect(s.listQrRefs('A9')).toEqual([]);
    });
  });

  describe('pairing codes (PAIR-06)', () => {
    it('the latest code is the one first inserted last, even when an older one is updated', () => {
      expect(s.getLatestCode('+1')).toBeUndefined();
      s.putCode(code('K1', '+1'));
      s.putCode(code('K2', '+1', { wrapped: 'SkpKSkpKSko=' }));
      s.putCode(code('K3', '+2'));
      s.putCode(code('K1', '+1', { state: 'cancelled' }));
      expect(s.getLatestCode('+1')?.codeId).toBe('K2');
      s.putCode(code('K2', '+1', { attempts: 3, state: 'exhausted' }));
      expect(s.getLatestCode('+1')).toEqual(code('K2', '+1', { attempts: 3, state: 'exhausted' }));
      expect(s.listActiveCodes().map((c) => c.codeId)).toEqual(['K3']);
    });
    it("each companion's own codes: its latest per number, and the number's active codes in issue order", () => {
      expect(s.getLatestCodeOf('+1', 'C1')).toBeUndefined();
      s.putCode(code('K1', '+1', { companionId: 'C1' }));
      s.putCode(code('K2', '+1', { companionId: 'C2' }));
      s.putCode(code('K3', '+2', { companionId: 'C1' }));
      s.putCode(code('K4', '+1', { companionId: 'C1' }));
      s.putCode(code('K1', '+1', { companionId: 'C1', state: 'cancelled' }));
      expect(s.getLatestCodeOf('+1', 'C1')?.codeId).toBe('K4');
      expect(s.getLatestCodeOf('+2', 'C1')?.codeId).toBe('K3');
      expect(s.getLatestCodeOf('+2', 'C2')).toBeUndefined();
      expect(s.listActiveCodesOf('+1').map((c) => c.codeId)).toEqual(['K2', 'K4']);
      s.putCode(code('K2', '+1', { companionId: 'C2', state: 'expired' }));
      expect(s.listActiveCodesOf('+1').map((c) => c.codeId)).toEqual(['K4']);
      expect(s.getLatestCodeOf('+1', 'C2')).toEqual(code('K2', '+1', { companionId: 'C2', state: 'expired' }));
      expect(s.listActiveCodesOf('+3')).toEqual([]);
    });
  });

  describe('the deadline index (EXP-01/04, PAIR-04/06)', () => {
    const keys = (kind: Parameters<Storage['dueDeadlines']>[0], upTo = Number.MAX_SAFE_INTEGER) => s.dueDeadlines(kind, upTo).map((r) => `${r.key}@${r.from}`);
    const primary = (id: string, phone: string, offlineSince: number | null) => device(id, phone, { role: 'primary', offlineSince });

    it('dormancy: an offline primary while its number has a linked companion, and only then', () => {
      s.putAccount(account('+1'));
      s.putDevice(primary('P1', '+1', 100));
      expect(keys('dormancy')).toEqual([]); // no companion: nothing to sign out
      s.putDevice(device('I1', '+1', { injected: true }));
      expect(keys('dormancy')).toEqual([]); // an injected device is not a companion (LIMIT-01)
      s.putDevice(device('C1', '+1'));
      expect(keys('dormancy')).toEqual(['P1@100']);
      s.putDevice(primary('P1', '+1', null));
      expect(keys('dormancy')).toEqual([]); // back online
      s.putDevice(primary('P1', '+1', 200));
      expect(keys('dormancy')).toEqual(['P1@200']);
      s.putDevice(device('C1', '+1', { status: 'signed-out', signOutReason: 'primary-dormant' }));
      expect(keys('dormancy')).toEqual([]); // nobody left to sign out
    });

    it('idle: every offline linked companion that is not injected', () => {
      s.putAccount(account('+1'));
      s.putDevice(primary('P1', '+1', null));
      s.putDevice(device('C1', '+1', { offlineSince: 50 }));
      s.putDevice(device('C2', '+1'));
      s.putDevice(device('I1', '+1', { injected: true, offlineSince: 10 }));
      expect(keys('idle')).toEqual(['C1@50']);
      s.putDevice(device('C2', '+1', { offlineSince: 60 }));
      s.putDevice(device('C1', '+1', { offlineSince: 50, status: 'signed-out', signOutReason: 'idle' }));
      expect(keys('idle')).toEqual(['C2@60']);
    });

    it('codes and QR attempts: active ones, from their expiry and their newest reference', () => {
      s.putCode(code('K1', '+1', { expiresAt: 500 }));
      s.putCode(code('K2', '+2', { expiresAt: 400 }));
      expect(keys('code')).toEqual(['K1@500', 'K2@400']); // listActiveCodes order, not time order
      s.putCode(code('K1', '+1', { expiresAt: 500, state: 'used' }));
      expect(keys('code')).toEqual(['K2@400']);
      s.putQrAttempt(attempt('A1', 'C1'));
      expect(keys('qr')).toEqual([]); // no reference yet
      s.putQrRef(qrRef('r0', 'A1', 0));
      expect(keys('qr')).toEqual(['A1@20']);
      s.putQrRef(qrRef('r1', 'A1', 1));
      expect(keys('qr')).toEqual(['A1@40']);
      s.putQrRef({ ...qrRef('r0', 'A1', 0), used: true });
      expect(keys('qr')).toEqual(['A1@40']); // still the newest reference's window
      s.putQrAttempt(attempt('A1', 'C1', 'ended'));
      expect(keys('qr')).toEqual([]);
    });

    it('returns only what is due by `upTo`, in the records\' listing order', () => {
      for (const [phone, p, c, at] of [['+3', 'P3', 'C3', 30], ['+1', 'P1', 'C1', 10], ['+2', 'P2', 'C2', 20]] as const) {
        s.putAccount(account(phone, { primaryDeviceId: p }));
        s.putDevice(primary(p, phone, at));
        s.putDevice(device(c, phone, { offlineSince: at }));
      }
      s.putDevice(device('C1b', '+1', { offlineSince: 5 }));
      expect(keys('dormancy', 20)).toEqual(['P1@10', 'P2@20']);
      expect(keys('dormancy', 9)).toEqual([]);
      expect(keys('idle')).toEqual(['C3@30', 'C1@10', 'C1b@5', 'C2@20']); // accounts, then their devices
      expect(keys('idle', 10)).toEqual(['C1@10', 'C1b@5']);
    });

    it('a rolled-back transaction leaves the index as it was', () => {
      s.putAccount(account('+1'));
      s.putDevice(primary('P1', '+1', 100));
      s.putDevice(device('C1', '+1', { offlineSince: 7 }));
      s.putCode(code('K1', '+1', { expiresAt: 500 }));
      expect(() => s.transaction(() => {
        s.putDevice(primary('P1', '+1', null));
        s.putDevice(device('C1', '+1', { status: 'signed-out', signOutReason: 'unlinked' }));
        s.putCode(code('K1', '+1', { state: 'expired' }));
        s.putQrAttempt(attempt('A1', 'C9'));
        s.putQrRef(qrRef('r0', 'A1', 0));
        throw new Error('boom');
      })).toThrow('boom');
      expect(keys('dormancy')).toEqual(['P1@100']);
      expect(keys('idle')).toEqual(['C1@7']);
      expect(keys('code')).toEqual(['K1@500']);
      expect(keys('qr')).toEqual([]);
    });
  });

  describe('pruning', () => {
    it('forgets QR attempts that are over and ended before the horizon, with their references, and nothing else', () => {
      s.putQrAttempt(attempt('OLD', 'C1', 'ended'));
      s.putQrRef(qrRef('o0', 'OLD', 0)); // until 20
      s.putQrRef(qrRef('o1', 'OLD', 1)); // until 40
      s.putQrAttempt(attempt('RECENT', 'C1', 'cancelled'));
      s.putQrRef(qrRef('r5', 'RECENT', 5)); // until 120
      s.putQrAttempt(attempt('LIVE', 'C2'));
      s.putQrRef(qrRef('l0', 'LIVE', 0));
      s.putQrAttempt(attempt('BARE', 'C3', 'cancelled')); // no reference: started at 5
      expect(s.pruneQrAttempts(41, 10)).toBe(2);
      expect(s.getQrAttempt('OLD')).toBeUndefined();
      expect(s.getQrAttempt('BARE')).toBeUndefined();
      expect(s.getQrRef('o0')).toBeUndefined();
      expect(s.listQrRefs('OLD')).toEqual([]);
      expect(s.getQrRef('r5')?.attemptId).toBe('RECENT');
      expect(s.getQrAttempt('LIVE')?.state).toBe('active');
      expect(s.hasQrAttempts('C1')).toBe(true);
      expect(s.hasQrAttempts('C3')).toBe(false);
      expect(s.pruneQrAttempts(1_000, 10)).toBe(1); // RECENT; LIVE stays while active
      expect(s.hasQrAttempts('C1')).toBe(false);
      expect(s.listQrRefs('LIVE').map((r) => r.ref)).toEqual(['l0']);
    });
    it('pages through pending companions by id and forgets one', () => {
      for (const id of ['C3', 'C1', 'C2']) s.putPendingCompanion({ id, boxKey: 'b', boxKeySignature: 's', name: id, platform: 'web' });
      expect(s.listPendingCompanionIds('', 2)).toEqual(['C1', 'C2']);
      expect(s.listPendingCompanionIds('C2', 2)).toEqual(['C3']);
      s.deletePendingCompanion('C2');
      s.deletePendingCompanion('nope');
      expect(s.getPendingCompanion('C2')).toBeUndefined();
      expect(s.listPendingCompanionIds('', 5)).toEqual(['C1', 'C3']);
    });
    it('a rolled-back prune forgets nothing', () => {
      s.putQrAttempt(attempt('OLD', 'C1', 'ended'));
      s.putQrRef(qrRef('o0', 'OLD', 0));
      s.putPendingCompanion({ id: 'C1', boxKey: 'b', boxKeySignature: 's', name: 'n', platform: 'web' });
      expect(() => s.transaction(() => { s.pruneQrAttempts(1_000, 10); s.deletePendingCompanion('C1'); throw new Error('boom'); })).toThrow('boom');
      expect(s.listQrRefs('OLD').map((r) => r.ref)).toEqual(['o0']);
      expect(s.getPendingCompanion('C1')?.name).toBe('n');
    });
  });

  describe('pending companions and meta', () => {
    it('upserts pending companions by id', () => {
      const c = { id: 'C1', boxKey: 'b', boxKeySignature: 's', name: 'Laptop', platform: 'desktop' };
      expect(s.getPendingCompanion('C1')).toBeUndefined();
      s.putPendingCompanion(c);
      s.putPendingCompanion({ ...c, name: 'Tablet' });
      expect(s.getPendingCompanion('C1')).toEqual({ ...c, name: 'Tablet' });
    });
    it('stores named string values', () => {
      expect(s.getMeta('clock')).toBeUndefined();
      s.setMeta('clock', '0');
      s.setMeta('clock', '1209600000');
      s.setMeta('empty', '');
      expect(s.getMeta('clock')).toBe('1209600000');
      expect(s.getMeta('empty')).toBe('');
    });
  });

  describe('transaction', () => {
    it('keeps every write and returns fn\'s result', () => {
      const seq = s.transaction(() => {
        s.putAccount(account('+1'));
        s.putDevice(device('C1', '+1'));
        return s.enqueue({ recipientDeviceId: 'C1', kind: 'message', senderDeviceId: 'P', payload: 'x' }).seq;
      });
      expect(s.getAccount('+1')).toBeDefined();
      expect(s.pendingFor('C1').map((d) => d.seq)).toEqual([seq]);
    });
    it('rolls every write back when fn throws, and rethrows', () => {
      s.putAccount(account('+1'));
      s.setMeta('clock', '1');
      const boom = new Error('boom');
      expect(() => s.transaction(() => {
        s.putAccount(account('+1', { registrations: 2 }));
        s.putDevice(device('C1', '+1'));
        s.enqueue({ recipientDeviceId: 'C1', kind: 'message', senderDeviceId: 'P', payload: 'x' });
        s.putCode(code('K1', '+1'));
        s.setMeta('clock', '2');
        throw boom;
      })).toThrow(boom);
      expect(s.getAccount('+1')?.registrations).toBe(1);
      expect(s.getDevice('C1')).toBeUndefined();
      expect(s.countPending('C1')).toBe(0);
      expect(s.getLatestCode('+1')).toBeUndefined();
      expect(s.getMeta('clock')).toBe('1');
    });
    it('nested calls join the outer transaction: the outer failure undoes the inner writes', () => {
      expect(() => s.transaction(() => {
        const inner = s.transaction(() => { s.putAccount(account('+1')); return 7; });
        expect(inner).toBe(7);
        throw new Error('outer');
      })).toThrow('outer');
      expect(s.getAccount('+1')).toBeUndefined();
      expect(s.transaction(() => s.transaction(() => 'ok'))).toBe('ok');
    });
  });
});

// ---- differential: the same random operations give the same answers -------------------------
type Op =
  | { op: 'enqueue'; to: string; payload: string }
  | { op: 'ack'; to: string; pick: number }
  | { op: 'drop'; to: string }
  | { op: 'putDevice'; id: string; phone: string; signedOut: boolean; offline?: number }
  | { op: 'putAccount'; phone: string }
  | { op: 'putRef'; attempt: string; index: number }
  | { op: 'putCode'; id: string; phone: string; state: PairingCodeRecord['state']; expiresAt: number }
  | { op: 'putAttempt'; id: string; companion: string; state: QrAttemptRecord['state'] }
  | { op: 'txFail'; to: string };

const small = (prefix: string) => fc.integer({ min: 0, max: 3 }).map((n) => `${prefix}${n}`);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('enqueue' as const), to: small('D'), payload: fc.string({ maxLength: 6 }) }),
  fc.record({ op: fc.constant('ack' as const), to: small('D'), pick: fc.nat(5) }),
  fc.record({ op: fc.constant('drop' as const), to: small('D') }),
  fc.record({ op: fc.constant('putDevice' as const), id: small('D'), phone: small('+'), signedOut: fc.boolean(), offline: fc.option(fc.nat(100), { nil: undefined }) }),
  fc.record({ op: fc.constant('putAccount' as const), phone: small('+') }),
  fc.record({ op: fc.constant('putRef' as const), attempt: small('A'), index: fc.nat(2) }),
  fc.record({ op: fc.constant('putCode' as const), id: small('K'), phone: small('+'), state: fc.constantFrom('active', 'used', 'cancelled', 'exhausted', 'expired'), expiresAt: fc.nat(100) }),
  fc.record({ op: fc.constant('putAttempt' as const), id: small('A'), companion: small('C'), state: fc.constantFrom('active', 'cancelled', 'ended', 'linked') }),
  fc.record({ op: fc.constant('txFail' as const), to: small('D') }),
);

function apply(s: Storage, o: Op): unknown {
  switch (o.op) {
    case 'enqueue': return s.enqueue({ recipientDeviceId: o.to, kind: 'message', senderDeviceId: 'S', payload: o.payload });
    case 'ack': {
      const pending = s.pendingFor(o.to);
      return s.ack(o.to, pending.length === 0 ? o.pick : pending[o.pick % pending.length].seq);
    }
    case 'drop': return s.dropQueue(o.to);
    case 'putDevice': return s.putDevice(device(o.id, o.phone, {
      role: o.id === 'D0' ? 'primary' : 'companion', offlineSince: o.offline ?? null,
      ...(o.signedOut ? { status: 'signed-out', signOutReason: 'idle' } : {}),
    }));
    case 'putAccount': return s.putAccount(account(o.phone));
    case 'putRef': return s.putQrRef(qrRef(`${o.attempt}-${o.index}`, o.attempt, o.index));
    case 'putCode': return s.putCode(code(o.id, o.phone, { state: o.state, expiresAt: o.expiresAt }));
    case 'putAttempt': return s.putQrAttempt(attempt(o.id, o.companion, o.state));
    case 'txFail':
      try {
        s.transaction(() => { s.enqueue({ recipientDeviceId: o.to, kind: 'notice', senderDeviceId: 'server', payload: '' }); throw new Error('x'); });
      } catch { /* expected */ }
      return s.countPending(o.to);
  }
}

function snapshot(s: Storage): unknown {
  const ids = ['0', '1', '2', '3'];
  return {
    pending: ids.map((n) => s.pendingFor(`D${n}`)),
    pages: ids.map((n) => s.pendingAfter(`D${n}`, 2, 2)),
    usage: ids.map((n) => s.queueUsage(`D${n}`)),
    devices: ids.map((n) => s.listDevices(`+${n}`)),
    latest: ids.map((n) => s.getLatestCode(`+${n}`)),
    activeCodes: s.listActiveCodes().map((c) => c.codeId).sort(),
    activeAttempts: ids.map((n) => s.listActiveQrAttemptsOf(`C${n}`)),
    deadlines: (['dormancy', 'idle', 'code', 'qr'] as const).map((kind) => s.dueDeadlines(kind, Number.MAX_SAFE_INTEGER)),
  };
}

describe('MemoryStorage and SqliteStorage agree on random operation sequences', () => {
  it('same answer to every operation and the same state afterwards', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
      const memory = new MemoryStorage();
      const sqlite = new SqliteStorage(':memory:');
      try {
        for (const o of ops) expect(apply(sqlite, o)).toEqual(apply(memory, o));
        expect(snapshot(sqlite)).toEqual(snapshot(memory));
      } finally {
        sqlite.close();
      }
    }), { numRuns: 60 });
  });
});
