/**
 * `linkspec driver` end to end: the real command serves the worked example on loopback, prints
 * its URL, answers the remote adapter, and exits 0 on SIGTERM; a bad port exits 2 before
 * listening.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createRemoteAdapter } from '../../adapters/remote/remoteAdapter.js';

describe('linkspec driver', () => {
  it('serves the adapter at the printed URL and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/linkspec.mjs', 'driver', '--adapter', './adapters/examples/inMemoryAdapter.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /serving '[^']+' at (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (found) resolve(found[1]);
        });
        child.once('exit', (code) => reject(new Error(`driver exited early (${code}): ${out}`)));
      });
      const remote = await createRemoteAdapter(url, { timeoutMs: 10_000 });
      expect(remote.name).toBe('in-memory-example');
      const driver = await remote.open(DEFAULT_PROFILE);
      expect(await driver.register('B', { idCheck: true })).toEqual({ ok: true });
      await remote.dispose?.();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 2 with BAD_PORT for a port out of range', () => {
    const run = spawnSync(process.execPath, ['bin/linkspec.mjs', 'driver', '--adapter', 'reference', '--port', '70000'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/BAD_PORT/);
  }, 30_000);
});
