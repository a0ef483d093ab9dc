/**
 * The breadth-first search for covering paths: from the empty world, over the alphabet of
 * alphabet.ts, the first (hence shortest, within the search's abstraction) event path that takes
 * each statechart transition or enters each state. Deterministic: the alphabet is ordered, the
 * search is bounded by depth and by a number of states (never by the clock), and it stops as soon
 * as every wanted element has a path.
 *
 * Serves the coverage of every statechart element (all requirement IDs through them).
 */
import { modelElements } from '../../model/elements.js';
import type { LinkEvent } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';
import { searchStateSpace } from '../../model/stateSpace.js';
import { searchAlphabet } from './alphabet.js';
import { searchTiers, type SearchTier } from './prefixes.js';

export interface SearchBounds {
  /** Longest path tried (events). */
  readonly maxDepth: number;
  /** States visited at most: the search's deterministic stand-in for a time limit. */
  readonly maxStates: number;
}

export const DEFAULT_BOUNDS: SearchBounds = { maxDepth: 24, maxStates: 200_000 };

export interface SearchOutcome {
  /** Element id → the first path found that takes it (transition) or enters it (state). */
  readonly firstPaths: ReadonlyMap<string, readonly LinkEvent[]>;
  /** Wanted elements the search did not reach within its bounds. */
  readonly missed: readonly string[];
  readonly states: number;
  readonly complete: boolean;
}

/**
 * Searches until every id of `wanted` has a path, or the bounds are reached: tier after tier
 * (prefixes.ts), each looking only for what the earlier ones did not reach.
 */
export function searchFirstPaths(profile: Profile, wanted: readonly string[], bounds: SearchBounds = DEFAULT_BOUNDS): SearchOutcome {
  const open = new Set(wanted);
  const firstPaths = new Map<string, LinkEvent[]>();
  let states = 0;
  let complete = true;
  for (const tier of searchTiers(profile)) {
    if (open.size === 0) break;
    const found = searchTier(profile, tier, bounds, open, firstPaths);
    states += found.states;
    complete &&= found.complete;
  }
  return { firstPaths, missed: [...open], states, complete };
}

function searchTier(profile: Profile, tier: SearchTier, bounds: SearchBounds, open: Set<string>, firstPaths: Map<string, LinkEvent[]>) {
  const alphabet = searchAlphabet(profile, tier.prefix);
  // A state left within the step that entered it (clock.advancing) is never active after a step:
  // the states a taken transition targets count as entered, as the oracle reports them.
  const targets = new Map(modelElements(profile).map((e) => [e.id, e.targets ?? []]));
  const maxDepth = Math.min(bounds.maxDepth, tier.prefix.length + tier.depthAfterPrefix);
  const result = searchStateSpace({
    profile,
    alphabet: (node) => alphabet.events(node),
    keySpec: alphabet.keySpec,
    maxStates: bounds.maxStates,
    onEdge: (edge, pathTo) => {
      let path: LinkEvent[] | undefined;
      for (const id of [...edge.transitions, ...edge.transitions.flatMap((t) => targets.get(t) ?? []), ...edge.to.states]) {
        if (!open.has(id)) continue;
        path ??= [...pathTo(edge.from.index), edge.event];
        firstPaths.set(id, path);
        open.delete(id);
      }
      return open.size === 0 ? 'stop' : 'continue';
    },
    onState: (node) => (node.depth >= maxDepth ? 'prune' : 'continue'),
  });
  return { states: result.states, complete: result.complete || open.size === 0 };
}
