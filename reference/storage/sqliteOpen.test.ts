/**
 * Storage faults at start (issue 10): a damaged SQLite file is refused at open with
 * STORAGE_CORRUPT (the integrity check, not the first unlucky device's INTERNAL), anything else
 * that keeps the store from opening is STORAGE_UNAVAILABLE, and `linkspec serve` says so in one
 * line and exits 2, without a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'linkspec-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = new URL('../../', import.meta.url).pathname;

/** A real store with enough rows to span many pages, then bytes overwritten inside a data page. */
function damagedStore(): string {
  const file = join(dir, `damaged-${Math.random().toString(36).slice(2)}.db`);
  const s = new SqliteStorage(file);
  for (let i = 0; i < 2_000; i++) s.enqueue({ recipientDeviceId: `D${i % 7}`, kind: 'message', senderDeviceId: 'S', payload: 'x'.repeat(200) });
  s.close();
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  // Page 3 onwards: b-tree pages; garbage in their headers breaks the tree structure.
  for (let page = 3; page * 4096 < size; page += 5) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, page * 4096);
  closeSync(fd);
  return file;
}

describe('opening a damaged or unusable store', () => {
  it('garbage instead of a database: STORAGE_CORRUPT', () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(8192, 0x42));
    expect(() => new SqliteStorage(file)).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }));
  });

  it('a store whose pages were damaged: STORAGE_CORRUPT at open', () => {
    expect(() => new SqliteStorage(damagedStore())).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }));
  });

  it('a directory that does not exist: STORAGE_UNAVAILABLE', () => {
    expect(() => new SqliteStorage(join(dir, 'no', 'such', 'dir.db'))).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
  });

  it('linkspec serve on a damaged file: one line naming STORAGE_CORRUPT, exit 2, no stack trace', () => {
    const file = damagedStore();
    const before = readFileSync(file);
    const r = spawnSync(process.execPath, ['bin/linkspec.mjs', 'serve', '--db', file, '--port', '0'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('STORAGE_CORRUPT');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
