/**
 * `linkspec serve [--host H] [--port N] [--db FILE|:memory:] [--test-control]`: runs the reference
 * server (reference/server/server.ts, wire protocol v1, reference/PROTOCOL.md) until SIGINT or
 * SIGTERM.
 * - Storage: SQLite (reference/storage/sqlite.ts) at FILE, default `linkspec-reference.db`;
 *   `--db :memory:` keeps everything in memory (lost on exit).
 * - Time: with `--test-control`, virtual time moves only by `tc.advance` (the harness drives it;
 *   `tc.reset` starts a fresh in-memory SQLite world). Without it, the virtual clock follows the
 *   wall clock (advanced once a second), so dormancy and idleness happen in real days.
 * - WARNING: --test-control lets any client read and change the whole server. Tests only.
 * Exit: 0 after a clean shutdown, 2 on a bad argument (BAD_PORT) or when the port is taken
 * (SERVE_FAILED).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { ReferenceServer } from '../../reference/server/server.js';
import { MemoryStorage } from '../../reference/storage/memory.js';
import { SqliteStorage } from '../../reference/storage/sqlite.js';
import type { Storage } from '../../reference/storage/storage.js';

export interface ServeArgs { host: string; port: string; db: string; testControl?: boolean }

export function storageFor(db: string): { storage: Storage; createStorage: () => Storage; label: string } {
  if (db === ':memory:') return { storage: new MemoryStorage(), createStorage: () => new MemoryStorage(), label: 'in memory' };
  return { storage: new SqliteStorage(db), createStorage: () => new SqliteStorage(':memory:'), label: `SQLite ${db}` };
}

export const registerServe: RegisterCommand = (program, setExit) => {
  program.command('serve')
    .description('Run the reference server (wire protocol v1 over WebSocket; see reference/PROTOCOL.md).')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--db <file>', "SQLite file, or ':memory:'", 'linkspec-reference.db')
    .option('--test-control', 'enable the test-control extension (virtual clock driven by tc.advance; tests only)')
    .action(async (args: ServeArgs) => {
      const port = Number(args.port);
      if (!/^\d+$/.test(args.port) || port > 65535) throw new UsageError('BAD_PORT', `--port '${args.port}': expected 0..65535`);
      const { storage, createStorage, label } = storageFor(args.db);
      const server = new ReferenceServer({ storage, createStorage, testControl: args.testControl === true, host: args.host, port });
      let url: string;
      try {
        url = await server.start();
      } catch (error) {
        storage.close();
        throw new UsageError('SERVE_FAILED', `cannot listen on ${args.host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
      }
      process.stdout.write(`linkspec reference server on ${url} (storage: ${label}; ${args.testControl ? 'TEST CONTROL ON, time moves by tc.advance' : 'time follows the wall clock'})\n`);
      let ticker: NodeJS.Timeout | undefined;
      if (!args.testControl) {
        let last = Date.now();
        ticker = setInterval(() => { const now = Date.now(); server.advance(now - last); last = now; }, 1000);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      if (ticker) clearInterval(ticker);
      await server.stop();
      if (server.storage !== storage) server.storage.close();
      storage.close();
      process.stdout.write('linkspec reference server stopped\n');
      setExit(EXIT.OK);
    });
};
