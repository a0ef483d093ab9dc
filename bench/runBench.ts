/**
 * The benchmark registry behind `linkspec bench` (issue 6): each named benchmark returns JSON
 * lines (bench/line.ts BenchLine), with its baseline and ratio from the same run where one
 * exists and its target (BENCHMARKS.md) with `met`. Targets are measured and reported, never
 * asserted. Every loop is bounded in count and time; `quick` shrinks every bound.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { benchCluster } from './cluster.js';
import { benchCrypto } from './crypto.js';
import { benchIdleConnections } from './connections.js';
import { benchHarness } from './harness.js';
import type { BenchLine } from './line.js';
import { benchPairing } from './pairing.js';
import { benchRelay } from './relay.js';
import { benchDeepJsonFlood, benchPairingCodePbkdf2 } from './abuse.js';
import { benchFragmentMemory } from './fragmentMemory.js';
import { benchTick } from './tick.js';
import { benchBacklog } from './backlog.js';

export interface BenchOptions { readonly quick: boolean }

export const BENCHES: Record<string, (o: BenchOptions) => Promise<BenchLine[]>> = {
  harness: (o) => benchHarness({ quick: o.quick }),
  connections: (o) => benchIdleConnections({ count: o.quick ? 1_000 : 10_000 }),
  relay: (o) => benchRelay(o.quick ? { count: 3_000, maxMs: 1_500 } : { count: 20_000, maxMs: 4_000 }),
  pairing: (o) => benchPairing({ ms: o.quick ? 1_500 : 4_000 }),
  abuse: async (o) => [
    ...await benchDeepJsonFlood(o.quick ? { floodSockets: 4, probes: 50, maxMs: 3_000 } : { floodSockets: 16, probes: 300, maxMs: 10_000 }),
    ...benchPairingCodePbkdf2({ runs: o.quick ? 3 : 10 }),
    ...await benchFragmentMemory({ sockets: o.quick ? 32 : 128 }),
  ],
  // Issue 10: the deadline tick at 10,000 and 50,000 accounts against the whole-store scan it replaced.
  tick: (o) => benchTick(o.quick ? { accounts: [2_000], ticks: 3 } : { accounts: [10_000, 50_000], ticks: 5 }),
  // Issue 10: peak server RSS while a device drains a 400 MB backlog, against no delivery window.
  backlog: (o) => benchBacklog(o.quick ? { messages: 200, payloadBytes: 100_000 } : { messages: 4_000, payloadBytes: 100_000 }),
  // Issue 13: 1 node against 2 nodes on PostgreSQL + Redis (a 'skipped' line without them).
  cluster: (o) => benchCluster({ ms: o.quick ? 1_000 : 3_000 }),
  crypto: async (o) => {
    const lines = await benchCrypto({ msPerSide: o.quick ? 100 : 500 });
    // The per-device seal target (issue 6): >= 100,000/s, byte-compatible with nacl.box.
    return lines.map((l) => l.bench === 'crypto.seal'
      ? { ...l, target: '>= 100000/s, byte-compatible with nacl.box', met: (l.opsPerSec as number) >= 100_000 && l.byteCompatible === true }
      : l);
  },
};

export const BENCH_NAMES = Object.keys(BENCHES);

/** The machine the figures come from; the load average shows whether others shared the CPUs. */
export function machineLine(): BenchLine {
  return {
    bench: 'machine', cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`,
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** Run the named benchmarks in order, handing each line over as soon as it exists. */
export async function runBenches(names: readonly string[], options: BenchOptions, emit: (line: BenchLine) => void): Promise<void> {
  emit(machineLine());
  for (const name of names) {
    const started = performance.now();
    for (const line of await BENCHES[name]!(options)) emit(line);
    emit({ bench: `${name}.done`, wallMs: Math.round(performance.now() - started), quick: options.quick });
  }
}
