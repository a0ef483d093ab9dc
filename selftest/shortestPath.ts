/**
 * The model's shortest path to a violation, to judge how well the harness shrinks (selftest).
 *
 * Definition (printed with the kill matrix): the failing step of a shrunk failure took some
 * statechart transitions in the model (the transitions the implementation should have taken),
 * from some situation: a configuration of active statechart states and, per device, its status
 * and whether it is online. The shortest path is the shortest event sequence from the empty
 * world, built from the events that occur in the shrunk path (in any order, any number of times),
 * whose last step starts in that same situation and takes all of those transitions. (Without the
 * situation a step the model treats as "nothing happens", such as ADVANCE before a deadline,
 * would match from the empty world, though the bug needs a linked companion to show.) It is found breadth first over the model (model/stateSpace.ts, states merged
 * by the model's key with every companion slot kept apart), never longer than the shrunk path
 * itself, which is one such sequence. So shrunk / shortest >= 1, and 1 means nothing to cut.
 */
import { createOracle } from '../model/createOracle.js';
import type { Observation } from '../model/observation.js';
import { observeWorld } from '../model/observe.js';
import { COMPANION_SLOTS, type LinkEvent } from '../model/events.js';
import type { Profile } from '../model/profile.js';
import { searchStateSpace } from '../model/stateSpace.js';
import type { Failure } from '../reports/schema.js';
import { parseEventWords } from './eventWords.js';

export type ShortestPath =
  | { readonly kind: 'found'; readonly length: number; readonly events: readonly LinkEvent[]; readonly target: readonly string[]; readonly from: readonly string[] }
  | { readonly kind: 'unknown'; readonly reason: string };

/** States the search may visit before it gives up (keeps selftest bounded). */
export const SHORTEST_PATH_MAX_STATES = 4000;

const KEEP_SLOTS_APART = { groups: COMPANION_SLOTS.map((s) => [s] as const), fillers: [] };

export function shortestPathTo(failure: Pick<Failure, 'path' | 'failingStep'>, profile: Profile): ShortestPath {
  const events = failure.path.slice(0, failure.failingStep + 1).map((s) => parseEventWords(s.event));
  if (events.length === 0 || events.some((e) => e === undefined)) return { kind: 'unknown', reason: 'path not in model words' };
  const path = events as LinkEvent[];
  const oracle = createOracle(profile);
  let target: readonly string[] = [];
  let from: readonly string[] = oracle.activeStates();
  let situation = '';
  for (const e of path) {
    from = oracle.activeStates();
    situation = situationKey(from, oracle.observe());
    target = oracle.step(e).transitions;
  }
  if (target.length === 0) return { kind: 'unknown', reason: 'the failing step takes no statechart transition' };

  const alphabet = uniqueEvents(path);
  const want = new Set(target);
  let found: LinkEvent[] | undefined;
  const result = searchStateSpace({
    profile,
    alphabet: () => alphabet,
    keySpec: KEEP_SLOTS_APART,
    maxStates: SHORTEST_PATH_MAX_STATES,
    onEdge: (edge, pathTo) => {
      const taken = new Set(edge.transitions);
      if ([...want].every((t) => taken.has(t)) && situationKey(edge.from.states, observeWorld(edge.from.world)) === situation) { found = [...pathTo(edge.from.index), edge.event]; return 'stop'; }
      return 'continue';
    },
    // Nothing longer than the shrunk path can be shorter than it.
    onState: (node) => (node.depth + 1 >= path.length ? 'prune' : 'continue'),
  });
  if (found) return { kind: 'found', length: found.length, events: found, target, from };
  // Breadth first: if the search was complete and found nothing shorter, the shrunk path is shortest.
  if (result.complete) return { kind: 'found', length: path.length, events: path, target, from };
  return { kind: 'unknown', reason: `no path within ${SHORTEST_PATH_MAX_STATES} model states` };
}

/** Active states, and per device its status and connectivity (not its messages). */
function situationKey(states: readonly string[], observation: Observation): string {
  const devices = Object.entries(observation.accounts).flatMap(([account, view]) => [
    `${account}:${view.registered}`,
    ...Object.entries(view.devices).map(([id, d]) => `${id}:${d!.status}:${d!.online}`),
  ]);
  return [[...states].sort().join('|'), devices.sort().join('|')].join(' / ');
}

function uniqueEvents(path: readonly LinkEvent[]): LinkEvent[] {
  const seen = new Map<string, LinkEvent>();
  for (const e of path) seen.set(JSON.stringify(e), e);
  return [...seen.values()];
}
