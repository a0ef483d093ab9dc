/**
 * The run report: what CI gates on and auditors read. Versioned; the JSON Schema published at
 * reports/report.schema.json describes exactly this shape (a test keeps the two in step).
 * Renderers (JSON, JUnit XML, HTML, Markdown) take a RunReport and nothing else.
 */

export const REPORT_SCHEMA_VERSION = '1.1.0';

/**
 * The run's verdict and its exit code (cli/exit.ts): conformant 0; non-conformant 1 (a MUST of
 * the claimed class failed, or a baseline entry is stale); incomplete 1 (a MUST of the claimed
 * class was skipped or not exercised); flaky 1 (a MUST failure that did not reproduce on
 * replay); adapter-fault 3 (the adapter threw, hung, answered garbage or too much);
 * budget-exhausted 4 (--budget ran out); harness-error 2 (linkspec itself failed, or SIGINT).
 */
export type RunVerdict = 'conformant' | 'non-conformant' | 'incomplete' | 'flaky' | 'adapter-fault' | 'budget-exhausted' | 'harness-error';

/** Why a run ended early: the call that failed and a one-line reason (no stack trace). */
export interface RunFault {
  readonly kind: 'adapter-fault' | 'budget-exhausted' | 'harness-error';
  /** Stable code: ADAPTER_TIMEOUT, ADAPTER_THREW, ADAPTER_GARBAGE, ADAPTER_TOO_LARGE, ADAPTER_MISSING_METHOD, DRIVER_ERROR, PROTOCOL_FAULT, BUDGET_EXHAUSTED, INTERRUPTED, HARNESS_ERROR ... */
  readonly code: string;
  /** The adapter call (or harness step) that failed, e.g. `observe after SCAN_QR A.c1 by A.primary`. */
  readonly call: string;
  readonly reason: string;
  /** The check that was running, if any. */
  readonly check?: string;
}

/** The conformance class claimed (model/classes.ts) and what of it was not exercised. */
export interface ClaimOutcome {
  readonly class: string;
  readonly title: string;
  /** The MUST requirements of the class: each must pass for a conformant verdict. */
  readonly musts: readonly string[];
  /** Capabilities a claim of the class needs. */
  readonly capabilities: readonly string[];
  /** Once per capability the adapter lacks: what it is and which MUSTs of the class it left unexercised. */
  readonly missingCapabilities: readonly { readonly capability: string; readonly description: string; readonly requirements: readonly string[] }[];
  /** MUSTs of the class that neither passed nor failed for another reason (checks stopped early, not reached). */
  readonly notExercised: readonly string[];
  /**
   * MUSTs of the class that no check of this kit exercised at all (none planned for them): a gap
   * in the kit, reported here and in the summary, not counted against the implementation.
   */
  readonly kitGaps?: readonly string[];
}

/** Per requirement. `fail` only for MUST; a broken SHOULD is `non-strict`. */
export type RequirementVerdict = 'pass' | 'fail' | 'non-strict' | 'skipped' | 'not-covered';

export type CheckStatus = 'pass' | 'fail' | 'skipped';

/** How a check was made: a path generated from the model, a property-based run, or a targeted check. */
export type CheckKind = 'model-path' | 'property' | 'security';

export interface StepRecord {
  /** 0-based position in the path. */
  readonly index: number;
  /** The step in words, e.g. `SCAN_QR A.c1 by A.primary (live, id check pass)`. */
  readonly event: string;
  /** What the model predicted, in words (result and the differing fields). */
  readonly expected: string;
  /** What the implementation showed, in words. */
  readonly actual: string;
  readonly ok: boolean;
  /** The step as data: the model/events.ts event, e.g. `{ "type": "SCAN_QR", "device": "A.c1", … }` (ITF export, replay). */
  readonly eventData?: { readonly type: string } & Readonly<Record<string, unknown>>;
}

