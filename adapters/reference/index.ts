/**
 * The reference adapters (conformance/contract.ts Adapter):
 * - `reference`: each `open(profile)` starts a fresh in-process reference server on
 *   127.0.0.1, port 0, with a virtual clock, SQLite storage in a temporary file (what `linkspec
 *   serve` ships) and test control; real sockets, real keys, real encryption. Restart is
 *   supported (a new server that reopens the same database file).
 * - `reference-ws`: drives an already running server at `url` (for example
 *   `linkspec serve --test-control`) through the test-control extension; each `open` resets that
 *   server's world (`tc.reset`), so run one world at a time against one server. No restart.
 */
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import type { Profile } from '../../model/profile.js';
import { ReferenceServer } from '../../reference/server/server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from '../../reference/storage/memory.js';
import { SqliteStorage } from '../../reference/storage/sqlite.js';
import type { Storage } from '../../reference/storage/storage.js';
import { NO_FAULTS, type FaultSet } from '../../reference/faults.js';
import { ReferenceDriver, type ServerHandle } from './driver.js';

export { ReferenceDriver, PHONES, QUIESCENCE_TIMEOUT_MS, type CompanionFactory } from './driver.js';

export interface ReferenceAdapterOptions {
  /** Drive the server at this ws:// URL (test control must be on) instead of starting one. */
  readonly url?: string;
  /** In-process only: the world's store; default 'sqlite' (a temporary file per world, reopened at restart). */
  readonly storage?: 'memory' | 'sqlite';
  /** Known-bad switches (reference/faults.ts) for server and clients; none by default (adapters/known-bad). */
  readonly faults?: FaultSet;
}

export const COMMON: Capability[] = [
  'qr-image', 'pairing-code', 'id-check', 'clock', 'offline', 'messaging', 'history', 'notices', 'lifecycle',
  'server-injection', 'traffic-inspection', 'lying-server', 'device-list-inspection', 'key-change-notice', 'server-traffic', 'concurrency',
];

/**
 * One world's store. 'sqlite' (what `linkspec serve` ships, the default here): a fresh database
 * file in a temporary folder, and a restart REOPENS that file, so what the server acknowledged
 * must survive in the file, not in an object the next server happens to share (issue 9 class 5).
 * 'memory': MemoryStorage, the same object handed to the next server.
 */
function worldStore(kind: 'memory' | 'sqlite'): { open(): Storage; dispose(): void } {
  if (kind === 'memory') {
    const storage = new MemoryStorage();
    return { open: () => storage, dispose: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'linkspec-world-'));
  const file = join(dir, 'world.db');
  let current: SqliteStorage | undefined;
  return {
    open: () => { current?.close(); current = new SqliteStorage(file); return current; },
    dispose: () => { current?.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A fresh in-process reference server (virtual clock, SQLite or memory storage, test control) that can restart on its storage. */
export async function inProcessServer(profile: Profile, faults: FaultSet = NO_FAULTS, kind: 'memory' | 'sqlite' = 'sqlite'): Promise<ServerHandle> {
  const store = worldStore(kind);
  let storage = store.open();
  let server = new ReferenceServer({ storage, profile, testControl: true, createStorage: () => storage, faults });
  const handle: ServerHandle = {
    url: await server.start(),
    restart: async () => {
      const relayLog = server.relayLog;
      await server.stop();
      storage = store.open();
      server = new ReferenceServer({ storage, profile: server.profile, testControl: true, createStorage: () => storage, relayLog, faults });
      return server.start();
    },
    close: async () => { await server.stop(); store.dispose(); },
  };
  return handle;
}

export function createReferenceAdapter(options: ReferenceAdapterOptions = {}): Adapter {
  const url = options.url;
  const faults = options.faults ?? NO_FAULTS;
  if (url === undefined) {
    return {
      name: 'reference',
      description: 'The reference implementation in-process: WebSocket server on loopback, per-device keys, E2E encryption, virtual clock, SQLite storage in a temporary file (reopened at restart).',
      capabilities: new Set<Capability>([...COMMON, 'restart']),
      open: async (profile): Promise<Driver> => ReferenceDriver.open(await inProcessServer(profile, faults, options.storage ?? 'sqlite'), profile, faults),
    };
  }
  return {
    name: 'reference-ws',
    description: `The reference wire protocol v1 against the server at ${url} (test-control extension required).`,
    capabilities: new Set<Capability>(COMMON),
    open: async (profile): Promise<Driver> => ReferenceDriver.open({ url, close: async () => undefined }, profile, faults),
  };
}
