/**
 * pg-native is an optional dependency (it builds against libpq's headers): a machine without them
 * still runs `npm ci`, `npm start` and every non-cluster test. Nothing loads it until a
 * PostgreSQL store is opened, and then its absence is PG_NATIVE_MISSING with the remedy.
 * (Checked by hand as well: with node_modules/pg-native moved away, `linkspec run --adapter
 * reference` is CONFORMANT and `linkspec serve --store … --bus …` exits 2 PG_NATIVE_MISSING.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPgNative, PG_NATIVE_HINT, PgNativeMissingError } from './postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('pg-native, loaded lazily', () => {
  it('missing: PG_NATIVE_MISSING, saying how to install it', () => {
    const notFound = (id: string) => { throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' }); };
    let thrown: unknown;
    try { loadPgNative(notFound); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(PgNativeMissingError);
    expect(thrown).toMatchObject({ code: 'PG_NATIVE_MISSING' });
    expect((thrown as Error).message).toContain(PG_NATIVE_HINT);
    expect((thrown as Error).message).toContain("Cannot find module 'pg-native'");
  });

  it('is not loaded by the embedded server, the CLI or the reference adapter', () => {
    const script = `
      import { createRequire } from 'node:module';
      await import('./cli/main.ts');
      await import('./adapters/index.ts');
      await import('./reference/server/server.ts');
      await import('./reference/storage/postgres.ts');
      await import('./adapters/cluster/index.ts');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\\\/](pg-native|libpq)[\\\\/]/.test(k));
      process.stdout.write(JSON.stringify(loaded));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([]);
  }, 70_000);
});
