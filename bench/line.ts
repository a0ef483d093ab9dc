/**
 * One benchmark figure, printed as one JSON line (issue 6). Every bench script returns these, so
 * `linkspec bench` can gather them from all scripts and a reader can grep or `jq` them.
 * `bench` names the figure (`<area>.<operation>`); the other fields depend on the figure - for a
 * throughput figure against a baseline: opsPerSec, baseline, baselineOpsPerSec, ratio.
 */
export interface BenchLine {
  bench: string;
  [k: string]: unknown;
}

/** Throughput of one operation measured beside a baseline in the same run. */
export interface ThroughputLine extends BenchLine {
  opsPerSec: number;
  baseline: string;
  baselineOpsPerSec: number;
  /** opsPerSec / baselineOpsPerSec: above 1 means faster than the baseline. */
  ratio: number;
}

/** How many times `op` runs per second, measured for about `ms` after a short warm-up. */
export function opsPerSecond(op: () => unknown, ms: number): number {
  const batch = 32; // read the clock once per batch so timing overhead stays small
  const warmUntil = performance.now() + Math.min(100, ms / 5);
  while (performance.now() < warmUntil) op();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) op();
    runs += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return Math.round((runs * 1000) / elapsed);
}
