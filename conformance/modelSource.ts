/**
 * Where the harness gets the model: the oracle, the statechart's elements, the covering paths
 * and the statechart picture. Kept in one place so the runner and tests can substitute them
 * (tests of the harness run against a stand-in when asked to).
 */
import type { Oracle, ModelElement } from '../model/oracle.js';
import type { Profile } from '../model/profile.js';
import type { LinkEvent } from '../model/events.js';
import { createOracle } from '../model/createOracle.js';
import { modelElements } from '../model/elements.js';
import { linkMachine } from '../model/linkMachine.js';

/** A path generated from the model (conformance/modelPaths.ts). */
export interface ModelPath {
  readonly id: string;
  readonly title: string;
  readonly events: readonly LinkEvent[];
  readonly covers: readonly string[];
  readonly requirements: readonly string[];
}

export interface ModelSource {
  createOracle(profile: Profile): Oracle;
  modelElements(profile: Profile): readonly ModelElement[];
  coveringPaths(profile: Profile): readonly ModelPath[];
  /** The statechart as SVG, coloured by coverage; undefined when no renderer is available. */
  statechartSvg(profile: Profile, colouring: Record<string, 'covered' | 'uncovered' | 'failed'>): Promise<string | undefined>;
}

// Variable specifiers: these modules are built by other engineers at the same time, and the
// harness must still type-check and load while one of them is missing.
async function optional<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && (error as { code: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The real model; the paths and the picture when their modules are there. */
export async function loadModelSource(): Promise<ModelSource> {
  const paths = await optional<{ coveringPaths(p: Profile): ModelPath[] }>('./modelPaths.js');
  type Renderer = { renderStatechartSvg?(def: unknown, colouring?: Record<string, string>): Promise<string> };
  let statechart: Renderer | undefined;
  for (const specifier of ['../reports/statechart/index.js', '../reports/statechart/renderStatechartSvg.js', '../reports/statechart/statechartSvg.js']) {
    statechart = await optional<Renderer>(specifier);
    if (statechart?.renderStatechartSvg) break;
  }
  return {
    createOracle: (profile) => createOracle(profile),
    modelElements: (profile) => modelElements(profile),
    coveringPaths: (profile) => paths?.coveringPaths(profile) ?? [],
    async statechartSvg(_profile, colouring) {
      if (!statechart?.renderStatechartSvg) return undefined;
      try {
        return await statechart.renderStatechartSvg(linkMachine, colouring);
      } catch {
        return undefined;
      }
    },
  };
}
