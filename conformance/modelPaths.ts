/**
 * The model-generated test paths (suite 1 of the harness, loaded by conformance/modelSource.ts):
 * a modest set of event paths, each from the empty world, that together take every structural
 * transition and enter every structural state of the statechart (model/elements.ts), except any
 * listed in UNREACHABLE_ELEMENTS with the reason.
 *
 * How: a bounded, deterministic breadth-first search over the model (modelPaths/search.ts) keeps,
 * for each element of account A and of the clock, the first (shortest) path that reaches it;
 * account B's are A's mirrored (modelPaths/mirror.ts); the oracle replays every candidate and its
 * reported transition and state ids are the truth of what it covers; a greedy set cover keeps few
 * of them (modelPaths/cover.ts). The result is memoised per profile (generation takes under a
 * second; the harness and the tests ask more than once).
 *
 * Serves every requirement ID that a statechart element serves (each path lists its own).
 */
import { describeEvent, type LinkEvent } from '../model/events.js';
import { modelElements, type StatechartElement } from '../model/elements.js';
import type { Profile } from '../model/profile.js';
import type { RequirementId } from '../model/requirements.js';
import { eventNeeds, REQUIREMENT_NEEDS } from './capabilities.js';
import type { ModelPath } from './modelSource.js';
import { greedyCover, oracleCovers, type Candidate } from './modelPaths/cover.js';
import { mirrorElementId, mirrorPath } from './modelPaths/mirror.js';
import { searchFirstPaths } from './modelPaths/search.js';

export type { ModelPath };

/**
 * Elements no path can show, and why (none today: clock.advancing, entered and left within an
 * ADVANCE, counts since the oracle reports every state a step passes through).
 */
export const UNREACHABLE_ELEMENTS: Readonly<Record<string, string>> = {};

/**
 * A path's id: the element it was found for, with `/` written `:` (the CLI's `--check path:<id>`
 * accepts letters, digits and `:._~-` only): `A.registered:scanLimitReached`.
 */
export function pathIdOf(elementId: string): string {
  return elementId.replace('/', ':');
}

type Needs = (events: readonly LinkEvent[]) => ReadonlySet<string>;
const needs: Needs = (events) => new Set(events.flatMap(eventNeeds));

const memo = new Map<string, ModelPath[]>();

/** The covering paths of a profile, generated once per profile and memoised (copies handed out). */
export function coveringPaths(profile: Profile): ModelPath[] {
  const key = JSON.stringify(profile);
  let paths = memo.get(key);
  if (!paths) {
    paths = generateCoveringPaths(profile).paths;
    memo.set(key, paths);
  }
  return paths.map((p) => ({ ...p, events: [...p.events], covers: [...p.covers], requirements: [...p.requirements] }));
}

export interface Generation {
  readonly paths: ModelPath[];
  /** Wanted elements no path covers (the search's bounds were too tight, or a new element). */
  readonly missed: readonly string[];
  /** Abstract states the search visited (its deterministic measure of effort). */
  readonly statesVisited: number;
}

/** The generation itself, not memoised: for tests and diagnostics. */
export function generateCoveringPaths(profile: Profile): Generation {
  const elements = modelElements(profile);
  const byId = new Map(elements.map((e) => [e.id, e]));
  const wanted = elements.map((e) => e.id).filter((id) => !(id in UNREACHABLE_ELEMENTS));
  const searched = searchFirstPaths(profile, wanted.filter((id) => !id.startsWith('B')));
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const add = (target: string, events: LinkEvent[]) => {
    const text = JSON.stringify(events);
    if (seen.has(text)) return;
    seen.add(text);
    candidates.push({ target, events, covers: oracleCovers(profile, events) });
  };
  for (const [target, events] of searched.firstPaths) add(target, [...events]);
  for (const [target, events] of searched.firstPaths) if (target.startsWith('A')) add(mirrorElementId(target), mirrorPath(events));
  const initial = new Set(oracleCovers(profile, []));
  const paths = greedyCover(candidates, new Set(wanted), needs).map((c) => toModelPath(c, byId, initial, needs));
  const covered = new Set(paths.flatMap((p) => p.covers));
  return { paths, missed: wanted.filter((id) => !covered.has(id)), statesVisited: searched.states };
}

function toModelPath(c: Candidate, byId: ReadonlyMap<string, StatechartElement>, initial: ReadonlySet<string>, needs: Needs): ModelPath {
  const covered = c.covers.filter((id) => byId.has(id));
  const target = byId.get(c.target);
  // The states active in the empty world (the regions, `unregistered`) are on every path: their
  // requirements would make every path claim LIFE-01, LIMIT-01… whatever it actually exercises.
  // And a path claims only what its steps can exercise (conformance/capabilities.ts): SEND from a
  // companion still linking serves AUTH-02, but only a server-injected device really tests it,
  // so a path must not pass AUTH-02 for an adapter that cannot inject one.
  const has = needs(c.events);
  const requirements = [...new Set(covered.filter((id) => !initial.has(id)).flatMap((id) => byId.get(id)!.requirements))]
    .filter((r) => (REQUIREMENT_NEEDS[r as RequirementId] ?? []).every((n) => has.has(n)))
    .sort();
  const last = c.events[c.events.length - 1];
  return {
    id: pathIdOf(c.target),
    title: `reaches ${c.target}: ${target?.description ?? ''}${last ? ` (last step: ${describeEvent(last)})` : ''}`,
    events: c.events,
    covers: covered,
    requirements,
  };
}
