/**
 * The statechart as Mermaid `stateDiagram-v2` (model.mmd), for readers whose tools render
 * Mermaid (GitHub, most wikis).
 *
 * Guarantee: every transition's label is drawn. Mermaid draws one edge per source/target pair
 * (a second `A --> B: x` line replaces the first one's label), so all transitions between one
 * pair - state-changing arrows and the steps an event takes without leaving a state alike - are
 * merged into ONE edge whose label lists them, one line per event (`<br/>`), outcomes in
 * precedence order (tested: every transition's short name appears on its pair's edge).
 * Parallel regions are separated with `--`.
 */
import type { ChartState, ChartTransition, Statechart } from './definition.js';
import { eventLabel, transitionShortName } from './dot.js';

// Mermaid state ids: letters, digits and underscores.
export const mermaidId = (id: string) => (id ? id.replace(/[^A-Za-z0-9]/g, '_') : 'machine');
// A label runs to the end of the line; these characters would end or confuse it.
export const mermaidLabel = (s: string) => s.replace(/[:;#{}<>\n]/g, ' ');

/** One edge per source/target pair; its label lines are `EVENT outcome, outcome …` per event. */
export function mergedEdges(transitions: readonly ChartTransition[]): { source: string; target: string; lines: string[]; transitions: ChartTransition[] }[] {
  const pairs = new Map<string, { source: string; target: string; byEvent: Map<string, ChartTransition[]> }>();
  for (const t of transitions) {
    const target = t.targets[0] ?? t.source;
    const key = `${t.source}\u0000${target}`;
    const pair = pairs.get(key) ?? { source: t.source, target, byEvent: new Map<string, ChartTransition[]>() };
    pair.byEvent.set(eventLabel(t), [...(pair.byEvent.get(eventLabel(t)) ?? []), t]);
    pairs.set(key, pair);
  }
  return [...pairs.values()].map(({ source, target, byEvent }) => ({
    source, target,
    lines: [...byEvent].map(([event, list]) => `${event} ${list.map(transitionShortName).join(', ')}`),
    transitions: [...byEvent.values()].flat(),
  }));
}

export function statechartMermaid(chart: Statechart): string {
  const out = ['stateDiagram-v2'];
  const write = (s: ChartState, depth: number) => {
    const pad = '  '.repeat(depth);
    out.push(`${pad}state "${mermaidLabel(s.key || chart.machineId)}" as ${mermaidId(s.id)}`);
    if (!s.children.length) return;
    out.push(`${pad}state ${mermaidId(s.id)} {`);
    if (s.initial && s.kind !== 'parallel') out.push(`${pad}  [*] --> ${mermaidId(s.initial)}`);
    s.children.forEach((child, i) => {
      if (s.kind === 'parallel' && i > 0) out.push(`${pad}  --`);
      write(chart.states.get(child)!, depth + 1);
    });
    out.push(`${pad}}`);
  };
  write(chart.states.get(chart.root)!, 0);
  for (const edge of mergedEdges(chart.transitions)) {
    out.push(`${mermaidId(edge.source)} --> ${mermaidId(edge.target)}: ${edge.lines.map(mermaidLabel).join('<br/>')}`);
  }
  return `${out.join('\n')}\n`;
}
