import { describe, expect, it } from 'vitest';
import { linkMachine } from '../../model/linkMachine.js';
import { modelElements } from '../../model/elements.js';
import { REQUIREMENTS } from '../../model/requirements.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { STATECHART_LEGEND } from '../render/statechartLegend.js';
import { readStatechart, statechartDefinition } from './definition.js';
import { statechartDot } from './dot.js';
import { statechartMermaid } from './mermaid.js';
import { modelDocument } from './modelDoc.js';
import { renderStatechartSvg } from './svg.js';

const elements = modelElements(DEFAULT_PROFILE);
const elementIds = elements.map((e) => e.id);
const chart = readStatechart(linkMachine);

describe('readStatechart', () => {
  it('reads every element of the machine, eventless transitions included, with the ids the oracle reports', () => {
    const ids = [...[...chart.states.keys()].filter(Boolean), ...chart.transitions.map((t) => t.id)];
    expect(ids.sort()).toEqual([...elementIds].sort());
    expect(chart.transitions.filter((t) => t.event === '').map((t) => t.id)).toContain('A.registered.primaryOffline/primaryDormancyReached');
  });

  it('reads the JSON definition (model.json) exactly as the machine object', () => {
    const fromJson = readStatechart(JSON.parse(JSON.stringify(statechartDefinition(linkMachine))));
    expect(fromJson.transitions).toEqual(chart.transitions);
    expect([...fromJson.states.values()]).toEqual([...chart.states.values()]);
  });
});

describe('statechart picture', () => {
  it('gives every element an id in the DOT and in the SVG', async () => {
    const dot = statechartDot(chart);
    const svg = await renderStatechartSvg(linkMachine);
    for (const id of elementIds) {
      const escaped = id.replace(/[.]/g, '\\.');
      expect(new RegExp(`(ID|id)="(node:|cluster:)?${escaped}"`).test(dot), id).toBe(true);
      expect(new RegExp(`id="(a_|node:|cluster:)?${escaped}"`).test(svg), id).toBe(true);
    }
  });

  it('colours elements by the legend: a failed refusal cell, a covered arrow, an uncovered state', async () => {
    const colouring = {
      'A.registered/scanLimitReached': 'failed',
      'A.unregistered/register': 'covered',
      'B.registered.primaryDormant': 'uncovered',
    } as const;
    const dot = statechartDot(chart, { colouring });
    expect(dot).toMatch(new RegExp(`ID="A\\.registered/scanLimitReached"[^>]*COLOR="${STATECHART_LEGEND.failed.stroke}" BGCOLOR="${STATECHART_LEGEND.failed.fill}"`));
    expect(dot).toMatch(new RegExp(`id="A\\.unregistered/register".*color="${STATECHART_LEGEND.covered.stroke}"`));
    expect(dot).toMatch(new RegExp(`ID="B\\.registered\\.primaryDormant"[^>]*BGCOLOR="${STATECHART_LEGEND.uncovered.fill}"`));
    // An element nobody marked stays plain.
    expect(dot).not.toMatch(new RegExp(`ID="A\\.registered/scanNoQr"[^>]*BGCOLOR="${STATECHART_LEGEND.failed.fill}"`));
    const svg = await renderStatechartSvg(linkMachine, colouring);
    expect(svg).toContain(STATECHART_LEGEND.failed.fill);
    expect(svg).toContain(STATECHART_LEGEND.covered.stroke);
  });

  it('writes Mermaid with every state, one edge per source/target pair, one label line per event', () => {
    const mmd = statechartMermaid(chart);
    expect(mmd.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const s of chart.states.values()) if (s.id) expect(mmd).toContain(`as ${s.id.replace(/\./g, '_')}`);
    expect(mmd).toMatch(/\nA_registered --> A_registered: (.*<br\/>)?SCAN_QR ✗ NO_QR, ✗ NOT_PRIMARY/);
    expect(mmd).toContain('A_registered_primaryOffline --> A_registered_primaryDormant: time ◆ primaryDormancyReached');
  });
});

describe('MODEL.md', () => {
  const doc = modelDocument({
    elements, requirements: REQUIREMENTS, profile: DEFAULT_PROFILE,
    check: { states: 8294, transitions: 148908, invariants: 19, durationMs: 62286, complete: true, violations: [], mode: 'quick' },
  });

  it('describes every state and transition, with its error code', () => {
    for (const id of elementIds) expect(doc, id).toContain(`\`${id}\``);
    expect(doc).toMatch(/\| `SCAN_QR` \| `A\.registered\/scanLimitReached` \| refused `LIMIT_REACHED` \|.*\| LIMIT-01 \|/);
  });

  it('traces every requirement, with the reason for those outside the state model', () => {
    for (const r of REQUIREMENTS) expect(doc).toContain(`| **${r.id}** |`);
    const e2e01 = doc.split('\n').find((l) => l.startsWith('| **E2E-01**'))!;
    expect(e2e01).toContain('Outside the state model');
    const limit01 = doc.split('\n').find((l) => l.startsWith('| **LIMIT-01**'))!;
    expect(limit01).toContain('`A.registered/scanLimitReached`');
  });

  it('gives the check figures when there are some', () => {
    expect(doc).toContain('| States visited | 8,294 |');
    expect(modelDocument({ elements, requirements: REQUIREMENTS, profile: DEFAULT_PROFILE })).not.toContain('## Exhaustive check');
  });
});
