/**
 * Event paths as ITF traces (the Informal Trace Format of Apalache and Quint, ADR-015), so model
 * paths and failing paths can be read by ITF tools (Quint's MBT, the ITF trace viewer) and
 * replayed against any adapter (`linkspec replay FILE`).
 *
 * Shape (one state per step; state 0 is the empty world before any step):
 *   { "#meta": { "format": "ITF", "format-description": …, "source": "linkspec", "description": …,
 *                "linkspec": { profile, requirements, check?, failingStep?, replay? } },
 *     "vars": ["mbt::actionTaken", "mbt::nondetPicks", "event", "result", "observation", "now"],
 *     "states": [ { "#meta": { "index": i }, "mbt::actionTaken": "SCAN_QR" | "init",
 *                   "mbt::nondetPicks": { …the event's fields… }, "event": { type, … } | {},
 *                   "result": …, "observation": …, "now": { "#bigint": "…" } } ] }
 * Integers are `{"#bigint": "n"}` (as Quint writes them), records are JSON objects, lists arrays.
 * `observation` is what the model predicts after the step (model/observation.ts); for a failing
 * path, `linkspec::expected` / `linkspec::actual` / `linkspec::ok` carry the run's words too.
 *
 * Guarantees: `eventsFromItf` accepts only a trace whose every step's `event` is a well-formed
 * event of model/events.ts (else UsageError BAD_TRACE naming the state and field), so a replayed
 * trace drives exactly the steps written; encoding then decoding gives the same events.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/exit.js';
import { createOracle } from '../model/createOracle.js';
import { ACCOUNTS, COMPANION_SLOTS, type LinkEvent } from '../model/events.js';
import type { Profile } from '../model/profile.js';
import type { Failure, RunReport } from '../reports/schema.js';

export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';
export const ITF_VARS = ['mbt::actionTaken', 'mbt::nondetPicks', 'event', 'result', 'observation', 'now'] as const;

export type ItfValue = boolean | string | number | ItfValue[] | { readonly [key: string]: ItfValue };

/** JSON value -> ITF value: integers as #bigint, undefined fields dropped. */
export function toItfValue(value: unknown): ItfValue {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`ITF: ${value} is not an integer`);
    return { '#bigint': String(value) };
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === null) return { tag: 'None', value: { '#tup': [] } };
  if (Array.isArray(value)) return value.map(toItfValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toItfValue(v)]));
  }
  throw new RangeError(`ITF: cannot encode ${typeof value}`);
}

/** ITF value -> JSON value (the inverse for what toItfValue writes). */
export function fromItfValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromItfValue);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['#bigint'] === 'string' && Object.keys(o).length === 1) {
      const n = Number(o['#bigint']);
      if (!/^-?\d+$/.test(o['#bigint']) || !Number.isSafeInteger(n)) throw new RangeError(`#bigint '${o['#bigint']}' is not a safe integer`);
      return n;
    }
    if (o.tag === 'None' && Object.keys(o).length === 2) return null;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromItfValue(v)]));
  }
  return value;
}

export interface ItfMeta {
  readonly description: string;
  readonly profile: string;
  readonly requirements: readonly string[];
  readonly check?: string;
  readonly failingStep?: number;
  readonly replay?: string;
}

/** The trace of `events` as the model runs them; `recorded` adds a run's words per step. */
export function pathToItf(events: readonly LinkEvent[], profile: Profile, meta: ItfMeta, recorded?: Failure['path']): object {
  const oracle = createOracle(profile);
  const initial = oracle.observe();
  const states: object[] = [{
    '#meta': { index: 0 }, 'mbt::actionTaken': 'init', 'mbt::nondetPicks': {}, event: {},
    result: toItfValue(initial.result), observation: toItfValue(initial.accounts), now: toItfValue(0),
  }];
  let now = 0;
  events.forEach((event, i) => {
    const step = oracle.step(event);
    if (event.type === 'ADVANCE') now += event.ms;
    const { type, ...picks } = event;
    const words = recorded?.[i];
    states.push({
      '#meta': { index: i + 1 }, 'mbt::actionTaken': type, 'mbt::nondetPicks': toItfValue(picks), event: toItfValue(event),
      result: toItfValue(step.observation.result), observation: toItfValue(step.observation.accounts), now: toItfValue(now),
      ...(words ? { 'linkspec::expected': words.expected, 'linkspec::actual': words.actual, 'linkspec::ok': words.ok } : {}),
    });
  });
  return {
    '#meta': { format: 'ITF', 'format-description': ITF_FORMAT_DESCRIPTION, source: 'linkspec', description: meta.description, linkspec: toJson(meta) },
    vars: recorded ? [...ITF_VARS, 'linkspec::expected', 'linkspec::actual', 'linkspec::ok'] : [...ITF_VARS],
    states,
  };
}

function toJson(meta: ItfMeta): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));
}

