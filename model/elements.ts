/**
 * The statechart's structural elements, read from the machine itself: every state node and every
 * transition definition, with the ids the oracle reports (createOracle.ts), their words and the
 * requirement IDs they serve. Coverage, traceability (MODEL.md) and the diagram all use this list.
 */
import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { formatDuration } from './events.js';
import { linkMachine } from './linkMachine.js';
import type { ModelElement } from './oracle.js';
import { qrAttemptMs, type Profile } from './profile.js';
import type { StateMeta, TransitionMeta } from './transitionSpec.js';
import { transitionId } from './createOracle.js';

/** A ModelElement with where it sits in the chart (for the documents and the diagram). */
export interface StatechartElement extends ModelElement {
  /** States: the parent state id ('' for a top-level region). Transitions: the source state id. */
  readonly source: string;
  /** Transitions only: the event type ('' for an eventless time transition) and targets. */
  readonly event?: string;
  readonly targets?: readonly string[];
  readonly code?: string;
  readonly companion?: string;
}

const stateId = (node: AnyStateNode) => node.path.join('.');

/** Names the profile's values next to the parameters a description mentions. */
function withProfile(text: string, profile: Profile | undefined): string {
  if (!profile) return text;
  const values: Record<string, string> = {
    primaryDormancyMs: formatDuration(profile.primaryDormancyMs),
    companionIdleMs: formatDuration(profile.companionIdleMs),
    maxCompanions: String(profile.maxCompanions),
  };
  let out = text.replace(/\b(primaryDormancyMs|companionIdleMs|maxCompanions)\b/g, (name) => `${name} (${values[name]})`);
  if (/QR reference's window/.test(out)) out += ` (${formatDuration(qrAttemptMs(profile))} after the attempt started)`;
  return out;
}

function transitionElement(t: AnyTransitionDefinition, profile: Profile | undefined): StatechartElement {
  const meta = (t as { meta?: TransitionMeta }).meta!;
  return {
    id: transitionId(t),
    kind: 'transition',
    description: withProfile(t.description ?? '', profile),
    requirements: [...meta.requirements],
    source: stateId(t.source),
    event: t.eventType === '' ? '' : String(t.eventType),
    targets: (t.target ?? []).map(stateId),
    ...(meta.code ? { code: meta.code } : {}),
    ...(meta.companion ? { companion: meta.companion } : {}),
  };
}

export function modelElements(profile?: Profile): StatechartElement[] {
  const out: StatechartElement[] = [];
  const visit = (node: AnyStateNode) => {
    if (node.path.length > 0) {
      const meta = node.meta as StateMeta | undefined;
      out.push({
        id: stateId(node), kind: 'state', description: withProfile(node.description ?? '', profile),
        requirements: [...(meta?.requirements ?? [])], source: node.path.slice(0, -1).join('.'),
      });
    }
    for (const list of node.on ? Object.values(node.on) : []) {
      for (const t of list as AnyTransitionDefinition[]) out.push(transitionElement(t, profile));
    }
    for (const t of node.always ?? []) out.push(transitionElement(t, profile));
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(linkMachine.root);
  return out;
}
