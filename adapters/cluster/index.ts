/**
 * `--adapter reference-cluster=N` (issue 13): the reference as a CLUSTER of N nodes on loopback,
 * each a process of its own, sharing a fresh PostgreSQL schema (the store) and a Redis channel
 * (the bus between nodes; NATS instead with LINKSPEC_CLUSTER_BUS=nats or the option `bus`). Devices are spread over the nodes in turn, so with N >= 2 a device's
 * peers (its primary, the other account, the harness's test control) are mostly on other nodes:
 * every push, delivery, link offer and deadline crosses the bus.
 *
 * The nodes start at the first `open` and stop when this process exits (or `closeClusters()`);
 * each `open` resets the world on every node (tc.reset empties the shared schema). Needs
 * PostgreSQL and the bus's service (adapters/cluster/services.ts): without them `open` fails
 * with a message naming the missing service.
 */
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import type { Fault } from '../../reference/faults.js';
import { ReferenceDriver } from '../reference/driver.js';
import { COMMON } from '../reference/index.js';
import { ClusterNodes, type ClusterBus } from './nodes.js';
import { describeMissing, probeServices } from './services.js';

export const MAX_CLUSTER_NODES = 8;

/**
 * What the cluster supports: the reference over the wire's, without in-process restart (one
 * server process stopped and started on its store; a cluster's node failure is tested instead,
 * nodeFailure.test.ts). Test-control state kept per node is gathered from every node by the
 * driver: server-traffic is the union of what each node received, a lie is started on every node
 * and what each counted is summed (the lists it replays are in the shared store);
 * device-list-inspection is a client's own devices.get, read from the shared store.
 */
export const CLUSTER_CAPABILITIES: readonly Capability[] = [...COMMON];

const running = new Set<ClusterNodes>();

/** Stop every cluster this process started (tests call it; otherwise process exit does). */
export async function closeClusters(): Promise<void> {
  for (const c of [...running]) { running.delete(c); await c.close(); }
}

export interface ClusterAdapterOptions {
  /** Known-bad switches in every node (race variants, adapters/known-bad). */
  readonly faults?: readonly Fault[];
  readonly name?: string;
  /** The bus between the nodes; default LINKSPEC_CLUSTER_BUS, else 'redis'. */
  readonly bus?: ClusterBus;
}

/** The bus named by LINKSPEC_CLUSTER_BUS (redis | nats), default redis. */
export function clusterBusFromEnv(value = process.env.LINKSPEC_CLUSTER_BUS): ClusterBus {
  if (value === undefined || value === '' || value === 'redis') return 'redis';
  if (value === 'nats') return 'nats';
  throw new RangeError(`LINKSPEC_CLUSTER_BUS='${value}': expected redis or nats`);
}

export function createClusterAdapter(count: number, options: ClusterAdapterOptions = {}): Adapter & { nodes(): Promise<ClusterNodes> } {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CLUSTER_NODES) throw new RangeError(`reference-cluster=N: N must be 1..${MAX_CLUSTER_NODES}`);
  const bus = options.bus ?? clusterBusFromEnv();
  let started: Promise<ClusterNodes> | undefined;
  const nodes = (): Promise<ClusterNodes> => {
    started ??= (async () => {
      const status = await probeServices();
      // The cluster needs PostgreSQL and its bus's service; the other bus is not asked.
      const missing = describeMissing({ postgres: status.postgres, [bus]: status[bus] });
      if (missing) throw new Error(`reference-cluster needs PostgreSQL and ${bus === 'nats' ? 'NATS' : 'Redis'}: ${missing}`);
      const set = await ClusterNodes.start(count, options.faults ?? [], bus);
      running.add(set);
      return set;
    })();
    return started;
  };
  return {
    name: options.name ?? `reference-cluster=${count}`,
    description: `The reference as ${count} node process(es) on loopback sharing PostgreSQL (store) and ${bus === 'nats' ? 'NATS' : 'Redis'} (bus); devices spread over the nodes.`,
    capabilities: new Set<Capability>(CLUSTER_CAPABILITIES),
    open: async (profile): Promise<Driver> => {
      const set = await nodes();
      const urls = set.urls;
      return ReferenceDriver.open({ url: urls[0], nodes: urls, close: async () => undefined }, profile, new Set(options.faults ?? []));
    },
    nodes,
    dispose: async () => {
      if (!started) return;
      const set = await started.catch(() => undefined);
      started = undefined;
      if (set) { running.delete(set); await set.close(); }
    },
  };
}
