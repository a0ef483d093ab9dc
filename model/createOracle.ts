/**
 * The oracle: the statechart (linkMachine.ts) run one step at a time. After each step it reports
 * the observation the implementation must match, the ids of the statechart transitions that fired
 * (read from XState's own microstep inspection, so they are exactly the definitions taken,
 * eventless time transitions included) and the state nodes entered or active during the step.
 *
 * Serves every stateful requirement: the harness compares implementations against this.
 */
import { createActor, type AnyTransitionDefinition, type StateValue } from 'xstate';
import { describeEvent, type LinkEvent } from './events.js';
import { createLinkMachine, linkMachine, type LinkMachine } from './linkMachine.js';
import { observeWorld } from './observe.js';
import type { Oracle, OracleStep } from './oracle.js';
import type { Profile } from './profile.js';
import type { TransitionMeta } from './transitionSpec.js';

/** The element id of a transition definition, as modelElements() lists it. */
export function transitionId(t: AnyTransitionDefinition): string {
  const meta = (t as { meta?: TransitionMeta }).meta;
  if (!meta?.id) throw new Error(`model bug: transition from ${t.source.id} on ${t.eventType} has no id`);
  return meta.id;
}

/** Active state node ids (machine id dropped): `A`, `A.registered`, `A.registered.primaryOnline`… */
export function activeStateIds(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  const ids: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    ids.push(`${prefix}${key}`);
    ids.push(...activeStateIds(child as StateValue, `${prefix}${key}.`));
  }
  return ids;
}

export function createOracle(profile: Profile, machine: LinkMachine | ReturnType<typeof createLinkMachine> = linkMachine): Oracle {
  let taken: string[] = [];
  // States passed through inside one step (clock.advancing lives only between microsteps) count
  // as visited: coverage means "entered", not "still active when the step ends".
  let visited = new Set<string>();
  const actor = createActor(machine, {
    input: { profile },
    inspect: (ev) => {
      if (ev.type !== '@xstate.microstep') return;
      taken.push(...ev._transitions.map(transitionId));
      for (const id of activeStateIds((ev.snapshot as unknown as { value: StateValue }).value)) visited.add(id);
    },
  });
  actor.start();
  const states = () => activeStateIds(actor.getSnapshot().value);
  return {
    step(event: LinkEvent): OracleStep {
      taken = [];
      visited = new Set();
      actor.send(event);
      const snapshot = actor.getSnapshot();
      if (snapshot.status === 'error') throw new Error(`model failed on ${describeEvent(event)}: ${String(snapshot.error)}`);
      if (taken.length === 0) throw new Error(`model bug: no transition handles ${describeEvent(event)}`);
      for (const id of states()) visited.add(id);
      return { observation: observeWorld(snapshot.context), transitions: [...taken], states: [...visited] };
    },
    observe: () => observeWorld(actor.getSnapshot().context),
    activeStates: states,
  };
}
