/**
 * A set of reference cluster nodes on loopback for one run (issue 13): N child processes
 * (nodeMain.ts) sharing a FRESH PostgreSQL schema and one bus channel (Redis, or NATS). The
 * schema is dropped when the set is closed, or when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Fault } from '../../reference/faults.js';
import { PostgresStorage } from '../../reference/storage/postgres.js';
import { SERVICE_URLS } from './services.js';

/** Which local service carries the bus between the nodes (adapters/cluster/services.ts). */
export type ClusterBus = 'redis' | 'nats';

const NODE_MAIN = fileURLToPath(new URL('./nodeMain.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface NodeProcess {
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
}

export class ClusterNodes {
  readonly nodes: NodeProcess[] = [];
  private closed = false;
  private readonly onExit = () => this.killAll();

  private constructor(readonly schema: string, private readonly faults: readonly Fault[], readonly bus: ClusterBus) {
    process.once('exit', this.onExit);
  }

  /** Start `count` nodes on a new schema `lsrun_<random>`, over the local Redis (default) or NATS. */
  static async start(count: number, faults: readonly Fault[] = [], bus: ClusterBus = 'redis'): Promise<ClusterNodes> {
    const schema = `lsrun_${randomBytes(5).toString('hex')}`;
    // Create the schema and tables once, before the nodes race to do it.
    new PostgresStorage(SERVICE_URLS.postgres, { schema }).close();
    const set = new ClusterNodes(schema, faults, bus);
    try {
      const started = await Promise.all(Array.from({ length: count }, () => set.spawnNode()));
      set.nodes.push(...started);
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  get urls(): string[] { return this.nodes.map((n) => n.url); }

  /** Start one more node on the same schema (after a node was killed). */
  async addNode(): Promise<NodeProcess> {
    const node = await this.spawnNode();
    this.nodes.push(node);
    return node;
  }

  private spawnNode(): Promise<NodeProcess> {
    const options = JSON.stringify({ store: SERVICE_URLS.postgres, schema: this.schema, bus: SERVICE_URLS[this.bus], faults: this.faults });
    const child = spawn(process.execPath, ['--import', 'tsx', NODE_MAIN, options], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cluster node did not start within ${START_TIMEOUT_MS} ms: ${err.trim()}`)); }, START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = /NODE (\S+) (ws:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          // The nodes must not keep this process alive: its 'exit' hook stops them.
          child.unref();
          (child.stdout as unknown as { unref(): void }).unref();
          (child.stderr as unknown as { unref(): void }).unref();
          resolve({ id: m[1], url: m[2], child });
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`cluster node exited (${code}) before listening: ${err.trim()}`)); });
    });
  }

  /** SIGKILL one node (node-failure test): no orderly shutdown, nothing flushed. */
  kill(index: number): void {
    this.nodes[index]?.child.kill('SIGKILL');
  }

  private killAll(): void {
    for (const n of this.nodes) if (n.child.exitCode === null) n.child.kill('SIGKILL');
    if (!this.closed) {
      this.closed = true;
      try {
        const store = new PostgresStorage(SERVICE_URLS.postgres, { schema: this.schema });
        store.dropSchema();
        store.close();
      } catch { /* PostgreSQL gone: the schema stays, named lsrun_* */ }
    }
  }

  async close(): Promise<void> {
    process.removeListener('exit', this.onExit);
    await Promise.all(this.nodes.map((n) => new Promise<void>((resolve) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => { n.child.kill('SIGKILL'); }, 3_000);
      n.child.once('exit', () => { clearTimeout(timer); resolve(); });
      n.child.kill('SIGTERM');
    })));
    this.killAll();
  }
}
