/**
 * Harness throughput (issue 6): the default conformance suite against the reference in-process
 * (wall time, model steps per second) and the same suite over the wire through `reference-ws`
 * against `linkspec serve --test-control` in another process. The suite must stay CONFORMANT
 * while being timed; a figure from a non-conformant run says so (`verdict`).
 */
import { resolveAdapter } from '../adapters/index.js';
import { runSuite } from '../conformance/runSuite.js';
import { DEFAULT_PROFILE } from '../model/profile.js';
import { startServe } from './child.js';
import type { BenchLine } from './line.js';

const SEED = 20261125;

async function timedSuite(spec: string, runs: number | undefined): Promise<{ ms: number; steps: number; verdict: string; checks: number }> {
  const adapter = await resolveAdapter(spec);
  try {
    const started = performance.now();
    const report = await runSuite({ adapter, adapterSpec: spec, profile: DEFAULT_PROFILE, seed: SEED, ...(runs === undefined ? {} : { runs }) });
    return { ms: Math.round(performance.now() - started), steps: report.summary.modelSteps, verdict: report.verdict, checks: report.summary.checks.total };
  } finally {
    await adapter.dispose?.();
  }
}

/** `quick`: 10 property runs instead of the default 100 (the suite figure then is not the default suite's). */
export async function benchHarness(options: { quick?: boolean } = {}): Promise<BenchLine[]> {
  const runs = options.quick ? 10 : undefined;
  const local = await timedSuite('reference', runs);
  const localRate = Math.round((local.steps * 1000) / local.ms);
  const lines: BenchLine[] = [
    { bench: 'harness.suite', wallMs: local.ms, runs: runs ?? 'default (100)', seed: SEED, checks: local.checks, verdict: local.verdict, target: '<= 30000 ms', met: local.ms <= 30_000 },
    { bench: 'harness.stepsInProcess', stepsPerSec: localRate, steps: local.steps, wallMs: local.ms, target: '>= 5000/s', met: localRate >= 5_000 },
  ];
  const served = await startServe();
  try {
    const remote = await timedSuite(`reference-ws=${served.url}`, runs);
    const remoteRate = Math.round((remote.steps * 1000) / remote.ms);
    lines.push({
      bench: 'harness.stepsWs', stepsPerSec: remoteRate, steps: remote.steps, wallMs: remote.ms, verdict: remote.verdict,
      baseline: 'harness.stepsInProcess', baselineStepsPerSec: localRate, ratio: Math.round((remoteRate / localRate) * 100) / 100,
      target: '>= 1000/s', met: remoteRate >= 1_000,
    });
  } finally {
    await served.stop();
  }
  return lines;
}
