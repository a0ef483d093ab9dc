/**
 * The model-generated paths (conformance/modelPaths.ts), for the default and the Signal-like
 * profile: together, by the oracle's own report, they cover every statechart element except the
 * ones listed here as unreachable (a new unreachable element fails this test); ids are unique and
 * stable; every path replays through the oracle; each path's requirements are its elements' that
 * its steps can exercise.
 */
import { describe, expect, it } from 'vitest';
import { createOracle } from '../../model/createOracle.js';
import { modelElements } from '../../model/elements.js';
import { DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE } from '../../model/profile.js';
import { coveringPaths, generateCoveringPaths, pathIdOf, UNREACHABLE_ELEMENTS } from '../modelPaths.js';
import { mirrorElementId, mirrorPath } from '../modelPaths/mirror.js';
import { eventNeeds, REQUIREMENT_NEEDS } from '../capabilities.js';
import type { RequirementId } from '../../model/requirements.js';

// Elements no path can cover, with the reason in UNREACHABLE_ELEMENTS: none. A new element the
// search cannot reach fails this test until it is listed (or reached).
const UNREACHABLE: string[] = [];

describe.each([DEFAULT_PROFILE, SIGNAL_LIKE_PROFILE])('covering paths, profile $name', (profile) => {
  const paths = coveringPaths(profile);

  it('cover, by the oracle, every element but the unreachable ones', () => {
    const seen = new Set<string>();
    for (const path of paths) {
      const oracle = createOracle(profile);
      const mine = new Set<string>(oracle.activeStates());
      for (const event of path.events) {
        const step = oracle.step(event);
        for (const id of [...step.transitions, ...step.states]) mine.add(id);
      }
      for (const id of path.covers) expect(mine.has(id), `${path.id} covers ${id}`).toBe(true);
      for (const id of mine) seen.add(id);
    }
    const all = modelElements(profile).map((e) => e.id);
    expect(all.filter((id) => !seen.has(id))).toEqual(UNREACHABLE);
    expect(Object.keys(UNREACHABLE_ELEMENTS)).toEqual(UNREACHABLE);
  });

  it('have unique ids, stable across calls, and a bounded size', () => {
    const ids = paths.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(coveringPaths(profile)).toEqual(paths);
    const fresh = generateCoveringPaths(profile); // not memoised: the generation is deterministic
    expect(fresh.paths).toEqual(paths);
    expect(fresh.missed).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9:._~-]+$/.test(id))).toBe(true); // what `--check path:<id>` accepts
    expect(paths.every((p) => p.events.length > 0 && p.title.startsWith('reaches '))).toBe(true);
    expect(paths.reduce((n, p) => n + p.events.length, 0)).toBeLessThan(1500);
  });

  it("list their elements' requirements, those their steps can exercise", () => {
    const byPathId = new Map(modelElements(profile).map((e) => [pathIdOf(e.id), e]));
    for (const path of paths) {
      const target = byPathId.get(path.id)!;
      expect(path.title).toContain(`reaches ${target.id}: `);
      expect(path.covers).toContain(target.id);
      const has = new Set(path.events.flatMap(eventNeeds));
      const exercisable = (r: RequirementId) => REQUIREMENT_NEEDS[r].every((n) => has.has(n));
      for (const r of target.requirements) expect(path.requirements.includes(r)).toBe(exercisable(r as RequirementId));
      expect(path.requirements.every((r) => exercisable(r as RequirementId))).toBe(true);
    }
  });

  it("need an ID check only where it is refused (an adapter without 'id-check' still runs the rest)", () => {
    const needing = paths.filter((p) => p.events.some((e) => eventNeeds(e).includes('id-check'))).map((p) => p.id);
    expect(needing.sort()).toEqual(['A.registered:codeIdCheckFailed', 'A.registered:scanIdCheckFailed', 'B.registered:codeIdCheckFailed', 'B.registered:scanIdCheckFailed']);
  });
});

describe('mirroring', () => {
  it('renames accounts A and B, and nothing else', () => {
    expect(mirrorElementId('A.registered/scanLimitReached')).toBe('B.registered/scanLimitReached');
    expect(mirrorElementId('clock.idle/advance')).toBe('clock.idle/advance');
    expect(mirrorPath([{ type: 'UNLINK', by: 'B.c1', target: 'A.primary' }, { type: 'ADVANCE', ms: 5 }]))
      .toEqual([{ type: 'UNLINK', by: 'A.c1', target: 'B.primary' }, { type: 'ADVANCE', ms: 5 }]);
  });
});
