/**
 * The statechart as Graphviz DOT, drawn to be read. Serves the traceability of every requirement
 * the model covers (the picture in MODEL.md and in the run report).
 *
 * - Parallel regions and compound states are clusters; every state is a card (a table).
 * - Only transitions that change state are arrows. The ~130 that do not (refusals, and accepted
 *   steps that move a companion, a message or a code, all kept in the context) are rows of their
 *   state's card: one row per event, in refusal-precedence order, one cell per transition
 *   (✓ rule name when accepted, ✗ error code when refused, ◆ when it moves a companion's
 *   lifecycle). 147 arrows in one picture would be unreadable; 16 arrows and a table per state
 *   are not.
 * - Every element keeps its id, with a tooltip of its words. In the SVG: an arrow's group is
 *   `id="<element id>"`, a cell's is `id="a_<element id>"` (Graphviz's anchor prefix), a state's
 *   card `id="node:<state id>"` and a compound state's cluster `id="cluster:<state id>"`; and a colouring keyed by element id is applied here, while writing the DOT, with the
 *   report's own legend (reports/render/statechartLegend.ts), so the picture and legend agree.
 */
import { STATECHART_LEGEND, type StatechartMark } from '../render/statechartLegend.js';
import type { ChartState, ChartTransition, Statechart } from './definition.js';

export type StatechartColouring = Readonly<Record<string, StatechartMark | string>>;

export interface DotOptions {
  readonly colouring?: StatechartColouring;
  /** Caption under the picture (default: how to read it). */
  readonly caption?: string;
}

const PLAIN = { fill: '#ffffff', stroke: '#455a64', dash: undefined as string | undefined };
/** Cells per line in a card row before it wraps. */
const CELLS_PER_LINE = 4;

// Graphviz HTML-like labels know the XML entities except &apos; (older builds), so write it out.
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function colourOf(id: string, colouring: StatechartColouring | undefined) {
  const mark = colouring?.[id];
  return mark && mark in STATECHART_LEGEND ? { ...PLAIN, ...STATECHART_LEGEND[mark as StatechartMark] } : PLAIN;
}

export const eventLabel = (t: ChartTransition) => (t.event === '' ? 'time' : t.event);

/** The text of a transition's cell or arrow: what a reader needs to tell it from its siblings. */
export function transitionShortName(t: ChartTransition): string {
  if (t.code) return `✗ ${t.code}`;
  return `${t.companion ? '◆' : '✓'} ${t.name}`;
}

function cell(t: ChartTransition, colouring: StatechartColouring | undefined): string {
  const c = colourOf(t.id, colouring);
  const style = c.dash ? ' STYLE="dashed"' : '';
  const tip = `${t.id}: ${t.description}${t.requirements.length ? ` [${t.requirements.join(', ')}]` : ''}`;
  return `<TD ID="${html(t.id)}" TOOLTIP="${html(tip)}" HREF="#" BORDER="1" COLOR="${c.stroke}" BGCOLOR="${c.fill}"${style}>${html(transitionShortName(t))}</TD>`;
}

function cardLabel(state: ChartState, own: readonly ChartTransition[], colouring: StatechartColouring | undefined): string {
  const c = colourOf(state.id, colouring);
  const byEvent = new Map<string, ChartTransition[]>();
  for (const t of own) byEvent.set(eventLabel(t), [...(byEvent.get(eventLabel(t)) ?? []), t]);
  const title = state.children.length ? `${state.key} <I>(in any substate)</I>` : `<B>${html(state.key)}</B>`;
  const rows = [...byEvent].map(([event, list]) => {
    const lines: string[] = [];
    for (let i = 0; i < list.length; i += CELLS_PER_LINE) {
      lines.push(`<TR>${list.slice(i, i + CELLS_PER_LINE).map((t) => cell(t, colouring)).join('')}</TR>`);
    }
    const cells = `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">${lines.join('')}</TABLE>`;
    return `<TR><TD ALIGN="RIGHT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="#37474f">${html(event)}</FONT></TD><TD ALIGN="LEFT">${cells}</TD></TR>`;
  });
  const header = `<TR><TD COLSPAN="2" ID="${html(state.id)}" TOOLTIP="${html(`${state.id}: ${state.description}`)}" HREF="#" BGCOLOR="${c.fill}" CELLPADDING="4">${title}</TD></TR>`;
  const border = c.dash ? ' STYLE="dashed"' : '';
  return `<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" COLOR="${c.stroke}" BGCOLOR="#ffffff"${border}>${header}${rows.join('')}</TABLE>>`;
}

const nodeName = (id: string) => quoted(`s:${id}`);
const clusterName = (id: string) => quoted(`cluster_${id || 'root'}`);

