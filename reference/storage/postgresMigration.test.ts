/**
 * A PostgreSQL schema from schema version 1 (before the deadline index and queue usage, issue 10)
 * still opens: PostgresStorage migrates it at connect, deriving the `deadlines` and
 * `queue_usage` rows from the records already stored. Version 1 is made by dropping what later
 * versions added from a fresh schema and writing its rows directly. Needs PostgreSQL (the
 * cluster services); skipped without them, like the cluster tests.
 */
import { createRequire } from 'node:module';
import { describe, expect, inject, it } from 'vitest';
import { SERVICE_URLS } from '../../adapters/cluster/services.js';
import { PostgresStorage } from './postgres.js';

interface Native { connectSync(url: string): void; querySync(text: string, values?: unknown[]): Record<string, unknown>[]; end(): void }

describe.skipIf(!inject('clusterServices'))('PostgresStorage: a version-1 schema', () => {
  it('migrates to the current version, deriving the deadline index and queue usage', () => {
    const schema = `lsmig_${process.pid}`;
    new PostgresStorage(SERVICE_URLS.postgres, { schema }).close();
    const Client = createRequire(import.meta.url)('pg-native') as new () => Native;
    const db = new Client();
    db.connectSync(SERVICE_URLS.postgres);
    try {
      db.querySync(`SET search_path TO ${schema}`);
      db.querySync('DROP TABLE deadlines; DROP TABLE queue_usage; DROP INDEX qr_attempts_by_companion');
      db.querySync('UPDATE schema_version SET version = 1');
      const put = (table: string, values: Record<string, unknown>) => {
        const names = Object.keys(values);
        db.querySync(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(values));
      };
      const device = (id: string, role: string, offlineSince: number) => JSON.stringify({
        id, phone: '+1', role, identityKey: id, boxKey: 'b', boxKeySignature: 's', name: id, platform: 'web', status: 'linked', linkedAt: 0, offlineSince, injected: false,
      });
      put('accounts', { phone: '+1', record: JSON.stringify({ phone: '+1', registered: true, primaryDeviceId: 'P', primaryIdentityKey: 'P', registrations: 1 }) });
      put('devices', { id: 'P', phone: '+1', record: device('P', 'primary', 100) });
      put('devices', { id: 'C', phone: '+1', record: device('C', 'companion', 40) });
      put('pairing_codes', { code_id: 'K', phone: '+1', state: 'active', record: JSON.stringify({ codeId: 'K', phone: '+1', wrapped: 'QUJD', companionId: 'X', issuedAt: 0, expiresAt: 900, attempts: 0, state: 'active' }) });
      put('qr_attempts', { attempt_id: 'A', companion_id: 'X', state: 'active', record: JSON.stringify({ attemptId: 'A', companionId: 'X', startedAt: 0, state: 'active' }) });
      put('qr_refs', { ref: 'r', attempt_id: 'A', idx: 0, record: JSON.stringify({ ref: 'r', attemptId: 'A', index: 0, fromMs: 0, untilMs: 60, used: false }) });
      put('queue', { recipient: 'C', record: JSON.stringify({ recipientDeviceId: 'C', kind: 'message', senderDeviceId: 'P', payload: 'héllo' }) });
    } finally {
      db.end();
    }

    const s = new PostgresStorage(SERVICE_URLS.postgres, { schema });
    try {
      const all = Number.MAX_SAFE_INTEGER;
      expect(s.dueDeadlines('dormancy', all)).toEqual([{ key: 'P', from: 100 }]);
      expect(s.dueDeadlines('idle', all)).toEqual([{ key: 'C', from: 40 }]);
      expect(s.dueDeadlines('code', all)).toEqual([{ key: 'K', from: 900 }]);
      expect(s.dueDeadlines('qr', all)).toEqual([{ key: 'A', from: 60 }]);
      expect(s.queueUsage('C')).toEqual({ count: 1, bytes: 6 });
      expect(s.queueUsageFrom('C', 'P')).toEqual({ count: 1, bytes: 6 });
      expect(s.pendingAfter('C', 0, 5).map((d) => d.payload)).toEqual(['héllo']);
      expect(s.hasQrAttempts('X')).toBe(true);
    } finally {
      s.dropSchema();
      s.close();
    }
  });
});
