/**
 * MODEL.md: the model in words for an auditor. Guarantees: every state and every transition of
 * the statechart is described with its requirement IDs and, for a refusal, its error code; every
 * requirement of the catalogue appears in the traceability table, either with the model elements
 * that serve it or with the reason it lies outside the state model; the exhaustive check's figures
 * are given when the caller ran it. Pure: the caller passes the elements (model/elements.ts), the
 * catalogue (model/requirements.ts), the profile and the check's result.
 */
import type { StatechartElement } from '../../model/elements.js';
import type { Profile } from '../../model/profile.js';
import type { Requirement } from '../../model/requirements.js';
import { escapeMarkdown as md } from '../render/escape.js';
import { formatDuration } from '../render/words.js';

export interface ModelCheckFigures {
  readonly states: number;
  readonly transitions: number;
  readonly invariants: number;
  readonly durationMs: number;
  readonly complete: boolean;
  readonly violations: ReadonlyArray<{ readonly invariant: string; readonly requirements: readonly string[]; readonly detail: string; readonly path: readonly unknown[] }>;
  /** Which configuration ran ('quick' / 'full'), when the caller knows. */
  readonly mode?: string;
  /** The abstraction's reductions, in words (model/explore.ts `abstraction`). */
  readonly abstraction?: readonly string[];
  /** The companion limit explored, when the configuration scaled the profile's down. */
  readonly exploredMaxCompanions?: number;
  /** The searches whose figures the totals sum (model/explore.ts: main and cross-account). */
  readonly passes?: ReadonlyArray<{ readonly name: string; readonly states: number; readonly transitions: number; readonly durationMs: number; readonly maxCompanions: number }>;
}

export interface ModelDocInput {
  readonly elements: readonly StatechartElement[];
  readonly requirements: readonly Requirement[];
  readonly profile: Profile;
  readonly check?: ModelCheckFigures;
  /** The invariants the check verified (id, title, requirements), listed under its figures. */
  readonly invariants?: ReadonlyArray<{ readonly id: string; readonly title: string; readonly requirements: readonly string[] }>;
  /** Files written next to MODEL.md, named in the intro (default model.svg, model.mmd, model.json). */
  readonly files?: { readonly svg?: string; readonly mermaid?: string; readonly json?: string };
}

const code = (s: string) => `\`${s}\``;
const reqs = (ids: readonly string[]) => (ids.length ? ids.join(', ') : '—');
const days = (ms: number) => `${formatDurationLong(ms)} (${ms} ms)`;
function formatDurationLong(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1]];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) { parts.push(`${n} ${unit}`); rest -= n * size; }
  }
  return parts.join(' ') || '0 ms';
}

/** What a transition does, in one cell. */
export function outcomeOf(t: StatechartElement): string {
  if (t.code) return `refused ${code(t.code)}`;
  const parts = [t.targets?.length ? `→ ${t.targets.map(code).join(', ')}` : 'accepted, stays'];
  if (t.companion) parts.push(`companion: ${md(t.companion)}`);
  return parts.join('; ');
}

const eventName = (t: StatechartElement) => (t.event ? code(t.event) : 'time (eventless, while ADVANCE runs)');

