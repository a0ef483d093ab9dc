/**
 * `linkspec web` end to end: serves the web companion page (configured with --server) and its
 * script at the printed URL, exits 0 on SIGTERM; bad arguments exit 2 with a stable code before
 * anything listens. No browser needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('linkspec web', () => {
  it('serves the page and its script at the printed URL and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/linkspec.mjs', 'web', '--port', '0', '--server', 'ws://127.0.0.1:9999'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /web companion on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.once('exit', (code) => reject(new Error(`web exited early (${code}): ${out}`)));
      });
      const html = await (await fetch(url)).text();
      expect(html).toContain('"server":"ws://127.0.0.1:9999"');
      expect((await fetch(new URL('/app.js', url))).status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);

  it.each([
    [['--port', '70000'], 'BAD_PORT'],
    [['--server', 'http://127.0.0.1:8080'], 'BAD_URL'],
  ])('exits 2 for %j (%s)', (args, code) => {
    const run = spawnSync(process.execPath, ['bin/linkspec.mjs', 'web', ...args], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(code);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