export interface Failure {
  /** The requirement the first difference breaks (the one a reader should look up). */
  readonly requirement: string;
  readonly message: string;
  /** The (shrunk) path up to and including the failing step. */
  readonly path: readonly StepRecord[];
  /** Index into `path` of the first step where implementation and model differ. */
  readonly failingStep: number;
  /** Each field that differed at the failing step. */
  readonly differences: readonly { readonly field: string; readonly expected: string; readonly actual: string }[];
  /**
   * Present when the failure did not reproduce on replay: the difference was seen once (above)
   * and the replay of the same path observed this instead. Counted as a failure (verdict flaky).
   */
  readonly flaky?: { readonly replayObserved: string; readonly replayPath: readonly StepRecord[] };
  /** fast-check seed and path, when the failure came from a property run. */
  readonly seed?: number;
  readonly counterexamplePath?: string;
  /** One command that reruns exactly this failure. */
  readonly replay: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly kind: CheckKind;
  readonly requirements: readonly string[];
  readonly status: CheckStatus;
  /** Present when skipped: which capability is missing, in words. */
  readonly skipReason?: string;
  /** Present when skipped: the capabilities the adapter lacks (names of conformance/contract.ts). */
  readonly lacking?: readonly string[];
  readonly durationMs: number;
  /** Model steps executed by this check. */
  readonly steps: number;
  readonly failure?: Failure;
}

export interface RequirementResult {
  readonly id: string;
  readonly level: 'MUST' | 'SHOULD';
  readonly text: string;
  readonly verdict: RequirementVerdict;
  /** Why it is skipped, not covered, or accepted by the baseline. */
  readonly reason?: string;
  /** Ids of the checks that exercise it. */
  readonly checks: readonly string[];
  /** Ids of the statechart elements that serve it. */
  readonly modelElements: readonly string[];
  /** True when it fails but the baseline accepts the deviation. */
  readonly baselined?: boolean;
}

export interface CoverageCount {
  readonly covered: number;
  readonly total: number;
  readonly uncovered: readonly string[];
}

export interface BaselineOutcome {
  readonly file: string;
  /** Failing requirements the baseline accepts. */
  readonly accepted: readonly string[];
  /** Failing requirements the baseline does not list: these fail the run. */
  readonly unexpected: readonly string[];
  /** Baseline entries that no longer fail: these fail the run too (the baseline is stale). */
  readonly stale: readonly string[];
}

export interface RunReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'linkspec'; readonly version: string };
  readonly startedAt: string;
  readonly durationMs: number;
  /** See RunVerdict; conformant only when every MUST of the claimed class passed. */
  readonly verdict: RunVerdict;
  /** The class claimed (`--claim`, default full). */
  readonly claim?: ClaimOutcome;
  /** Why the run ended early (adapter-fault, budget-exhausted, harness-error). */
  readonly fault?: RunFault;
  readonly adapter: { readonly name: string; readonly description: string; readonly capabilities: readonly string[] };
  readonly profile: { readonly name: string } & Record<string, unknown>;
  readonly options: {
    readonly seed: number;
    readonly runs: number;
    readonly only?: readonly string[];
    /** `i/n` when this run is one shard (`--shard`); its report covers only that shard's checks. */
    readonly shard?: string;
    /** The conformance class claimed (`--claim`). */
    readonly claim?: string;
    /** The run's budget (`--budget`). */
    readonly budgetMs?: number;
  };
  readonly summary: {
    readonly requirements: Readonly<Record<RequirementVerdict, number>>;
    readonly checks: { readonly total: number; readonly pass: number; readonly fail: number; readonly skipped: number };
    readonly modelSteps: number;
  };
  readonly requirements: readonly RequirementResult[];
  readonly checks: readonly CheckResult[];
  /**
   * `situations`: named combinations of the model's context (conformance/situations.ts) that the
   * adapter's capabilities can reach, and which of them the run drove (additive since 1.0.0).
   */
  readonly coverage: { readonly states: CoverageCount; readonly transitions: CoverageCount; readonly situations?: CoverageCount };
  readonly baseline?: BaselineOutcome;
  /** The statechart as SVG, coloured by coverage and failures (embedded by the HTML report). */
  readonly statechartSvg?: string;
  /** The command that reruns the whole run. */
  readonly replay: string;
}