// ---- reading a trace back -------------------------------------------------------------------
const account = z.enum(ACCOUNTS);
const companion = z.string().regex(new RegExp(`^[AB]\\.(${COMPANION_SLOTS.join('|')})$`), 'a companion id such as A.c1');
const device = z.union([z.enum(['A.primary', 'B.primary']), companion]);
const idCheck = z.enum(['pass', 'fail']);
const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('REGISTER'), account, idCheck: z.boolean() }),
  // A trace written before LIFE-03 has no `proof`: its re-registrations were proven (model/events.ts).
  z.strictObject({ type: z.literal('REREGISTER'), account, proof: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('LOGOUT'), account }),
  z.strictObject({ type: z.literal('GO_OFFLINE'), device }),
  z.strictObject({ type: z.literal('GO_ONLINE'), device }),
  z.strictObject({ type: z.literal('SHOW_QR'), device: companion }),
  z.strictObject({ type: z.literal('SCAN_QR'), device: companion, by: device, source: z.enum(['live', 'photo']), idCheck, tamper: z.enum(['none', 'ref', 'key', 'secret']) }),
  z.strictObject({ type: z.literal('CANCEL_LINKING'), device: companion }),
  z.strictObject({ type: z.literal('REQUEST_CODE'), device: companion }),
  z.strictObject({ type: z.literal('ENTER_CODE'), device: companion, by: device, correct: z.boolean(), idCheck }),
  z.strictObject({ type: z.literal('UNLINK'), by: device, target: device }),
  z.strictObject({ type: z.literal('SEND'), from: device, id: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('ADVANCE'), ms: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }),
  z.strictObject({ type: z.literal('RESTART') }),
]);

export const MAX_TRACE_STEPS = 100_000;

/** The events of an ITF trace (states 1..n), validated; UsageError('BAD_TRACE') says where it is wrong. */
export function eventsFromItf(json: unknown, where = 'trace'): { events: LinkEvent[]; meta: Record<string, unknown> } {
  const trace = json as { states?: unknown; '#meta'?: unknown };
  if (typeof json !== 'object' || json === null || !Array.isArray(trace.states)) throw new UsageError('BAD_TRACE', `${where}: not an ITF trace (no "states" list)`);
  if (trace.states.length - 1 > MAX_TRACE_STEPS) throw new UsageError('BAD_TRACE', `${where}: ${trace.states.length - 1} steps, more than ${MAX_TRACE_STEPS}`);
  const events: LinkEvent[] = [];
  trace.states.forEach((state, i) => {
    if (i === 0) return; // the initial state
    const raw = (state as { event?: unknown } | null)?.event;
    let decoded: unknown;
    try {
      decoded = fromItfValue(raw);
    } catch (error) {
      throw new UsageError('BAD_TRACE', `${where}: states[${i}].event: ${(error as Error).message}`);
    }
    const parsed = eventSchema.safeParse(decoded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError('BAD_TRACE', `${where}: states[${i}].event${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    }
    events.push(parsed.data as LinkEvent);
  });
  const meta = trace['#meta'];
  return { events, meta: typeof meta === 'object' && meta !== null ? meta as Record<string, unknown> : {} };
}

/** Safe file names: `path:link-then-limit` -> `path_link-then-limit`. */
export function traceFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.itf.json`;
}

/**
 * The ITF trace of every failing check of a report whose path carries its events (every lockstep
 * path does), keyed by file name; the rest are listed with the reason they have no trace.
 */
export function failureTraces(report: RunReport, profile: Profile): { files: Record<string, string>; without: string[] } {
  const files: Record<string, string> = {};
  const without: string[] = [];
  for (const check of report.checks) {
    const failure = check.failure;
    if (check.status !== 'fail' || !failure) continue;
    if (!failure.path.length || failure.path.some((s) => !s.eventData)) {
      without.push(`${check.id}: its path was not recorded step by step as events`);
      continue;
    }
    const events = failure.path.map((s) => s.eventData as unknown as LinkEvent);
    const trace = pathToItf(events, profile, {
      description: `${failure.requirement}: ${failure.message}`, profile: profile.name, requirements: [failure.requirement],
      check: check.id, failingStep: failure.failingStep + 1, replay: failure.replay,
    }, failure.path);
    files[traceFileName(check.id)] = `${JSON.stringify(trace, null, 2)}\n`;
  }
  return { files, without };
}

/** Every model path (conformance/modelPaths.ts) as an ITF trace, keyed by file name. */
export function modelPathTraces(paths: readonly { id: string; title: string; events: readonly LinkEvent[]; requirements: readonly string[] }[], profile: Profile): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [traceFileName(`path_${p.id}`), `${JSON.stringify(pathToItf(p.events, profile, { description: p.title, profile: profile.name, requirements: p.requirements, check: `path:${p.id}` }), null, 2)}\n`]));
}

/** Writes each failing path as OUT/traces/<check>.itf.json; returns a line for the console, or '' when none failed. */
export function writeFailureTraces(report: RunReport, outDir: string, profile: Profile): string {
  const { files, without } = failureTraces(report, profile);
  const names = Object.keys(files);
  if (!names.length && !without.length) return '';
  const dir = join(outDir, 'traces');
  mkdirSync(dir, { recursive: true });
  for (const name of names) writeFileSync(join(dir, name), files[name]!);
  return `traces (ITF, replay with linkspec replay FILE --adapter …): ${names.length} in ${dir}${without.length ? `; none for ${without.join('; ')}` : ''}`;
}
