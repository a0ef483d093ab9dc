/**
 * What only a file-backed store must show (RESTART): close and reopen keeps everything, the
 * schema version is checked, and a process killed with SIGKILL right after acknowledging a
 * write loses nothing it acknowledged. The shared behaviour is in storage.contract.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaVersionError, SQLITE_SCHEMA_VERSION, SqliteStorage } from './sqlite.js';
import type { DeviceRecord } from './storage.js';

const dir = mkdtempSync(join(tmpdir(), 'linkspec-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('./test/writeUntilKilled.ts', import.meta.url));

const device = (id: string): DeviceRecord => ({
  id, phone: '+1', role: 'companion', identityKey: id, boxKey: 'b', boxKeySignature: 's', name: id,
  platform: 'web', status: 'linked', linkedAt: 1, offlineSince: null, injected: false,
});

describe('SqliteStorage on a file', () => {
  it('keeps everything across close and reopen, including order and seq counters', () => {
    const file = join(dir, 'reopen.db');
    const a = new SqliteStorage(file);
    a.putAccount({ phone: '+1', registered: true, primaryDeviceId: 'P', primaryIdentityKey: 'K', registrations: 1 });
    for (const id of ['P', 'Z', 'A']) a.putDevice(device(id));
    a.putDeviceList({ phone: '+1', version: 3, devices: [{ id: 'P', identityKey: 'P' }], signature: 'c2ln', lastSigned: null });
    const first = a.enqueue({ recipientDeviceId: 'Z', kind: 'message', senderDeviceId: 'P', payload: '{"n":1}' });
    const last = a.enqueue({ recipientDeviceId: 'Z', kind: 'message', senderDeviceId: 'P', payload: '{"n":2}' });
    a.ack('Z', last.seq);
    a.putQrAttempt({ attemptId: 'A1', companionId: 'C', startedAt: 0, state: 'active' });
    a.putQrRef({ ref: 'r', attemptId: 'A1', index: 0, fromMs: 0, untilMs: 60_000, used: true });
    a.putCode({ codeId: 'K1', phone: '+1', wrapped: 'QUJDREVGR0g=', companionId: 'C', issuedAt: 0, expiresAt: 1, attempts: 2, state: 'active' });
    a.putPendingCompanion({ id: 'C', boxKey: 'b', boxKeySignature: 's', name: 'n', platform: 'p' });
    a.setMeta('clock', '42');
    a.close();

    const b = new SqliteStorage(file);
    expect(b.getAccount('+1')?.primaryIdentityKey).toBe('K');
    expect(b.listDevices('+1').map((d) => d.id)).toEqual(['P', 'Z', 'A']);
    expect(b.getDeviceList('+1')?.version).toBe(3);
    expect(b.pendingFor('Z')).toEqual([first]);
    expect(b.enqueue({ recipientDeviceId: 'Z', kind: 'notice', senderDeviceId: 'server', payload: '' }).seq).toBeGreaterThan(last.seq);
    expect(b.listActiveQrAttempts()).toHaveLength(1);
    expect(b.getQrRef('r')?.used).toBe(true);
    expect(b.getLatestCode('+1')?.attempts).toBe(2);
    expect(b.getPendingCompanion('C')?.name).toBe('n');
    expect(b.getMeta('clock')).toBe('42');
    b.close();
    b.close(); // closing twice is harmless
  });

  it('uses the WAL journal, NORMAL or FULL sync as asked, and records its schema version', () => {
    const file = join(dir, 'pragmas.db');
    const normal = new SqliteStorage(file);
    expect(normal.synchronousLevel()).toBe(1);
    normal.close();
    const full = new SqliteStorage(file, { synchronous: 'FULL' });
    expect(full.synchronousLevel()).toBe(2);
    full.close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    db.close();
  });

  it('opens a file of schema version 1 and migrates it: the deadline index and queue usage derived from its records', () => {
    const file = join(dir, 'version1.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_V1);
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    const put = (table: string, columns: string[], values: unknown[]) =>
      db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...values);
    put('accounts', ['phone', 'record'], ['+1', JSON.stringify({ phone: '+1', registered: true, primaryDeviceId: 'P', primaryIdentityKey: 'P', registrations: 1 })]);
    const p = { ...device('P'), role: 'primary', offlineSince: 100 };
    const c = { ...device('C'), offlineSince: 40 };
    put('devices', ['id', 'phone', 'record'], ['P', '+1', JSON.stringify(p)]);
    put('devices', ['id', 'phone', 'record'], ['C', '+1', JSON.stringify(c)]);
    put('pairing_codes', ['code_id', 'phone', 'state', 'record'], ['K', '+1', 'active', JSON.stringify({ codeId: 'K', phone: '+1', wrapped: 'QUJDREVGR0g=', companionId: 'X', issuedAt: 0, expiresAt: 900, attempts: 0, state: 'active' })]);
    put('qr_attempts', ['attempt_id', 'companion_id', 'state', 'record'], ['A', 'X', 'active', JSON.stringify({ attemptId: 'A', companionId: 'X', startedAt: 0, state: 'active' })]);
    put('qr_refs', ['ref', 'attempt_id', 'idx', 'record'], ['r', 'A', 0, JSON.stringify({ ref: 'r', attemptId: 'A', index: 0, fromMs: 0, untilMs: 60, used: false })]);
    put('queue', ['recipient', 'record'], ['C', JSON.stringify({ recipientDeviceId: 'C', kind: 'message', senderDeviceId: 'P', payload: '{}' })]);
    db.close();

    const s = new SqliteStorage(file);
    const all = Number.MAX_SAFE_INTEGER;
    expect(s.dueDeadlines('dormancy', all)).toEqual([{ key: 'P', from: 100 }]);
    expect(s.dueDeadlines('idle', all)).toEqual([{ key: 'C', from: 40 }]);
    expect(s.dueDeadlines('code', all)).toEqual([{ key: 'K', from: 900 }]);
    expect(s.dueDeadlines('qr', all)).toEqual([{ key: 'A', from: 60 }]);
    expect(s.pendingFor('C').map((d) => d.payload)).toEqual(['{}']);
    expect(s.queueUsage('C')).toEqual({ count: 1, bytes: 2 }); // version 3: usage counted from the queue
    expect(s.queueUsageFrom('C', 'P')).toEqual({ count: 1, bytes: 2 }); // version 4: each sender's part counted from the queue
    s.close();
    const after = new Database(file);
    expect(after.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    after.close();
  });

  it('refuses a file written with another schema version', () => {
    const file = join(dir, 'future.db');
    new SqliteStorage(file).close();
    const db = new Database(file);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => new SqliteStorage(file)).toThrow(SchemaVersionError);
  });

  it('loses no acknowledged write when the process is killed with SIGKILL', async () => {
    const file = join(dir, 'killed.db');
    let expectedAccounts = 0;
    for (const killAt of [0, 3, 17, 60, 150]) {
      const acked = await runUntilAck(file, killAt);
      expect(acked).toBeGreaterThanOrEqual(killAt);
      const s = new SqliteStorage(file);
      // Each run restarts n at 0, so queue payloads repeat; count what this run acknowledged.
      const payloads = s.pendingFor('D').map((d) => Number(d.payload));
      const lastRun = payloads.slice(payloads.lastIndexOf(0));
      expect(lastRun.slice(0, acked + 1)).toEqual(Array.from({ length: acked + 1 }, (_, i) => i));
      expect(Number(s.getMeta('last'))).toBeGreaterThanOrEqual(acked);
      for (let n = 0; n <= acked; n++) expect(s.getAccount(`+${n}`)?.registrations).toBe(n);
      expectedAccounts = Math.max(expectedAccounts, acked + 1);
      expect(s.listAccounts().length).toBeGreaterThanOrEqual(expectedAccounts);
      s.close();
    }
  });
});

/** The schema as version 1 (the first release) created it, verbatim: the migration's starting point. */
const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  ord INTEGER PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devices_by_phone ON devices (phone, ord);
CREATE TABLE IF NOT EXISTS device_lists (
  ord INTEGER PRIMARY KEY, phone TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS queue_by_recipient ON queue (recipient, seq);
CREATE TABLE IF NOT EXISTS qr_attempts (
  ord INTEGER PRIMARY KEY, attempt_id TEXT NOT NULL UNIQUE, companion_id TEXT NOT NULL,
  state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_attempts_by_state ON qr_attempts (state, companion_id);
CREATE TABLE IF NOT EXISTS qr_refs (
  ord INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, attempt_id TEXT NOT NULL,
  idx INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS qr_refs_by_attempt ON qr_refs (attempt_id, idx);
CREATE TABLE IF NOT EXISTS pairing_codes (
  ord INTEGER PRIMARY KEY, code_id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL,
  state TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pairing_codes_by_phone ON pairing_codes (phone, ord);
CREATE INDEX IF NOT EXISTS pairing_codes_by_state ON pairing_codes (state);
CREATE TABLE IF NOT EXISTS pending_companions (
  ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Start the writer, SIGKILL it as soon as it acknowledges write `killAt`; resolve with the last ack seen. */
function runUntilAck(file: string, killAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAck = -1;
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const n = Number(line.replace(/^ack /, ''));
        if (Number.isInteger(n)) lastAck = Math.max(lastAck, n);
      }
      if (lastAck >= killAt && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed: ${stderr}`));
      else resolve(lastAck);
    });
  });
}
