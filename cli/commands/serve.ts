/**
 * `linkspec serve [--host H] [--port N] [--db FILE|:memory:] [--test-control]`: runs the reference
 * server (reference/server/server.ts, wire protocol v1, reference/PROTOCOL.md) until SIGINT or
 * SIGTERM.
 * - Storage: SQLite (reference/storage/sqlite.ts) at FILE, default `linkspec-reference.db`;
 *   `--db :memory:` keeps everything in memory (lost on exit).
 * - Time: with `--test-control`, virtual time moves only by `tc.advance` (the harness drives it;
 *   `tc.reset` starts a fresh in-memory SQLite world). Without it, the virtual clock follows the
 *   wall clock (advanced once a second), so dormancy and idleness happen in real days; the store
 *   keeps the wall-clock epoch, so time the server was down counts too (reference/server/wallClock.ts).
 * - Storage: a damaged SQLite file is refused at start (STORAGE_CORRUPT, exit 2, one line); a full
 *   disk refuses writes with STORAGE_FULL and the server keeps serving.
 * - Number verification (LIFE-03): every registration needs a one-time code sent to the number
 *   out of band. There is no SMS gateway: `--verification-out FILE` appends `{"phone","code"}`
 *   JSON lines to FILE, `-` (the default) prints `verification code for PHONE: CODE` on stdout.
 * - WARNING: --test-control lets any client read and change the whole server. Tests only.
 * Exit: 0 after a clean shutdown, 2 on a bad argument (BAD_PORT) or when the port is taken
 * (SERVE_FAILED), or --test-control with a host that is not loopback (TEST_CONTROL_NOT_LOOPBACK),
 * or a cluster node (--store) without the optional pg-native module (PG_NATIVE_MISSING).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { isLoopback, ReferenceServer, storageErrorCode } from '../../reference/server/server.js';
import { followWallClock } from '../../reference/server/wallClock.js';
import { MemoryStorage } from '../../reference/storage/memory.js';
import { SqliteStorage, StorageOpenError } from '../../reference/storage/sqlite.js';
import type { Storage } from '../../reference/storage/storage.js';
import { checkClusterUrls, startClusterNode } from '../../reference/bus/node.js';
import { PgNativeMissingError } from '../../reference/storage/postgres.js';
import { FileVerificationSender, type VerificationSender } from '../../reference/server/verification.js';

export interface ServeArgs { host: string; port: string; db: string; testControl?: boolean; store?: string; schema?: string; bus?: string; verificationOut: string }

/** Where `serve` sends number-verification codes (the stand-in for an SMS gateway). */
export function verificationSenderFor(out: string): VerificationSender {
  if (out === '-') return { send: (phone, code) => { process.stdout.write(`verification code for ${phone}: ${code}\n`); } };
  return new FileVerificationSender(out);
}

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
    .option('--verification-out <file>', "where number-verification codes go (LIFE-03): a file of JSON lines, or '-' for stdout", '-')
    .option('--test-control', 'enable the test-control extension (virtual clock driven by tc.advance; tests only)')
    .option('--store <url>', 'cluster node: the shared PostgreSQL store (postgres://…); needs --bus')
    .option('--schema <name>', 'cluster node: the PostgreSQL schema the nodes share', 'linkspec')
    .option('--bus <url>', 'cluster node: the bus between nodes, Redis (redis://…) or NATS (nats://…); needs --store')
    .action(async (args: ServeArgs) => {
      const port = Number(args.port);
      if (!/^\d+$/.test(args.port) || port > 65535) throw new UsageError('BAD_PORT', `--port '${args.port}': expected 0..65535`);
      // Test control lets anyone read and change the whole server: loopback only.
      if (args.testControl && !isLoopback(args.host)) throw new UsageError('TEST_CONTROL_NOT_LOOPBACK', `--test-control needs a loopback --host (127.0.0.1, ::1, localhost), not '${args.host}'`);
      if (args.store !== undefined || args.bus !== undefined) return serveClusterNode(args, port, setExit);
      let opened: ReturnType<typeof storageFor>;
      try {
        opened = storageFor(args.db);
      } catch (error) {
        // One line, a stable code, exit 2: never a stack trace for a bad or damaged file.
        const code = error instanceof StorageOpenError ? error.code : 'STORAGE_UNAVAILABLE';
        throw new UsageError(code, error instanceof Error ? error.message.split('\n')[0]! : String(error));
      }
      const { storage, createStorage, label } = opened;
      let server: ReferenceServer;
      try {
        server = new ReferenceServer({ storage, createStorage, testControl: args.testControl === true, host: args.host, port, verificationSender: verificationSenderFor(args.verificationOut) });
      } catch (error) {
        // The boot writes to the store (devices found online get their offline stamp): a full disk
        // or a failing store is one line with its code, exit 2, never a stack trace.
        storage.close();
        const code = storageErrorCode(error) === 'STORAGE_FULL' ? 'STORAGE_FULL' : 'STORAGE_UNAVAILABLE';
        throw new UsageError(code, `cannot start on the store: ${error instanceof Error ? error.message.split('\n')[0]! : String(error)}`);
      }
      let url: string;
      try {
        url = await server.start();
      } catch (error) {
        storage.close();
        throw new UsageError('SERVE_FAILED', `cannot listen on ${args.host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
      }
      process.stdout.write(`linkspec reference server on ${url} (storage: ${label}; ${args.testControl ? 'TEST CONTROL ON, time moves by tc.advance' : 'time follows the wall clock'})\n`);
      let ticker: { stop(): void } | undefined;
      if (!args.testControl) {
        // Wall time, downtime included (wallClock.ts); a failing tick is one line, at most once a minute.
        let reported = 0;
        ticker = followWallClock(server, storage, (error) => {
          if (Date.now() - reported < 60_000) return;
          reported = Date.now();
          process.stderr.write(`linkspec serve: the clock tick could not be stored (${storageErrorCode(error)}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
        });
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      ticker?.stop();
      await server.stop();
      if (server.storage !== storage) server.storage.close();
      storage.close();
      process.stdout.write('linkspec reference server stopped\n');
      setExit(EXIT.OK);
    });
};

