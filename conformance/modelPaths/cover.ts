/**
 * What a path covers, by the oracle's word (the transitions it reports fired and the states it
 * reports active, as the harness counts coverage in conformance/lockstep.ts), and the greedy set
 * cover that keeps few paths: repeatedly the path adding the most uncovered elements (ties: fewer
 * steps, then the candidates' order), then any kept path whose elements all the others cover is
 * dropped again.
 *
 * Capabilities: a path needing a capability the adapter lacks is skipped (conformance/
 * capabilities.ts). So a path counts as covering an element only if it needs no capability that
 * the element's own shortest path does not: for any adapter, what the shortest paths would cover
 * the kept ones still cover (REGISTER with an ID check does not creep into other elements' paths).
 *
 * Serves the coverage of every statechart element (all requirement IDs through them).
 */
import { createOracle } from '../../model/createOracle.js';
import type { LinkEvent } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';

export interface Candidate {
  /** The element the path was found for: the kept path's id. */
  readonly target: string;
  readonly events: readonly LinkEvent[];
  /** Element ids the oracle reports along the path, in first-seen order. */
  readonly covers: readonly string[];
}

/** Replays `events` through a fresh oracle; throws if the model does (a model bug). */
export function oracleCovers(profile: Profile, events: readonly LinkEvent[]): string[] {
  const oracle = createOracle(profile);
  const seen = new Set<string>(oracle.activeStates());
  for (const event of events) {
    const step = oracle.step(event);
    for (const id of [...step.transitions, ...step.states]) seen.add(id);
  }
  return [...seen];
}

/**
 * `needs`: the capabilities a path needs; each wanted element's own shortest path is the
 * candidate whose target it is.
 */
export function greedyCover(candidates: readonly Candidate[], wanted: ReadonlySet<string>, needs: (events: readonly LinkEvent[]) => ReadonlySet<string>): Candidate[] {
  const needed = new Map(candidates.map((c) => [c, needs(c.events)]));
  const ownNeeds = new Map(candidates.map((c) => [c.target, needed.get(c)!]));
  // The elements a candidate counts as covering: wanted, and within its own path's capabilities.
  const counts = new Map(candidates.map((c) => [c, c.covers.filter((id) => {
    const own = ownNeeds.get(id);
    return wanted.has(id) && (own === undefined || [...needed.get(c)!].every((n) => own.has(n)));
  })]));
  const uncovered = new Set(wanted);
  const kept: Candidate[] = [];
  while (uncovered.size > 0) {
    let best: Candidate | undefined;
    let bestGain = 0;
    for (const c of candidates) {
      const gain = counts.get(c)!.filter((id) => uncovered.has(id)).length;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best && c.events.length < best.events.length)) {
        best = c;
        bestGain = gain;
      }
    }
    if (!best) break; // what is left no candidate covers: the caller reports it
    kept.push(best);
    for (const id of counts.get(best)!) uncovered.delete(id);
  }
  // A path kept early may have become redundant once later ones were added: drop it, shortest first.
  const count = new Map<string, number>();
  for (const c of kept) for (const id of counts.get(c)!) count.set(id, (count.get(id) ?? 0) + 1);
  const order = [...kept].sort((x, y) => x.events.length - y.events.length);
  const dropped = new Set<Candidate>();
  for (const c of order) {
    if (counts.get(c)!.every((id) => count.get(id)! > 1)) {
      dropped.add(c);
      for (const id of counts.get(c)!) count.set(id, count.get(id)! - 1);
    }
  }
  return kept.filter((c) => !dropped.has(c));
}
