/**
 * One cluster node as a child process of the cluster adapter (adapters/cluster/index.ts):
 * `node --import tsx adapters/cluster/nodeMain.ts '<json ClusterNodeOptions + faults[]>'`.
 * Prints `NODE <id> <ws url>` once listening; stops on SIGTERM (SIGKILL in the node-failure test).
 * Internal: the public form is `linkspec serve --store … --bus …` (cli/commands/serve.ts); this
 * entry exists so known-bad variants can switch faults on in a node.
 */
import { startClusterNode } from '../../reference/bus/node.js';
import type { Fault } from '../../reference/faults.js';

const options = JSON.parse(process.argv[2] ?? '{}') as { store: string; schema: string; bus: string; faults?: Fault[] };
try {
  const node = await startClusterNode({ ...options, host: '127.0.0.1', port: 0, testControl: true, faults: new Set(options.faults ?? []) });
  process.stdout.write(`NODE ${node.node} ${node.url}\n`);
  process.once('SIGTERM', () => { void node.close().finally(() => process.exit(0)); });
} catch (error) {
  process.stderr.write(`cluster node failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
