/**
 * The exhaustive check can fail, and does not on the real machine: for every invariant, a
 * deliberately broken copy (brokenCopies.ts) makes the check report a violation of exactly that
 * invariant first, with a short path from the empty world; the real machine has no violation in
 * the quick configuration, explored to completion.
 */
import { describe, expect, it } from 'vitest';
import { crossAccountAbstraction, crossAccountProfile, defaultAbstraction, exploredProfile, exploreModel, formatPath } from '../explore.js';
import { INVARIANTS } from '../invariants.js';
import { DEFAULT_PROFILE } from '../profile.js';
import { BROKEN_COPIES, brokenMachine } from './brokenCopies.js';

// Broken copies: the smallest limit (1 companion, so the limit is hit in 5 steps) and one
// message, so that the delivery invariants can be broken.
const SMALL = { ...DEFAULT_PROFILE, maxCompanions: 1 };
const withOneMessage = defaultAbstraction(exploredProfile(SMALL, 'quick'), 1, 1);
const crossAccount = crossAccountAbstraction(0, 1);

describe('exhaustive check, broken copies', () => {
  it('has one broken copy per invariant', () => {
    expect(Object.keys(BROKEN_COPIES).sort()).toEqual(INVARIANTS.map((inv) => inv.id).sort());
  });

  for (const inv of INVARIANTS) {
    it(`catches ${inv.id}: ${BROKEN_COPIES[inv.id]?.how}`, () => {
      const abstraction = BROKEN_COPIES[inv.id]?.crossAccount ? crossAccount : withOneMessage;
      const result = exploreModel(SMALL, { config: 'quick', abstraction, machine: brokenMachine(inv.id), stopAtFirstViolation: true, maxStates: 20_000 });
      expect(result.complete).toBe(false);
      expect(result.violations.map((v) => v.invariant)).toEqual([inv.id]);
      const [violation] = result.violations;
      expect(violation!.requirements).toEqual(inv.requirements);
      expect(violation!.path.length).toBe(BROKEN_COPIES[inv.id]!.shortest);
      expect(formatPath(violation!.path)).toHaveLength(violation!.path.length);
    });
  }
});

describe('exhaustive check, the real machine', () => {
  it('finds no violation in the quick configuration and explores it completely', () => {
    const result = exploreModel(DEFAULT_PROFILE, { config: 'quick' });
    expect(result.violations).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.invariants).toBe(INVARIANTS.length);
    expect(result.profile.maxCompanions).toBe(2);
    expect(result.abstraction.join('\n')).toMatch(/scaled from 4 to 2/);
    // Both passes ran to completion and are summed: the cross-account pass is not skipped.
    expect(result.passes.map((p) => [p.name, p.complete, p.maxCompanions])).toEqual([['main', true, 2], ['cross-account', true, 1]]);
    expect(result.states).toBe(result.passes[0]!.states + result.passes[1]!.states);
    expect(result.passes[1]!.states).toBeGreaterThan(1000);
  }, 300_000);
});

describe('exhaustive check, alphabet reductions', () => {
  it('reach the same states as trying every filler and every probe everywhere', () => {
    // Two fillers (so one-per-class matters), no message, no time step: small enough to run twice.
    const profile = { ...DEFAULT_PROFILE, maxCompanions: 2 };
    const abstraction = defaultAbstraction(profile, 0, 0);
    const reduced = exploreModel(profile, { config: 'quick', abstraction });
    const unreduced = exploreModel(profile, { config: 'quick', abstraction: { ...abstraction, reduceAlphabet: false } });
    expect(reduced.complete && unreduced.complete).toBe(true);
    expect(reduced.states).toBe(unreduced.states);
    expect(reduced.transitions).toBeLessThan(unreduced.transitions);
    expect(unreduced.violations).toEqual([]);
  }, 60_000);
});

describe('exhaustive check, the cross-account pass', () => {
  it('its SCAN_QR probes only where the scanned companion has a QR reach the same states as trying them everywhere', () => {
    const profile = crossAccountProfile(DEFAULT_PROFILE);
    const abstraction = crossAccountAbstraction(0, 0);
    const reduced = exploreModel(profile, { abstraction });
    const unreduced = exploreModel(profile, { abstraction: { ...abstraction, reduceAlphabet: false } });
    expect(reduced.complete && unreduced.complete).toBe(true);
    expect(reduced.states).toBe(unreduced.states);
    expect(reduced.transitions).toBeLessThan(unreduced.transitions);
    expect(unreduced.violations).toEqual([]);
  }, 120_000);
});

describe('formatPath', () => {
  it('numbers one line per step', () => {
    expect(formatPath([{ type: 'REGISTER', account: 'A', idCheck: true }, { type: 'SHOW_QR', device: 'A.c1' }]))
      .toEqual(['  1. REGISTER A with ID check', '  2. SHOW_QR A.c1']);
  });
});
