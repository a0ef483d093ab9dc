/**
 * The colours of the statechart diagram in a report, in one place: whoever colours the SVG
 * (reports/statechart/, from the harness's colouring in conformance/verdicts.ts) and the HTML
 * legend that explains it read the same table, so the legend cannot drift from the drawing.
 * The marks are the harness's words: 'covered' | 'uncovered' | 'failed'.
 */

export interface StatechartColour {
  /** Graphviz/SVG fill of a state. */
  readonly fill: string;
  /** Outline of a state and colour of a transition. */
  readonly stroke: string;
  /** SVG stroke-dasharray, when the element is drawn dashed. */
  readonly dash?: string;
  readonly meaning: string;
}

export type StatechartMark = 'covered' | 'failed' | 'uncovered';

export const STATECHART_LEGEND: Readonly<Record<StatechartMark, StatechartColour>> = {
  covered: { fill: '#c8e6c9', stroke: '#2e7d32', meaning: 'reached by at least one check in this run' },
  failed: { fill: '#ffcdd2', stroke: '#c62828', meaning: 'reached, and serves a requirement that failed (or a SHOULD not met) in this run' },
  uncovered: { fill: '#eeeeee', stroke: '#9e9e9e', dash: '4 3', meaning: 'not reached by any check in this run' },
};
