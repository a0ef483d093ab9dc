/**
 * How the statechart's transitions are written down: one `Rule` per line of model/events.ts, with
 * a stable element id, the guard (rules.ts), either the refusal code or the effect
 * (worldEffects.ts), the words an auditor reads and the requirement IDs it serves. `toConfig`
 * turns a rule into an XState transition config; the id, code and requirements travel in `meta`
 * so the oracle and the documents read them back from the machine itself.
 */
import type { AccountId } from './events.js';
import type { OperationErrorCode } from './errors.js';
import type { RequirementId } from './requirements.js';
import type { RuleName } from './rules.js';
import type { EffectName } from './effects.js';

export interface TransitionMeta {
  readonly id: string;
  readonly requirements: readonly RequirementId[];
  /** Set on a refusal: the stable error code the step must return. */
  readonly code?: OperationErrorCode;
  /** The companion lifecycle step this transition takes, when it moves one (MODEL.md). */
  readonly companion?: string;
}

export interface StateMeta {
  readonly requirements: readonly RequirementId[];
}

export interface Rule {
  readonly name: string;
  readonly guard: RuleName;
  readonly description: string;
  readonly requirements: readonly RequirementId[];
  readonly code?: OperationErrorCode;
  readonly effect?: EffectName;
  readonly target?: string;
  readonly companion?: string;
}

/** The guard and action params every rule carries: which account's region it belongs to. */
export interface RuleParams { readonly rule: RuleName; readonly account: AccountId | null; readonly routed: boolean }

export function toConfig(source: string, account: AccountId | null, r: Rule, routed = true) {
  const meta: TransitionMeta = {
    id: `${source}/${r.name}`,
    requirements: r.requirements,
    ...(r.code ? { code: r.code } : {}),
    ...(r.companion ? { companion: r.companion } : {}),
  };
  return {
    guard: { type: 'rule' as const, params: { rule: r.guard, account, routed } satisfies RuleParams },
    ...(r.target ? { target: r.target } : {}),
    actions: r.code
      ? [{ type: 'refuse' as const, params: { code: r.code, via: meta.id } }]
      : [{ type: 'apply' as const, params: { effect: r.effect ?? 'accept', account, via: meta.id } }],
    description: r.code ? `${r.description} → refused ${r.code}` : r.description,
    meta,
  };
}

/** Group rules by event, keeping each event's list in precedence order. */
export function onEvents(source: string, account: AccountId | null, byEvent: Record<string, readonly Rule[]>) {
  const on: Record<string, ReturnType<typeof toConfig>[]> = {};
  for (const [event, rules] of Object.entries(byEvent)) on[event] = rules.map((r) => toConfig(source, account, r));
  return on;
}
