/**
 * `linkspec model [--out DIR] [--profile FILE] [--quick]`: runs the exhaustive check of the model
 * (model/explore.ts) and writes the auditor's documents: model.svg (the statechart), model.mmd
 * (Mermaid), model.json (the machine config with the profile's initial context: XState's
 * createMachine + createActor run it, given the named guards and actions), MODEL.md (the model
 * in words, with requirement traceability), stats.json (the check's figures), and two diagrams
 * derived from the transitions' metadata: companion.mmd (the companion lifecycle) and pairing.mmd
 * (one pairing attempt, by QR or code, with every outcome).
 *
 * Exit 0: every invariant held. Exit 1: an invariant broke; the shortest violating path is printed
 * one step per line. Exit 2: bad arguments or an unreadable profile (one line, stable code).
 * The documents are written in every case, so a broken model can still be read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { loadProfile } from '../profileFile.js';
import { modelElements } from '../../model/elements.js';
import { exploreModel, formatPath, type ExploreConfig, type ExploreResult } from '../../model/explore.js';
import { INVARIANTS } from '../../model/invariants.js';
import { linkMachine } from '../../model/linkMachine.js';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { initialWorld } from '../../model/world.js';
import { REQUIREMENTS } from '../../model/requirements.js';
import { modelDocument } from '../../reports/statechart/modelDoc.js';
import { statechartMermaid } from '../../reports/statechart/mermaid.js';
import { companionLifecycleMermaid, pairingAttemptMermaid } from '../../reports/statechart/lifecycle.js';
import { readStatechart, statechartDefinition } from '../../reports/statechart/definition.js';
import { renderStatechartSvg } from '../../reports/statechart/svg.js';

export const DEFAULT_MODEL_OUT = 'reports/out/model';
export const MODEL_FILES = ['model.svg', 'model.mmd', 'model.json', 'MODEL.md', 'stats.json', 'companion.mmd', 'pairing.mmd'] as const;

export type CheckMode = ExploreConfig;

/**
 * model.json: the statechart as an XState machine config whose context is the profile's empty
 * world, so `createActor(createMachine(json, linkMachine.implementations))` starts where
 * `createActor(linkMachine, { input: { profile } })` does and follows it (model.test.ts).
 */
export function modelJson(profile: Profile): string {
  return `${JSON.stringify(statechartDefinition(linkMachine, { context: initialWorld(profile) }), null, 2)}\n`;
}
/** How the check is run; tests substitute a bounded one. */
export type ExploreFn = (profile: Profile, mode: CheckMode) => ExploreResult;

/** The explorer's own configurations (model/explore.ts EXPLORE_CONFIGS): quick is smaller. */
export const runExplore: ExploreFn = (profile, mode) => exploreModel(profile, { config: mode });

export interface ModelArgs {
  readonly out: string;
  readonly profile?: string;
  readonly quick?: boolean;
}

export interface ModelOutcome {
  readonly exitCode: number;
  readonly files: string[];
  readonly result: ExploreResult;
}

/** Runs the check, writes the five files, prints the summary (and any violation's path). */
export async function runModel(args: ModelArgs, print: (line: string) => void, explore: ExploreFn = runExplore): Promise<ModelOutcome> {
  if (!args.out.trim()) throw new UsageError('BAD_OUT', '--out: give a folder');
  const profile = args.profile !== undefined ? loadProfile(args.profile) : DEFAULT_PROFILE;
  const mode: CheckMode = args.quick ? 'quick' : 'full';
  const result = explore(profile, mode);

  const elements = modelElements(profile);
  const chart = readStatechart(linkMachine);
  const structural = { states: chart.states.size - 1, transitions: chart.transitions.length };
  const contents: Record<(typeof MODEL_FILES)[number], string> = {
    'model.svg': await renderStatechartSvg(linkMachine),
    'model.mmd': statechartMermaid(chart),
    'model.json': modelJson(profile),
    'companion.mmd': companionLifecycleMermaid(chart),
    'pairing.mmd': pairingAttemptMermaid(chart, profile.qr),
    'MODEL.md': modelDocument({
      elements, requirements: REQUIREMENTS, profile,
      check: { ...result, mode, exploredMaxCompanions: result.profile.maxCompanions },
      invariants: INVARIANTS.map((i) => ({ id: i.id, title: i.title, requirements: i.requirements })),
    }),
    'stats.json': `${JSON.stringify({
      states: result.states, transitions: result.transitions, invariants: result.invariants,
      durationMs: result.durationMs, complete: result.complete, profile: profile.name, mode, structural,
      passes: result.passes,
      violations: result.violations.map((v) => ({ invariant: v.invariant, requirements: v.requirements, detail: v.detail, steps: v.path.length })),
    }, null, 2)}\n`,
  };
  mkdirSync(args.out, { recursive: true });
  const files = MODEL_FILES.map((name) => {
    writeFileSync(join(args.out, name), contents[name]);
    return join(args.out, name);
  });

  print(`linkspec model: profile ${profile.name}, ${mode} check${result.profile.maxCompanions !== profile.maxCompanions ? ` (companion limit scaled to ${result.profile.maxCompanions})` : ''}`);
  print(`statechart: ${structural.states} states, ${structural.transitions} transitions`);
  print(`explored: ${result.states} states, ${result.transitions} transitions, ${result.invariants} invariants in ${(result.durationMs / 1000).toFixed(1)} s${result.complete ? '' : ' (INCOMPLETE: state bound hit)'}`);
  for (const p of result.passes.length > 1 ? result.passes : []) print(`  ${p.name} pass: ${p.states} states, ${p.transitions} transitions in ${(p.durationMs / 1000).toFixed(1)} s (companion limit ${p.maxCompanions})`);
  for (const v of result.violations) {
    print(`VIOLATION ${v.invariant} (${v.requirements.join(', ') || 'no requirement'}): ${v.detail}`);
    print(`shortest path (${v.path.length} steps):`);
    for (const line of formatPath(v.path)) print(line);
  }
  if (!result.violations.length) print(`every invariant held${result.complete ? '' : ' in the states visited'}`);
  print(`wrote ${files.join(', ')}`);
  return { exitCode: result.violations.length ? EXIT.FAILED : EXIT.OK, files, result };
}

export const registerModel: RegisterCommand = (program, setExit) => {
  program
    .command('model')
    .description('Check the model exhaustively (every invariant in every reachable state of its abstraction) and write MODEL.md, the statechart (SVG, Mermaid, JSON) and stats.json.')
    .option('--out <dir>', 'folder for model.svg, model.mmd, model.json, MODEL.md, stats.json, companion.mmd, pairing.mmd', DEFAULT_MODEL_OUT)
    .option('--profile <file>', 'a profile JSON file (default: the seed\'s WhatsApp profile)')
    .option('--quick', 'the smaller configuration (companion limit scaled down, no messages): faster, less thorough')
    .action(async (args: ModelArgs) => {
      const outcome = await runModel(args, (line) => process.stdout.write(`${line}\n`));
      setExit(outcome.exitCode);
    });
};
