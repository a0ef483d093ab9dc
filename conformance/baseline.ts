/**
 * The baseline of accepted deviations (`--baseline FILE`): JSON
 *   { "accepted": [ { "requirement": "EXP-04", "reason": "idle sign-out not built yet" } ] }
 * A failing requirement listed here is accepted; a failing MUST not listed fails the run, and so
 * does an entry whose requirement now passes (the baseline is stale and must be trimmed).
 * A file that does not match is refused with BAD_BASELINE, naming the field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../cli/exit.js';
import { REQUIREMENT_IDS, type RequirementId } from '../model/requirements.js';
import type { BaselineOutcome, RequirementResult } from '../reports/schema.js';

const BaselineFileSchema = z.object({
  accepted: z.array(z.object({
    requirement: z.enum(REQUIREMENT_IDS),
    reason: z.string().trim().min(1, 'say why the deviation is accepted'),
  }).strict()),
}).strict();

export interface Baseline {
  /** Where it was read from, as the report shows it. */
  readonly file: string;
  readonly accepted: readonly { readonly requirement: RequirementId; readonly reason: string }[];
}

export function parseBaseline(json: unknown, file: string): Baseline {
  const parsed = BaselineFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError('BAD_BASELINE', `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return { file, accepted: parsed.data.accepted };
}

export function loadBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError('BAD_BASELINE', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError('BAD_BASELINE', `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseBaseline(json, file);
}

/** Sorts the run's failing requirements against the baseline. */
export function applyBaseline(baseline: Baseline, requirements: readonly RequirementResult[]): BaselineOutcome {
  const verdict = new Map(requirements.map((r) => [r.id, r.verdict]));
  const listed = new Set(baseline.accepted.map((a) => a.requirement as string));
  const failing = (v: string | undefined) => v === 'fail' || v === 'non-strict';
  return {
    file: baseline.file,
    accepted: [...listed].filter((id) => failing(verdict.get(id))),
    unexpected: requirements.filter((r) => r.verdict === 'fail' && !listed.has(r.id)).map((r) => r.id),
    // Only a requirement seen passing makes an entry stale; one not run this time says nothing.
    stale: [...listed].filter((id) => verdict.get(id) === 'pass'),
  };
}
