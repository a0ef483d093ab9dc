/**
 * Known-bad RACE variants (issue 13): the reference cluster with one concurrency bug switched
 * on in every node (reference/faults.ts). Each is a bug the sequential suite cannot see - one
 * operation at a time, the check that was skipped or taken too early still gives the right
 * answer - and race mode must catch: `measureRaceVariant` runs both on the same faulty cluster
 * and reports which caught it. `linkspec selftest --race` runs them all.
 */
import type { Adapter, Capability } from '../../conformance/contract.js';
import { runSuite } from '../../conformance/runSuite.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { RequirementId } from '../../model/requirements.js';
import type { Fault } from '../../reference/faults.js';
import type { RunReport } from '../../reports/schema.js';
import { createClusterAdapter } from './index.js';

export interface RaceVariant {
  readonly id: Fault;
  readonly title: string;
  readonly breaks: RequirementId;
  /** The race check expected to catch it. */
  readonly raceCheck: `race-${string}`;
}

export const RACE_VARIANTS: readonly RaceVariant[] = [
  { id: 'limit-at-precheck-only', breaks: 'LIMIT-01', raceCheck: 'race-last-slot', title: 'The companion limit is checked at link.precheck only, not in the approval transaction' },
  { id: 'unlink-unlocked', breaks: 'AUTH-03', raceCheck: 'race-double-unlink', title: 'An unlink decides on a read taken before its transaction (no account lock, no re-read)' },
];

export interface RaceKill {
  readonly variant: RaceVariant;
  /** Requirements failed by the suite WITHOUT race checks (the adapter does not offer 'concurrency'). */
  readonly sequential: readonly string[];
  /** Checks failed by race mode. */
  readonly race: readonly string[];
  readonly sequentialMs: number;
  readonly raceMs: number;
}

const failing = (r: RunReport) => r.requirements.filter((x) => x.verdict === 'fail' || x.verdict === 'non-strict').map((x) => x.id);

/** Hides one capability: the same faulty cluster, judged by the sequential suite alone. */
function without(adapter: Adapter, capability: Capability): Adapter {
  const capabilities = new Set(adapter.capabilities);
  capabilities.delete(capability);
  return { name: adapter.name, description: adapter.description, capabilities, open: (p) => adapter.open(p) };
}

export async function measureRaceVariant(variant: RaceVariant, options: { nodes?: number; seed?: number; runs?: number; fast?: boolean } = {}): Promise<RaceKill> {
  const nodes = options.nodes ?? 2;
  const adapter = createClusterAdapter(nodes, { faults: [variant.id], name: `race-variant:${variant.id}` });
  const spec = `reference-cluster=${nodes} (fault ${variant.id})`;
  try {
    let t = performance.now();
    // --fast: only the checks that serve the broken requirement (as selftest --fast does).
    const sequential = await runSuite({
      adapter: without(adapter, 'concurrency'), adapterSpec: spec, profile: DEFAULT_PROFILE, seed: options.seed ?? 7, runs: options.runs ?? 30,
      ...(options.fast ? { only: [variant.breaks] } : {}),
    });
    const sequentialMs = performance.now() - t;
    t = performance.now();
    const race = await runSuite({ adapter, adapterSpec: spec, profile: DEFAULT_PROFILE, seed: options.seed ?? 7, check: variant.raceCheck });
    return {
      variant, sequential: failing(sequential), race: race.checks.filter((c) => c.status === 'fail').map((c) => c.id),
      sequentialMs, raceMs: performance.now() - t,
    };
  } finally {
    await adapter.dispose?.();
  }
}
