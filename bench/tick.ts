/**
 * The deadline tick (issue 10, EXP-01/04, PAIR-04/06): what one wall-clock tick (`advance` by
 * TICK_MS, reference/server/deadlines.ts) costs on a SQLite store holding N registered accounts,
 * none of them due. The tick reads the deadline index, so it should cost what is due, not the
 * number of accounts. Baseline, in the same run and on the same store: the whole-store scan the
 * tick did before the index (`scanDue` below: every account, its devices, every active code and
 * attempt), kept here only to measure against.
 *
 * Each account: a registered primary offline for an hour (its dormancy 14 days away) and one
 * linked companion offline for an hour (idle 30 days away), written straight to the store (no
 * crypto: only the deadline bookkeeping is measured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROFILE } from '../model/profile.js';
import { ReferenceServer } from '../reference/server/server.js';
import { SqliteStorage } from '../reference/storage/sqlite.js';
import type { Storage } from '../reference/storage/storage.js';
import type { BenchLine } from './line.js';

const HOUR = 3_600_000;
const TICK_MS = 1_000;

/** N accounts, each with an offline primary and an offline linked companion. */
export function populate(storage: Storage, accounts: number, now: number): void {
  const batch = 1_000;
  for (let start = 0; start < accounts; start += batch) {
    storage.transaction(() => {
      for (let i = start; i < Math.min(accounts, start + batch); i++) {
        const phone = `+1${String(i).padStart(9, '0')}`;
        const p = `P${i}`;
        const c = `C${i}`;
        const base = { phone, identityKey: '', boxKey: 'b', boxKeySignature: 's', name: 'n', platform: 'web', status: 'linked' as const, linkedAt: 0, offlineSince: now - HOUR, injected: false };
        storage.putDevice({ ...base, id: p, identityKey: p, role: 'primary' });
        storage.putDevice({ ...base, id: c, identityKey: c, role: 'companion' });
        storage.putAccount({ phone, registered: true, primaryDeviceId: p, primaryIdentityKey: p, registrations: 1 });
        const list = { version: 2, devices: [{ id: p, identityKey: p }, { id: c, identityKey: c }], signature: 'sig' };
        storage.putDeviceList({ phone, ...list, lastSigned: list });
      }
    });
  }
}

/** The pre-index tick's reads (every account, its devices, every active code and attempt): the baseline. */
export function scanDue(storage: Storage, target: number): number {
  const { primaryDormancyMs, companionIdleMs } = DEFAULT_PROFILE;
  let due = 0;
  for (const account of storage.listAccounts()) {
    if (!account.registered || !account.primaryDeviceId) continue;
    const primary = storage.getDevice(account.primaryDeviceId);
    const companions = storage.listDevices(account.phone).filter((d) => d.status === 'linked' && d.role === 'companion' && !d.injected);
    if (primary?.offlineSince != null && companions.length > 0 && primary.offlineSince + primaryDormancyMs <= target) due++;
    for (const c of companions) if (c.offlineSince !== null && c.offlineSince + companionIdleMs <= target) due++;
  }
  for (const code of storage.listActiveCodes()) if (code.expiresAt <= target) due++;
  for (const attempt of storage.listActiveQrAttempts()) {
    const current = storage.listQrRefs(attempt.attemptId).at(-1);
    if (current && current.untilMs <= target) due++;
  }
  return due;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One line per account count: the tick's median ms against the whole-store scan's. */
export async function benchTick(options: { accounts: readonly number[]; ticks: number }): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  for (const accounts of options.accounts) {
    const dir = mkdtempSync(join(tmpdir(), 'linkspec-tick-'));
    const storage = new SqliteStorage(join(dir, 'tick.db'));
    try {
      const start = 10 * HOUR;
      storage.setMeta('clock', String(start));
      const populateStarted = performance.now();
      populate(storage, accounts, start);
      const populateMs = performance.now() - populateStarted;
      const server = new ReferenceServer({ storage });
      const tickMs: number[] = [];
      const scanMs: number[] = [];
      for (let i = 0; i < options.ticks; i++) {
        let t = performance.now();
        server.advance(TICK_MS);
        tickMs.push(performance.now() - t);
        t = performance.now();
        scanDue(storage, server.now);
        scanMs.push(performance.now() - t);
      }
      const tick = median(tickMs);
      const scan = median(scanMs);
      lines.push({
        bench: 'tick.advance', accounts, store: 'sqlite', tickMs: round(tick), baseline: 'whole-store scan (pre-index tick)',
        baselineMs: round(scan), ratio: round(scan / Math.max(tick, 1e-3)), ticks: options.ticks, populateMs: Math.round(populateMs),
      });
    } finally {
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
