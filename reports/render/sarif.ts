/**
 * SARIF 2.1.0 (OASIS, errata 01) for code-scanning pages and any SARIF viewer: `report.sarif`,
 * written on every run, passing or not.
 *
 * Guarantees:
 * - valid against the official SARIF 2.1.0 JSON schema (reports/schemas/, tested with ajv);
 * - one rule per requirement of the run, `id` = the requirement ID (`LIMIT-01`), its text as the
 *   description, MUST as default level `error`, SHOULD as `warning`;
 * - one result per failed check, `ruleId` = the requirement the failure breaks; its level says how
 *   it stands for the run: `error` (fails the run), `warning` (a SHOULD, non-strict), or `note`
 *   with an external suppression (accepted by the baseline); stale baseline entries are results
 *   too (`error`), since they fail the run;
 * - the path is in the message (step by step, the replay command last) and as a codeFlow: one
 *   threadFlow location per step, `essential` at the first difference, in order;
 * - a result has a logical location naming the check, and stable `partialFingerprints`
 *   (requirement, check, failing event) so a code-scanning page tracks one deviation across runs.
 * Serves DESIGN.md's CI user; every result carries its requirement ID and its replay command.
 */
import type { CheckResult, Failure, RequirementResult, RunReport } from '../schema.js';
import { failureText } from './junit.js';
import { failedChecks, failureStanding } from './words.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

function rule(requirement: RequirementResult) {
  return {
    id: requirement.id,
    name: requirement.id.replace('-', ''),
    shortDescription: { text: `${requirement.id} (${requirement.level})` },
    fullDescription: { text: requirement.text },
    defaultConfiguration: { level: (requirement.level === 'MUST' ? 'error' : 'warning') as SarifLevel },
    properties: { level: requirement.level, verdict: requirement.verdict, modelElements: [...requirement.modelElements], tags: [requirement.id.split('-')[0], requirement.level] },
  };
}

function threadFlow(failure: Failure) {
  return {
    locations: failure.path.map((step, i) => ({
      location: { message: { text: `${i + 1}. ${step.event}${i === failure.failingStep || !step.ok ? ` — expected: ${step.expected}; actual: ${step.actual}` : ''}` } },
      executionOrder: i + 1,
      importance: i === failure.failingStep ? 'essential' : 'important',
      properties: { ok: step.ok, expected: step.expected, actual: step.actual },
    })),
  };
}

function failureResult(report: RunReport, check: CheckResult & { failure: Failure }, ruleIndex: Map<string, number>) {
  const { failure } = check;
  const standing = failureStanding(report, failure);
  const level: SarifLevel = standing === 'counts' ? 'error' : standing === 'non-strict' ? 'warning' : 'note';
  const index = ruleIndex.get(failure.requirement);
  const failing = failure.path[failure.failingStep];
  return {
    ruleId: failure.requirement,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level,
    message: { text: failureText(failure) },
    locations: [{ logicalLocations: [{ name: check.id, fullyQualifiedName: `${check.kind}/${check.id}`, kind: 'function' }] }],
    ...(failure.path.length > 0 ? { codeFlows: [{ message: { text: `${check.title}: ${failure.path.length} steps, first difference at step ${failure.failingStep + 1}` }, threadFlows: [threadFlow(failure)] }] } : {}),
    partialFingerprints: { 'linkspec/v1': [failure.requirement, check.id, failing?.event ?? ''].join('|') },
    ...(standing === 'baselined' && report.baseline ? { suppressions: [{ kind: 'external', justification: `accepted by the baseline ${report.baseline.file}` }] } : {}),
    properties: {
      check: check.id, kind: check.kind, standing, replay: failure.replay,
      ...(failure.seed !== undefined ? { seed: failure.seed } : {}),
      ...(failure.counterexamplePath ? { counterexamplePath: failure.counterexamplePath } : {}),
    },
  };
}

function staleResult(report: RunReport, id: string, ruleIndex: Map<string, number>) {
  const file = report.baseline?.file ?? 'the baseline';
  const index = ruleIndex.get(id);
  return {
    ruleId: id,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: 'error' as SarifLevel,
    message: { text: `${id} is listed in ${file} but no longer fails: remove the entry (a stale baseline entry fails the run).` },
    locations: [{ logicalLocations: [{ name: file, kind: 'resource' }] }],
    partialFingerprints: { 'linkspec/v1': [id, 'stale-baseline', file].join('|') },
    properties: { standing: 'stale-baseline' },
  };
}

/** The whole report as a SARIF 2.1.0 log (one run), pretty-printed JSON. */
export function renderSarif(report: RunReport): string {
  const rules = report.requirements.map(rule);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = [
    ...failedChecks(report).map((c) => failureResult(report, c, ruleIndex)),
    ...(report.baseline?.stale ?? []).map((id) => staleResult(report, id, ruleIndex)),
  ];
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: report.tool.name, semanticVersion: report.tool.version, version: report.tool.version, rules } },
      automationDetails: { id: `linkspec/${report.adapter.name}/` },
      invocations: [{
        executionSuccessful: true,
        startTimeUtc: report.startedAt,
        endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
        commandLine: report.replay,
        properties: { verdict: report.verdict, seed: report.options.seed, runs: report.options.runs },
      }],
      results,
      properties: {
        verdict: report.verdict,
        adapter: report.adapter.name,
        requirementVerdicts: Object.fromEntries(report.requirements.map((r) => [r.id, r.verdict])),
        coverage: { states: `${report.coverage.states.covered}/${report.coverage.states.total}`, transitions: `${report.coverage.transitions.covered}/${report.coverage.transitions.total}` },
      },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