/** The statechart as DOT (render it with svg.ts). */
export function statechartDot(chart: Statechart, options: DotOptions = {}): string {
  const { colouring } = options;
  const own = new Map<string, ChartTransition[]>();
  const moving: ChartTransition[] = [];
  for (const t of chart.transitions) {
    if (t.targets.length && !(t.targets.length === 1 && t.targets[0] === t.source)) moving.push(t);
    else own.set(t.source, [...(own.get(t.source) ?? []), t]);
  }
  const hasCard = (s: ChartState) => s.children.length === 0 || (own.get(s.id)?.length ?? 0) > 0;
  // An arrow to or from a compound state attaches to its card (or its initial child) and is
  // clipped at the cluster's border, as statecharts are drawn.
  const anchor = (id: string): string => {
    const s = chart.states.get(id)!;
    if (hasCard(s)) return id;
    return anchor(s.initial ?? s.children[0]!);
  };
  const out: string[] = [
    `digraph ${quoted(chart.machineId)} {`,
    '  graph [compound=true, newrank=true, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.55, labeljust=l, pad=0.2];',
    '  node [shape=plain, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  const indent = (depth: number) => '  '.repeat(depth + 1);
  const writeState = (s: ChartState, depth: number) => {
    const pad = indent(depth);
    if (s.children.length === 0) {
      out.push(`${pad}${nodeName(s.id)} [id=${quoted(`node:${s.id}`)}, label=${cardLabel(s, own.get(s.id) ?? [], colouring)}];`);
      return;
    }
    const c = colourOf(s.id, colouring);
    const isRoot = s.parent === null;
    const regionOfParallel = s.parent !== null && chart.states.get(s.parent)?.kind === 'parallel';
    // Dashes mean "uncovered" in the report's legend, so parallel regions are named, not dashed.
    const style = ['rounded', ...(c.dash ? ['dashed'] : [])].join(',');
    const label = isRoot ? `${chart.machineId} (parallel regions)` : `${s.key}${regionOfParallel ? ' (region)' : ''}${s.kind === 'parallel' ? ' (parallel)' : ''}`;
    out.push(`${pad}subgraph ${clusterName(s.id)} {`);
    out.push(`${pad}  id=${quoted(`cluster:${s.id || chart.machineId}`)}; label=${quoted(label)}; style=${quoted(style)}; color=${quoted(isRoot ? '#90a4ae' : c.stroke)}; penwidth=${isRoot ? 1 : 1.6}; fontsize=${isRoot ? 13 : 12};`);
    if (!isRoot && s.id && s.id in (colouring ?? {})) out.push(`${pad}  tooltip=${quoted(`${s.id}: ${s.description}`)};`);
    if (hasCard(s)) out.push(`${pad}  ${nodeName(s.id)} [id=${quoted(`node:${s.id}`)}, label=${cardLabel(s, own.get(s.id) ?? [], colouring)}];`);
    if (s.initial && s.kind !== 'parallel') {
      out.push(`${pad}  ${quoted(`init:${s.id}`)} [shape=point, width=0.12, label="", color="#455a64"];`);
      out.push(`${pad}  ${quoted(`init:${s.id}`)} -> ${nodeName(anchor(s.initial))} [arrowsize=0.6, color="#455a64"${chart.states.get(s.initial)!.children.length ? `, lhead=${clusterName(s.initial)}` : ''}];`);
    }
    for (const child of s.children) writeState(chart.states.get(child)!, depth + 1);
    out.push(`${pad}}`);
  };
  writeState(chart.states.get(chart.root)!, 0);
  for (const t of moving) {
    const c = colourOf(t.id, colouring);
    const from = chart.states.get(t.source)!;
    const to = chart.states.get(t.targets[0]!)!;
    const attrs = [
      `id=${quoted(t.id)}`,
      `label=${quoted(`${eventLabel(t)}\n${transitionShortName(t)}`)}`,
      `tooltip=${quoted(`${t.id}: ${t.description}${t.requirements.length ? ` [${t.requirements.join(', ')}]` : ''}`)}`,
      `color=${quoted(c.stroke)}`, `fontcolor=${quoted(c === PLAIN ? '#263238' : c.stroke)}`, 'penwidth=1.5',
      ...(c.dash ? ['style=dashed'] : []),
      ...(from.children.length ? [`ltail=${clusterName(from.id)}`] : []),
      ...(to.children.length ? [`lhead=${clusterName(to.id)}`] : []),
    ];
    out.push(`  ${nodeName(anchor(from.id))} -> ${nodeName(anchor(to.id))} [${attrs.join(', ')}];`);
  }
  const caption = options.caption ?? 'Cards are states; arrows change state. A card row lists the steps an event takes without leaving the state, in refusal-precedence order: ✓ accepted (rule), ◆ accepted, moves a companion (kept in the context), ✗ refused (error code). "time" = deadlines taken while ADVANCE runs.';
  out.push(`  label=${quoted(caption)}; labelloc=b; fontsize=10;`);
  out.push('}');
  return out.join('\n');
}
