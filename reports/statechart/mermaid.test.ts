/**
 * Mermaid output draws every transition's label (one edge per source/target pair, labels merged),
 * and the companion-lifecycle and pairing-attempt diagrams are derived from transition metadata.
 */
import { describe, expect, it } from 'vitest';
import { linkMachine } from '../../model/linkMachine.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { readStatechart, type Statechart } from './definition.js';
import { eventLabel, transitionShortName } from './dot.js';
import { companionLifecycleMermaid, lifecycleSteps, pairingAttemptMermaid } from './lifecycle.js';
import { mermaidId, mermaidLabel, statechartMermaid } from './mermaid.js';

const chart = readStatechart(linkMachine);

/** The edges as Mermaid draws them: the LAST label given for a pair wins. */
function drawnEdges(text: string): Map<string, string> {
  const edges = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+) --> (\S+): (.*)$/.exec(line);
    if (m) edges.set(`${m[1]} ${m[2]}`, m[3]);
  }
  return edges;
}

describe('model.mmd', () => {
  it('draws every transition: its event and outcome are on the one edge of its pair', () => {
    const edges = drawnEdges(statechartMermaid(chart));
    const lines = statechartMermaid(chart).split('\n').filter((l) => l.includes(' --> ') && !l.includes('[*]'));
    expect(lines).toHaveLength(edges.size);
    for (const t of chart.transitions) {
      const drawn = edges.get(`${mermaidId(t.source)} ${mermaidId(t.targets[0] ?? t.source)}`);
      expect(drawn, t.id).toBeDefined();
      const line = drawn!.split('<br/>').find((l) => l.startsWith(`${eventLabel(t)} `));
      expect(line, t.id).toContain(mermaidLabel(transitionShortName(t)));
    }
    expect(chart.transitions.length).toBeGreaterThan(100);
  });
});

describe('companion.mmd and pairing.mmd', () => {
  it('every companion lifecycle step in the metadata is an arrow, by phase, with its rule named', () => {
    const text = companionLifecycleMermaid(chart);
    const edges = drawnEdges(text);
    for (const step of lifecycleSteps(chart)) {
      for (const from of step.from) {
        const drawn = edges.get(`${mermaidId(from)} ${mermaidId(step.to)}`);
        expect(drawn, `${step.transition.id} ${from}`).toContain(step.transition.name);
      }
    }
    expect(text).toContain('linked --> signed_out');
    expect(text).toContain('[primary-dormant]');
  });

  it('follows the metadata: a new lifecycle step appears without touching the drawing code', () => {
    const extra = { ...chart.transitions[0]!, id: 'A/teleport', name: 'teleport', event: 'TELEPORT', code: undefined, companion: 'idle → linked.online (beamed)' };
    const changed: Statechart = { ...chart, transitions: [...chart.transitions, extra] };
    expect(drawnEdges(companionLifecycleMermaid(changed)).get('idle linked_online')).toContain('TELEPORT teleport [beamed]');
    const broken: Statechart = { ...chart, transitions: [...chart.transitions, { ...extra, companion: 'no arrow here' }] };
    expect(() => companionLifecycleMermaid(broken)).toThrow(/unreadable companion step/);
  });

  it('the pairing attempt: ways in and out, every refusal of SCAN_QR and ENTER_CODE, the QR schedule', () => {
    const text = pairingAttemptMermaid(chart, DEFAULT_PROFILE.qr);
    const edges = drawnEdges(text);
    expect(edges.get('[*] linking_qr')).toContain('SHOW_QR showQr');
    expect(edges.get('linking_qr linked_online')).toContain('scanAccepted');
    expect(edges.get('linking_code linked_online')).toContain('codeAccepted');
    const qrLoop = edges.get('linking_qr linking_qr')!;
    const codeLoop = edges.get('linking_code linking_code')!;
    for (const t of chart.transitions.filter((x) => x.code && x.event === 'SCAN_QR')) expect(qrLoop).toContain(t.code);
    for (const t of chart.transitions.filter((x) => x.code && x.event === 'ENTER_CODE')) expect(codeLoop).toContain(t.code);
    expect(codeLoop).toContain('codeWrong');
    expect(edges.get('linking_qr idle')).toContain('qrAttemptOver');
    expect(text).toContain('reference 0 shown 60 s, then 5 more, 20 s each');
  });
});
