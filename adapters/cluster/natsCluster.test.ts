/**
 * The reference cluster with NATS as its bus (reference/bus/natsBus.ts) instead of Redis: 2 node
 * processes, devices spread over them, on the requirements whose every step crosses the bus -
 * a pairing code exchanged between nodes (PAIR-06), deliveries and reconnects (OFF-02), unlinks
 * racing each other and sends (AUTH-03, E2E-03), race checks included. Fewer property runs than
 * cluster.test.ts, which runs the same path over Redis.
 * Skipped, with one printed line, where PostgreSQL/NATS do not answer (CI fails instead).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runSuite } from '../../conformance/runSuite.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { RequirementId } from '../../model/requirements.js';
import { createClusterAdapter } from './index.js';

const ONLY: RequirementId[] = ['PAIR-06', 'OFF-02', 'AUTH-03', 'E2E-03'];

describe.skipIf(!inject('clusterServices'))('reference-cluster=2 over NATS', () => {
  const adapter = createClusterAdapter(2, { bus: 'nats' });
  afterAll(async () => { await adapter.dispose?.(); });

  it('passes the bus-crossing requirements, race checks included', async () => {
    expect(adapter.description).toMatch(/NATS/);
    const report = await runSuite({ adapter, adapterSpec: 'reference-cluster=2 (NATS)', profile: DEFAULT_PROFILE, seed: 13, runs: 5, only: ONLY });
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.failure?.message}`)).toEqual([]);
    const verdicts = Object.fromEntries(report.requirements.map((r) => [r.id, r.verdict]));
    for (const id of ONLY) expect(verdicts[id], id).toBe('pass');
    expect(report.checks.filter((c) => c.id.startsWith('race-') && c.status === 'pass').length).toBeGreaterThan(0);
  }, 300_000);
});
