/**
 * Two diagrams of their own, derived from the statechart's transition metadata rather than drawn
 * by hand, so they change when the model does:
 *
 * - the companion lifecycle (companion.mmd): every transition whose `meta.companion` names a
 *   lifecycle step (`idle | signed-out → linking.qr`, `linked → signed-out (unlinked)`) is an
 *   arrow from each source phase to the target phase, labelled with its event and rule, the
 *   reason in brackets; `linking` and `linked` are drawn as composite phases;
 * - the pairing attempt (pairing.mmd): the phases an attempt passes (showing a QR, holding a code)
 *   with their way out (linked, idle), and, as loops on each phase, every outcome of the step that
 *   acts on it (SCAN_QR on `linking.qr`, ENTER_CODE on `linking.code`): refusals by code and the
 *   counted wrong attempts; the QR rotation schedule, when given, is the note on `linking.qr`.
 *
 * Both merge labels per source/target pair (mermaid.ts): every transition is named on the drawing.
 */
import type { ChartTransition, Statechart } from './definition.js';
import { eventLabel } from './dot.js';
import { mermaidId, mermaidLabel } from './mermaid.js';

/** A parsed `meta.companion`: `a | b → c (reason)`. */
export interface LifecycleStep {
  readonly from: readonly string[];
  readonly to: string;
  readonly reason?: string;
  readonly transition: ChartTransition;
}

export function lifecycleSteps(chart: Statechart): LifecycleStep[] {
  const seen = new Set<string>();
  const steps: LifecycleStep[] = [];
  for (const t of chart.transitions) {
    if (!t.companion) continue;
    const match = /^(.+?)\s*→\s*([^\s(]+)\s*(?:\((.+)\))?$/.exec(t.companion);
    if (!match) throw new Error(`lifecycle: transition ${t.id} has an unreadable companion step '${t.companion}'`);
    // Both accounts' regions carry the same rules: one arrow per rule, not per account.
    const key = `${t.name}|${t.companion}`;
    if (seen.has(key)) continue;
    seen.add(key);
    steps.push({ from: match[1].split('|').map((s) => s.trim()), to: match[2], ...(match[3] ? { reason: match[3] } : {}), transition: t });
  }
  return steps;
}

const PHASE_PARENTS: Readonly<Record<string, string>> = { 'linking.qr': 'linking', 'linking.code': 'linking', 'linked.online': 'linked', 'linked.offline': 'linked' };

function label(t: ChartTransition, reason?: string): string {
  return `${eventLabel(t)} ${t.code ? `✗ ${t.code}` : t.name}${reason ? ` [${reason}]` : ''}`;
}

function edgesText(edges: readonly { from: string; to: string; label: string }[]): string[] {
  const merged = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const m = merged.get(key) ?? { from: e.from, to: e.to, labels: [] };
    if (!m.labels.includes(e.label)) m.labels.push(e.label);
    merged.set(key, m);
  }
  return [...merged.values()].map((m) => `${mermaidId(m.from)} --> ${mermaidId(m.to)}: ${m.labels.map(mermaidLabel).join('<br/>')}`);
}

function phaseDeclarations(phases: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const parents = new Map<string, string[]>();
  for (const p of phases) {
    const parent = PHASE_PARENTS[p];
    if (parent) parents.set(parent, [...(parents.get(parent) ?? []), p]);
    else if (!Object.values(PHASE_PARENTS).includes(p)) out.push(`state "${mermaidLabel(p)}" as ${mermaidId(p)}`);
  }
  for (const [parent, children] of parents) {
    out.push(`state "${parent}" as ${mermaidId(parent)}`, `state ${mermaidId(parent)} {`);
    for (const c of children) out.push(`  state "${mermaidLabel(c.slice(parent.length + 1))}" as ${mermaidId(c)}`);
    out.push('}');
  }
  return out;
}

/** companion.mmd: the companion lifecycle from `meta.companion`. */
export function companionLifecycleMermaid(chart: Statechart): string {
  const steps = lifecycleSteps(chart);
  const phases = new Set<string>(steps.flatMap((s) => [...s.from, s.to]));
  const edges = steps.flatMap((s) => s.from.map((from) => ({ from, to: s.to, label: label(s.transition, s.reason) })));
  const start = phases.has('new') ? ['[*] --> new'] : [];
  return `${['stateDiagram-v2', ...phaseDeclarations(phases), ...start, ...edgesText(edges)].join('\n')}\n`;
}

export interface QrScheduleWords {
  readonly firstRefMs: number;
  readonly nextRefMs: number;
  readonly refCount: number;
}

/** pairing.mmd: one pairing attempt, by QR or by code, with every outcome of the steps on it. */
export function pairingAttemptMermaid(chart: Statechart, qr?: QrScheduleWords): string {
  const attempt = new Set(['linking.qr', 'linking.code']);
  const steps = lifecycleSteps(chart).filter((s) => attempt.has(s.to) || s.from.some((f) => attempt.has(f) || f === 'linking'));
  const edges: { from: string; to: string; label: string }[] = [];
  for (const s of steps) {
    for (const raw of s.from) {
      const froms = raw === 'linking' ? ['linking.qr', 'linking.code'] : [raw];
      for (const from of froms) {
        if (!attempt.has(from) && !attempt.has(s.to)) continue;
        // The attempt starts from any non-linking phase: drawn once, from [*].
        edges.push({ from: attempt.has(from) ? from : 'start', to: s.to, label: label(s.transition, s.reason) });
      }
    }
  }
  // Outcomes that leave the attempt where it is: every refusal of the step acting on the phase, and counted wrong codes.
  const loops: Record<string, string> = { SCAN_QR: 'linking.qr', ENTER_CODE: 'linking.code' };
  const seen = new Set<string>();
  for (const t of chart.transitions) {
    const phase = loops[t.event];
    if (!phase || t.companion || seen.has(t.name)) continue;
    seen.add(t.name);
    edges.push({ from: phase, to: phase, label: label(t) });
  }
  const phases = new Set<string>(edges.flatMap((e) => [e.from, e.to]).filter((p) => p !== 'start'));
  const lines = ['stateDiagram-v2', ...phaseDeclarations(phases), ...edgesText(edges).map((l) => l.replace(/^start /, '[*] '))];
  if (qr) {
    const rest = qr.refCount - 1;
    lines.push(`note right of ${mermaidId('linking.qr')}`, `  reference 0 shown ${qr.firstRefMs / 1000} s, then ${rest} more, ${qr.nextRefMs / 1000} s each`, `  (${qr.refCount} references, ${(qr.firstRefMs + rest * qr.nextRefMs) / 1000} s), then the attempt ends`, 'end note');
  }
  return `${lines.join('\n')}\n`;
}