function intro(input: ModelDocInput, states: number, transitions: StatechartElement[]): string[] {
  const moving = transitions.filter((t) => t.targets?.length).length;
  const refusals = transitions.filter((t) => t.code).length;
  const files = { svg: 'model.svg', mermaid: 'model.mmd', json: 'model.json', ...input.files };
  return [
    `# The linkspec model (profile ${code(input.profile.name)})`,
    '',
    'This document describes, in words, the formal model that every implementation is compared against. It is generated from the model itself (`linkspec model`), so it cannot drift from what the harness runs.',
    '',
    '## What the model is',
    '',
    `The model is an XState 5 statechart (\`model/linkMachine.ts\`) with three parallel regions: the **clock** and one region per account, **A** and **B** (two accounts are enough to show every cross-account rule: messages between accounts, a primary approving a companion of the wrong account). It has ${states} states and ${transitions.length} transitions: ${moving} change state, ${refusals} refuse the step with a stable error code, and the other ${transitions.length - moving - refusals} accept it without leaving the state (they change the context). Every transition is guarded by one named rule, and the transitions of one event are listed in the normative refusal precedence of \`model/events.ts\`: the first whose guard holds fires, so every step has exactly one predicted outcome.`,
    '',
    `The picture is \`${files.svg}\` (Graphviz; Mermaid source in \`${files.mermaid}\`); the machine definition, loadable by Stately's tools, is \`${files.json}\` (XState's own JSON, with each state's eventless transitions added under \`always\`).`,
    '',
    '**Time is an event.** Nothing in the model waits on a timer: there are no `after` delays and no invoked services. The step `ADVANCE ms` moves a virtual clock: the clock region enters `advancing`, and while a deadline (primary dormancy, companion idleness, a pairing code\'s lifetime, the end of a QR attempt) falls before the target time, the earliest one is taken by an eventless transition of the account it belongs to; when none is left, the clock lands on the target time. So "still linked at 14 d − 1 ms, signed out at 14 d" is a statement about two paths of events, checked exactly, and a conformance run never sleeps.',
    '',
    `**Companions live in the context.** An account has a primary and up to six companion slots (c1..c6, of which at most ${input.profile.maxCompanions} may be linked under this profile). Drawing each companion's lifecycle (idle → linking by QR or by code → linked, online or offline → signed out with a reason) as its own parallel region would give twelve copies of the same sub-chart and a state count that hides the rules. Instead the companions are records in the machine's context, and every step of a companion's lifecycle is a named, guarded transition of its account region whose \`companion\` field (below, and in the picture as ◆) says which lifecycle step it takes. The account region's states are what really changes the rules for everyone: registered or not, and the primary online, offline (dormancy window running) or dormant.`,
    '',
    'Each transition below has an element id (`<source state>/<rule>`); the harness reports which element ids a run reached, and colours the picture with it.',
    '',
  ];
}

function profileSection(p: Profile): string[] {
  return [
    '## Profile',
    '',
    '| Parameter | Value |',
    '| --- | --- |',
    `| Companions linked at once (\`maxCompanions\`) | ${p.maxCompanions} |`,
    `| Primary dormancy (\`primaryDormancyMs\`) | ${days(p.primaryDormancyMs)} |`,
    `| Companion idleness (\`companionIdleMs\`) | ${days(p.companionIdleMs)} |`,
    `| QR references | first ${formatDurationLong(p.qr.firstRefMs)}, then ${formatDurationLong(p.qr.nextRefMs)} each, ${p.qr.refCount} per attempt |`,
    `| Pairing code | ${p.pairingCode.length} characters from \`${p.pairingCode.alphabet}\`, ${p.pairingCode.maxAttempts} attempts, valid ${formatDurationLong(p.pairingCode.lifetimeMs)} |`,
    '',
  ];
}

function checkSection(input: ModelDocInput): string[] {
  const c = input.check;
  if (!c) return [];
  const out = [
    '## Exhaustive check',
    '',
    `Every reachable state of a small, symmetric, time-bounded abstraction of the model (\`model/explore.ts\`) was visited${c.mode ? ` (${c.mode} configuration)` : ''}, and every invariant was checked in every state and across every step.`,
    '',
    ...(c.abstraction?.length ? ['The abstraction:', '', ...c.abstraction.map((line) => `- ${md(line)}`), ''] : []),
    ...(c.exploredMaxCompanions !== undefined && c.exploredMaxCompanions !== input.profile.maxCompanions ? [`The companion limit explored: ${c.exploredMaxCompanions} (the profile's is ${input.profile.maxCompanions}).`, ''] : []),
    '| Figure | Value |',
    '| --- | --- |',
    `| States visited | ${c.states.toLocaleString('en-US')} |`,
    `| Transitions taken | ${c.transitions.toLocaleString('en-US')} |`,
    `| Invariants checked | ${c.invariants} |`,
    `| Complete (state bound not hit) | ${c.complete ? 'yes' : 'no: the check is not exhaustive'} |`,
    `| Time | ${formatDuration(c.durationMs)} |`,
    `| Violations | ${c.violations.length} |`,
    ...(c.passes && c.passes.length > 1 ? c.passes.map((p) => `| of which the ${md(p.name)} pass (companion limit ${p.maxCompanions}) | ${p.states.toLocaleString('en-US')} states, ${p.transitions.toLocaleString('en-US')} transitions, ${formatDuration(p.durationMs)} |`) : []),
    '',
  ];
  if (input.invariants?.length) {
    out.push('| Invariant | Requirements | Held |', '| --- | --- | --- |');
    for (const inv of input.invariants) {
      const broken = c.violations.some((v) => v.invariant === inv.id);
      out.push(`| ${code(inv.id)}: ${md(inv.title)} | ${reqs(inv.requirements)} | ${broken ? '**no**' : 'yes'} |`);
    }
    out.push('');
  }
  for (const v of c.violations) out.push(`- **${code(v.invariant)} broken** (${reqs(v.requirements)}): ${md(v.detail)}; shortest path: ${v.path.length} steps`);
  if (c.violations.length) out.push('');
  return out;
}