/**
 * `serve --store postgres://… --bus redis://…|nats://…`: one node of a reference cluster (issue 13,
 * reference/bus/node.ts). Prints `linkspec cluster node <id> on ws://…` once listening.
 * Without test control the shared virtual clock follows the wall clock from the cluster's
 * epoch (meta 'epoch', set by the first node), so several nodes never advance it twice.
 */
async function serveClusterNode(args: ServeArgs, port: number, setExit: (code: number) => void): Promise<void> {
  if (args.store === undefined || args.bus === undefined) throw new UsageError('BAD_ARGUMENT', '--store and --bus go together (a cluster node needs both)');
  const bad = checkClusterUrls(args.store, args.bus);
  if (bad) throw new UsageError('BAD_ARGUMENT', bad);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.schema ?? 'linkspec')) throw new UsageError('BAD_ARGUMENT', `--schema '${args.schema}': a-z, 0-9 and _ only`);
  let node;
  try {
    node = await startClusterNode({ store: args.store, schema: args.schema, bus: args.bus, host: args.host, port, testControl: args.testControl === true, verificationSender: verificationSenderFor(args.verificationOut) });
  } catch (error) {
    // pg-native is optional (it needs libpq-dev to build): its absence has its own code and remedy.
    const code = error instanceof PgNativeMissingError ? error.code : 'SERVE_FAILED';
    throw new UsageError(code, `cluster node: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stdout.write(`linkspec cluster node ${node.node} on ${node.url} (store: PostgreSQL schema ${node.storage.schema}; bus: ${args.bus}; ${args.testControl ? 'TEST CONTROL ON' : 'time follows the wall clock'})\n`);
  let ticker: NodeJS.Timeout | undefined;
  if (!args.testControl) {
    const storage = node.storage;
    if (storage.getMeta('epoch') === undefined) storage.setMeta('epoch', String(Date.now() - node.server.now));
    ticker = setInterval(() => {
      try {
        const target = Date.now() - Number(storage.getMeta('epoch'));
        if (target > node.server.now) node.server.advance(target - node.server.now);
      } catch { /* the store is unreachable this second: try again at the next tick */ }
    }, 1000);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (ticker) clearInterval(ticker);
  await node.close();
  process.stdout.write('linkspec cluster node stopped\n');
  setExit(EXIT.OK);
}
