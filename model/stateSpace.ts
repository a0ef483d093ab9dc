/**
 * Breadth-first search over the statechart's reachable states, the engine under the exhaustive
 * check (explore.ts) and the covering paths (conformance/modelPaths.ts). Each state is reached
 * first by a shortest event path from the empty world; states are merged by a normalising key
 * (stateKey.ts), so the search visits every state of the abstraction once and never enumerates
 * paths. Steps are taken with XState's pure `transition()`; the transitions each step took are
 * read from the world's trace (every transition's one action appends its id).
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { activeStateIds } from './createOracle.js';
import type { LinkEvent } from './events.js';
import type { ModelState } from './invariants.js';
import { linkMachine, type createLinkMachine } from './linkMachine.js';
import type { Profile } from './profile.js';
import { stateKey, type KeySpec } from './stateKey.js';
import type { World } from './world.js';

export type Machine = ReturnType<typeof createLinkMachine>;
type Snapshot = SnapshotFrom<Machine>;

export interface SpaceNode extends ModelState {
  readonly index: number;
  /** Messages sent on the path so far: bounds SEND and names the next message `m<sent+1>`. */
  readonly sent: number;
  /** ADVANCE steps on the path so far (the search's alphabet may bound them). */
  readonly timeSteps: number;
  readonly depth: number;
}

export interface SpaceEdge {
  readonly from: SpaceNode;
  readonly event: LinkEvent;
  readonly to: SpaceNode;
  /** Transition element ids this step took, in order. */
  readonly transitions: readonly string[];
  /** True when `to` was reached here for the first time. */
  readonly isNew: boolean;
}

export interface SearchOptions {
  readonly profile: Profile;
  readonly machine?: Machine;
  /** The events tried from a state (the abstraction's alphabet). */
  readonly alphabet: (node: SpaceNode) => readonly LinkEvent[];
  /** Called for every step tried. Return 'stop' to end the search, 'prune' not to expand `to`. */
  readonly onEdge?: (edge: SpaceEdge, pathTo: (index: number) => LinkEvent[]) => 'continue' | 'prune' | 'stop';
  /** Called once per new state. Return 'stop' to end the search, 'prune' not to expand it. */
  readonly onState?: (node: SpaceNode, pathTo: (index: number) => LinkEvent[]) => 'continue' | 'prune' | 'stop';
  readonly maxStates?: number;
  /** How states are merged (stateKey.ts); default: all companion slots alike. */
  readonly keySpec?: KeySpec;
}

export interface SearchResult {
  readonly states: number;
  readonly transitions: number;
  /** False when maxStates cut the search short or a callback stopped it. */
  readonly complete: boolean;
  /** The shortest event path from the empty world to a state found. */
  pathTo(index: number): LinkEvent[];
}

/** A node whose active state ids are read from the snapshot only when asked (most never are). */
function spaceNode(index: number, snapshot: Snapshot, sent: number, timeSteps: number, depth: number): SpaceNode {
  let states: string[] | undefined;
  return {
    index, world: snapshot.context as World, sent, timeSteps, depth,
    get states() { return (states ??= activeStateIds(snapshot.value)); },
  };
}

/** An edge whose transition ids (the world's trace past the step's start) are cut when asked. */
function spaceEdge(from: SpaceNode, event: LinkEvent, to: SpaceNode, isNew: boolean): SpaceEdge {
  let taken: string[] | undefined;
  return {
    from, event, to, isNew,
    get transitions() { return (taken ??= to.world.trace.slice(from.world.trace.length)); },
  };
}

export function searchStateSpace(options: SearchOptions): SearchResult {
  const machine = options.machine ?? linkMachine;
  const maxStates = options.maxStates ?? 2_000_000;
  const parents: number[] = [];
  const events: (LinkEvent | null)[] = [];
  const seen = new Map<string, number>();
  const pathTo = (index: number) => {
    const path: LinkEvent[] = [];
    for (let i = index; i > 0; i = parents[i]!) path.push(events[i]!);
    return path.reverse();
  };
  const [initial] = initialTransition(machine, { profile: options.profile });
  const makeNode = (snapshot: Snapshot, sent: number, timeSteps: number, depth: number, parent: number, event: LinkEvent | null): SpaceNode => {
    const index = parents.length;
    parents.push(parent);
    events.push(event);
    return spaceNode(index, snapshot, sent, timeSteps, depth);
  };
  const root = makeNode(initial, 0, 0, 0, -1, null);
  seen.set(stateKey(root.world, '0.0', options.keySpec), 0);
  let transitions = 0;
  const queue: Array<[SpaceNode, Snapshot]> = [];
  const first = options.onState?.(root, pathTo) ?? 'continue';
  if (first === 'stop') return { states: 1, transitions: 0, complete: false, pathTo };
  if (first === 'continue') queue.push([root, initial]);
  let complete = true;
  for (let head = 0; head < queue.length; head += 1) {
    const [node, snapshot] = queue[head]!;
    queue[head] = undefined as never; // let the expanded snapshot be collected
    for (const event of options.alphabet(node)) {
      const [next] = transition(machine, snapshot, event);
      transitions += 1;
      const world = next.context as World;
      const sent = node.sent + (event.type === 'SEND' && world.result.ok ? 1 : 0);
      const timeSteps = node.timeSteps + (event.type === 'ADVANCE' ? 1 : 0);
      const key = stateKey(world, `${sent}.${timeSteps}`, options.keySpec);
      const known = seen.get(key);
      const to: SpaceNode = known !== undefined
        ? spaceNode(known, next, sent, timeSteps, node.depth + 1)
        : makeNode(next, sent, timeSteps, node.depth + 1, node.index, event);
      const edgeVerdict = options.onEdge?.(spaceEdge(node, event, to, known === undefined), pathTo) ?? 'continue';
      if (edgeVerdict === 'stop') return { states: parents.length, transitions, complete: false, pathTo };
      if (known !== undefined) continue;
      seen.set(key, to.index);
      const verdict = edgeVerdict === 'prune' ? 'prune' : options.onState?.(to, pathTo) ?? 'continue';
      if (verdict === 'stop') return { states: parents.length, transitions, complete: false, pathTo };
      if (verdict === 'continue') queue.push([to, next]);
      if (parents.length >= maxStates) { complete = false; break; }
    }
    if (!complete) break;
  }
  return { states: parents.length, transitions, complete, pathTo };
}
