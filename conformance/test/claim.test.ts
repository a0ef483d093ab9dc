/**
 * Conformance classes (model/classes.ts) and the claim (issue 9): exit 0 only when every MUST of
 * the claimed class passed; a MUST skipped or not exercised gives `incomplete`, naming each
 * missing capability once.
 */
import { describe, expect, it } from 'vitest';
import { classMusts, classRequirements, CLASSES } from '../../model/classes.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { requirement } from '../../model/requirements.js';
import { REQUIREMENT_NEEDS } from '../capabilities.js';
import { CAPABILITIES } from '../contract.js';
import { runSuite } from '../runSuite.js';
import { misbehavingAdapter } from './misbehaving/misbehave.js';
import { createMemoryAdapter, MEMORY_CAPABILITIES } from './fixtures/memoryAdapter.js';

describe('conformance classes', () => {
  it('core ⊂ messaging ⊂ full, each listing every capability its MUSTs need', () => {
    const [core, messaging, full] = ['core', 'messaging', 'full'].map((c) => new Set(classRequirements(c as 'core')));
    expect([...core!].every((r) => messaging!.has(r))).toBe(true);
    expect([...messaging!].every((r) => full!.has(r))).toBe(true);
    expect(core!.has('OFF-01')).toBe(false);
    expect(messaging!.has('OFF-01')).toBe(true);
    for (const spec of CLASSES) {
      for (const c of spec.capabilities) expect(Object.keys(CAPABILITIES)).toContain(c);
      for (const r of classMusts(spec.id)) {
        expect(requirement(r).level).toBe('MUST');
        for (const need of REQUIREMENT_NEEDS[r]) expect(spec.capabilities, `${spec.id} needs '${need}' for ${r}`).toContain(need);
      }
    }
  });
});

describe('the claim decides the gate', () => {
  it('an adapter declaring no capabilities is incomplete, each missing capability named once', async () => {
    const report = await runSuite({ adapter: misbehavingAdapter('no-capabilities'), adapterSpec: 'none', profile: DEFAULT_PROFILE, seed: 3, runs: 3 });
    expect(report.verdict).toBe('incomplete');
    expect(report.claim?.class).toBe('full');
    expect(report.replay).not.toContain('--claim');
    const names = report.claim!.missingCapabilities.map((m) => m.capability);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['qr-image', 'messaging', 'clock', 'offline']));
    // The capability's description appears once in the report's claim, not per skipped check.
    const text = JSON.stringify(report.checks);
    expect(text).not.toContain(CAPABILITIES['qr-image']);
  }, 60_000);

  it('a narrower claim judges only its class; what it lacks is named once, nothing else', async () => {
    // The worked example without 'key-change-notice' (LIFE-03): every other core capability.
    const lacking = createMemoryAdapter({ capabilities: MEMORY_CAPABILITIES.filter((c) => c !== 'key-change-notice') });
    const report = await runSuite({ adapter: lacking, adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 3, runs: 3, claim: 'core' });
    expect(report.claim?.class).toBe('core');
    expect(report.requirements.map((r) => r.id)).not.toContain('OFF-01');
    expect(report.verdict).toBe('incomplete');
    expect(report.claim?.missingCapabilities).toEqual([expect.objectContaining({ capability: 'key-change-notice', requirements: ['LIFE-03'] })]);
    expect(report.replay).toContain('--claim core');
    const only = await runSuite({ adapter: createMemoryAdapter(), adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 3, runs: 3, claim: 'core', only: ['LIMIT-01'] });
    expect(only.verdict).toBe('conformant');
  }, 120_000);
});