function statesSection(elements: readonly StatechartElement[]): string[] {
  const out = ['## States and their transitions', ''];
  const states = elements.filter((e) => e.kind === 'state');
  for (const s of states) {
    const depth = s.id.split('.').length;
    out.push(`${'#'.repeat(Math.min(depth + 2, 6))} ${code(s.id)}`, '');
    out.push(`${md(s.description)}${s.source ? ` Inside ${code(s.source)}.` : ''} Requirements: ${reqs(s.requirements)}.`, '');
    const own = elements.filter((e) => e.kind === 'transition' && e.source === s.id);
    if (!own.length) { out.push('No transition of its own.', ''); continue; }
    out.push('| Event | Transition | Outcome | What it means | Requirements |', '| --- | --- | --- | --- | --- |');
    for (const t of own) out.push(`| ${eventName(t)} | ${code(t.id)} | ${outcomeOf(t)} | ${md(t.description)} | ${reqs(t.requirements)} |`);
    out.push('');
  }
  return out;
}

function companionSection(elements: readonly StatechartElement[]): string[] {
  const steps = new Map<string, string[]>();
  for (const t of elements) if (t.companion) steps.set(t.companion, [...(steps.get(t.companion) ?? []), t.id]);
  if (!steps.size) return [];
  const out = ['## Companion lifecycle steps', '', 'Each step of a companion\'s lifecycle (kept in the context) and the transitions that take it.', '', '| Lifecycle step | Transitions |', '| --- | --- |'];
  for (const [step, ids] of steps) out.push(`| ${md(step)} | ${ids.map(code).join(', ')} |`);
  out.push('');
  return out;
}

function errorSection(elements: readonly StatechartElement[]): string[] {
  const byCode = new Map<string, string[]>();
  for (const t of elements) if (t.code) byCode.set(t.code, [...(byCode.get(t.code) ?? []), t.id]);
  const out = ['## Refusals by error code', '', '| Error code | Transitions that refuse with it |', '| --- | --- |'];
  for (const [c, ids] of [...byCode].sort(([a], [b]) => a.localeCompare(b))) out.push(`| ${code(c)} | ${ids.map(code).join(', ')} |`);
  out.push('');
  return out;
}

function traceabilitySection(input: ModelDocInput): string[] {
  const out = [
    '## Traceability: requirement → model elements',
    '',
    'Every requirement of the catalogue (`model/requirements.ts`). Requirements about cryptography or transport lie outside a state model; the reason is given, and a targeted check of the harness covers them instead.',
    '',
    '| Requirement | Level | Requirement text | Model elements |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of input.requirements) {
    const serving = input.elements.filter((e) => e.requirements.includes(r.id));
    const states = serving.filter((e) => e.kind === 'state').map((e) => code(e.id));
    const transitions = serving.filter((e) => e.kind === 'transition').map((e) => code(e.id));
    const listed = [states.length ? `states (${states.length}): ${states.join(', ')}` : '', transitions.length ? `transitions (${transitions.length}): ${transitions.join(', ')}` : ''].filter(Boolean).join('; ');
    const cell = r.outsideStateModel
      ? `*Outside the state model:* ${md(r.outsideStateModel)}${listed ? ` The state model touches its state side only: ${listed}.` : ''}`
      : listed || '**no model element serves it** (a gap in the model)';
    out.push(`| **${r.id}** | ${r.level} | ${md(r.text)} | ${cell} |`);
  }
  out.push('');
  return out;
}

/** MODEL.md as one Markdown string. */
export function modelDocument(input: ModelDocInput): string {
  const states = input.elements.filter((e) => e.kind === 'state');
  const transitions = input.elements.filter((e) => e.kind === 'transition');
  return [
    ...intro(input, states.length, transitions),
    ...profileSection(input.profile),
    ...checkSection(input),
    ...statesSection(input.elements),
    ...companionSection(input.elements),
    ...errorSection(input.elements),
    ...traceabilitySection(input),
  ].join('\n');
}
