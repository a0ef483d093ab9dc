/**
 * The one test Stryker runs against every mutant of reference/ (vitest.mutation.config.ts): the
 * conformance suite against the in-process reference, with a fixed seed, failing as soon as any
 * check fails (a killed mutant costs only the checks up to the first failure). First the model
 * paths and targeted checks with a single property walk, then the property walks alone.
 * Serves every requirement: a surviving mutant is a change the suite cannot see.
 */
import { expect, it } from 'vitest';
import { createReferenceAdapter } from '../adapters/reference/index.js';
import { PROPERTY_CHECK_ID } from '../conformance/propertySuite.js';
import { runSuite, type ProgressEvent } from '../conformance/runSuite.js';
import { DEFAULT_PROFILE } from '../model/profile.js';

export const MUTATION_SEED = 20261125;
export const MUTATION_RUNS = 15;

function failFast(event: ProgressEvent): void {
  if (event.kind === 'check' && event.result.status === 'fail') {
    throw new Error(`${event.result.id}: ${event.result.failure?.message ?? 'failed'}`);
  }
}

it('the conformance suite passes against the reference (mutants must make it fail)', async () => {
  const adapter = createReferenceAdapter();
  try {
    const base = { adapter, adapterSpec: 'reference', profile: DEFAULT_PROFILE, seed: MUTATION_SEED, onProgress: failFast };
    const targeted = await runSuite({ ...base, runs: 1 });
    expect(targeted.verdict).toBe('conformant');
    const walks = await runSuite({ ...base, runs: MUTATION_RUNS, check: PROPERTY_CHECK_ID });
    expect(walks.verdict).toBe('conformant');
  } finally {
    await adapter.dispose?.();
  }
});
