/**
 * The statechart renderers, one entry point (the harness loads `renderStatechartSvg` from here,
 * conformance/modelSource.ts). Every renderer takes data from its caller (the machine or its JSON
 * definition, the element list, the requirement catalogue): nothing here runs the model.
 */
export { readStatechart, statechartDefinition, type Statechart, type ChartState, type ChartTransition } from './definition.js';
export { statechartDot, transitionShortName, type DotOptions, type StatechartColouring } from './dot.js';
export { dotToSvg, renderStatechartSvg } from './svg.js';
export { statechartMermaid } from './mermaid.js';
export { modelDocument, outcomeOf, type ModelDocInput, type ModelCheckFigures } from './modelDoc.js';
