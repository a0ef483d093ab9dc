/**
 * The statechart picture as SVG (Graphviz compiled to WebAssembly, @viz-js/viz: no binary to
 * install). `renderStatechartSvg` is what the harness loads (conformance/modelSource.ts) to colour
 * the run report's diagram by coverage, and what `linkspec model` writes as model.svg.
 */
import { instance, type Viz } from '@viz-js/viz';
import { readStatechart } from './definition.js';
import { statechartDot, type StatechartColouring } from './dot.js';

let viz: Promise<Viz> | undefined;

/** DOT to SVG; throws with Graphviz's messages when the DOT is refused. */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: 'svg', engine: 'dot' });
}

/**
 * `def`: the XState machine (what the harness passes) or its JSON definition (model.json).
 * `colouring`: element id -> 'covered' | 'uncovered' | 'failed'; elements not named stay plain.
 */
export async function renderStatechartSvg(def: unknown, colouring?: StatechartColouring): Promise<string> {
  return dotToSvg(statechartDot(readStatechart(def), colouring ? { colouring } : {}));
}
