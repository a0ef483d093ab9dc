/**
 * Start one reference cluster node: a ReferenceServer on the shared PostgreSQL store, its clock
 * in the store (StoreClock), its connections reachable from other nodes over the bus, Redis or
 * NATS (ClusterLink, bus.ts). `linkspec serve --store postgres://… --bus redis://…|nats://…` and
 * the cluster adapter (adapters/cluster) both start nodes through here.
 */
import type { VerificationSender } from '../server/verification.js';
import { randomBytes } from 'node:crypto';
import { ReferenceServer } from '../server/server.js';
import { PostgresStorage } from '../storage/postgres.js';
import type { FaultSet } from '../faults.js';
import { BUS_URL, openBus } from './bus.js';
import { ClusterLink } from './cluster.js';
import { StoreClock } from './storeClock.js';

export interface ClusterNodeOptions {
  /** postgres://… (or postgresql://…) */
  readonly store: string;
  /** The PostgreSQL schema all nodes of this cluster share; default `linkspec`. */
  readonly schema?: string;
  /** redis://… or nats://… */
  readonly bus: string;
  readonly host?: string;
  readonly port?: number;
  readonly testControl?: boolean;
  readonly faults?: FaultSet;
  /** Where number-verification codes go out of band (LIFE-03; server.ts ServerOptions). */
  readonly verificationSender?: VerificationSender;
}

export interface ClusterNode {
  readonly server: ReferenceServer;
  readonly url: string;
  readonly node: string;
  readonly storage: PostgresStorage;
  close(): Promise<void>;
}

/** Accepted store and bus URL forms (checked before anything connects). */
export function checkClusterUrls(store: string, bus: string): string | null {
  if (!/^postgres(ql)?:\/\//.test(store)) return `--store '${store}': expected postgres://… or postgresql://…`;
  if (!BUS_URL.test(bus)) return `--bus '${bus}': expected redis://… or nats://…`;
  return null;
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const storage = new PostgresStorage(options.store, { schema: options.schema });
  const node = randomBytes(6).toString('hex');
  let link: ClusterLink | undefined;
  try {
    const bus = await openBus(options.bus, storage.schema, (m) => link?.receive(m));
    link = new ClusterLink(node, storage, bus);
    const server = new ReferenceServer({
      storage, clock: new StoreClock(storage), cluster: link, testControl: options.testControl,
      host: options.host, port: options.port, faults: options.faults, verificationSender: options.verificationSender,
    });
    const url = await server.start();
    return {
      server, url, node, storage,
      close: async () => {
        await server.stop();
        await bus.close();
        storage.close();
      },
    };
  } catch (error) {
    storage.close();
    throw error;
  }
}
