/**
 * The statechart as Mermaid `stateDiagram-v2` (model.mmd), for readers whose tools render
 * Mermaid (GitHub, most wikis). Same drawing rule as the DOT: state-changing transitions are
 * arrows; the steps an event takes without leaving a state are grouped into one self-loop per
 * state and event, labelled with their outcomes in precedence order, so the ~130 of them stay
 * readable. Parallel regions are separated with `--`.
 */
import type { ChartState, ChartTransition, Statechart } from './definition.js';
import { eventLabel, transitionShortName } from './dot.js';

// Mermaid state ids: letters, digits and underscores.
const mid = (id: string) => (id ? id.replace(/[^A-Za-z0-9]/g, '_') : 'machine');
// A label runs to the end of the line; these characters would end or confuse it.
const label = (s: string) => s.replace(/[:;#{}\n]/g, ' ');

export function statechartMermaid(chart: Statechart): string {
  const out = ['stateDiagram-v2'];
  const inPlace = new Map<string, Map<string, ChartTransition[]>>();
  const moving: ChartTransition[] = [];
  for (const t of chart.transitions) {
    if (t.targets.length && t.targets[0] !== t.source) { moving.push(t); continue; }
    const byEvent = inPlace.get(t.source) ?? new Map<string, ChartTransition[]>();
    byEvent.set(eventLabel(t), [...(byEvent.get(eventLabel(t)) ?? []), t]);
    inPlace.set(t.source, byEvent);
  }
  const write = (s: ChartState, depth: number) => {
    const pad = '  '.repeat(depth);
    out.push(`${pad}state "${label(s.key || chart.machineId)}" as ${mid(s.id)}`);
    if (!s.children.length) return;
    out.push(`${pad}state ${mid(s.id)} {`);
    if (s.initial && s.kind !== 'parallel') out.push(`${pad}  [*] --> ${mid(s.initial)}`);
    s.children.forEach((child, i) => {
      if (s.kind === 'parallel' && i > 0) out.push(`${pad}  --`);
      write(chart.states.get(child)!, depth + 1);
    });
    out.push(`${pad}}`);
  };
  write(chart.states.get(chart.root)!, 0);
  for (const t of moving) out.push(`${mid(t.source)} --> ${mid(t.targets[0]!)}: ${label(`${eventLabel(t)} ${transitionShortName(t)}`)}`);
  for (const [source, byEvent] of inPlace) {
    for (const [event, list] of byEvent) {
      out.push(`${mid(source)} --> ${mid(source)}: ${label(`${event} ${list.map(transitionShortName).join(', ')}`)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
