/**
 * JUnit XML for CI pages. One <testsuite> per requirement (name `LIMIT-01 (MUST)`), one <testcase>
 * per check that cites it (classname = requirement id, name = `check id: title`), plus one suite
 * for the baseline when the run has one.
 *
 * Guarantees:
 * - the document is well-formed XML 1.0 whatever the report's strings contain (render/escape.ts);
 * - a <failure> appears exactly where the run fails: a failed check under a MUST requirement
 *   whose verdict is `fail` and that the baseline does not accept, and a stale baseline entry.
 *   A failed check that does not count (a SHOULD, so non-strict; a baselined MUST; or a failure
 *   attributed to another requirement) is reported as <skipped> saying why, with the full path
 *   in <system-out>, so a CI page agrees with the exit code and still shows the evidence;
 * - a requirement no check exercises still appears, as one skipped testcase with the reason;
 * - counts (tests, failures, skipped) and times (seconds) are consistent at every level;
 * - the document is valid against Jenkins xUnit's `junit-10.xsd` (reports/schemas/, tested): the
 *   root <testsuites> carries only name, tests, failures, errors and time (no `skipped`, no
 *   `timestamp`: each <testsuite> carries those), times have at most 3 decimals.
 * Serves DESIGN.md's CI user ("JUnit XML for the CI page") and "every failure replays".
 */
import type { CheckResult, Failure, RequirementResult, RunReport } from '../schema.js';
import { escapeAttribute, escapeText } from './escape.js';
import { checksFor, differencesInWords, failureCounts, pathInWords, plural, runVerdictNotes, seconds, VERDICT_MEANING } from './words.js';

type Attributes = Readonly<Record<string, string | number | undefined>>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join('');
}

function element(name: string, attrs: Attributes, children: readonly string[] = [], indent = ''): string {
  if (children.length === 0) return `${indent}<${name}${attributes(attrs)}/>`;
  return `${indent}<${name}${attributes(attrs)}>\n${children.join('\n')}\n${indent}</${name}>`;
}

function textElement(name: string, attrs: Attributes, text: string, indent: string): string {
  return `${indent}<${name}${attributes(attrs)}>${escapeText(text)}</${name}>`;
}

/** The failure as a reader of a CI log wants it: message, the path step by step, the replay. */
export function failureText(failure: Failure): string {
  const lines = [
    `${failure.requirement}: ${failure.message}`,
    '',
    `Path (${plural(failure.path.length, 'step')}, first difference at step ${failure.failingStep + 1}):`,
    ...pathInWords(failure),
  ];
  if (failure.differences.length > 0) lines.push('', 'Differences:', ...differencesInWords(failure).map((d) => `  - ${d}`));
  if (failure.seed !== undefined) lines.push('', `Seed: ${failure.seed}${failure.counterexamplePath ? `, counterexample path: ${failure.counterexamplePath}` : ''}`);
  lines.push('', 'Replay:', `  ${failure.replay}`);
  return lines.join('\n');
}

interface Case {
  readonly xml: string;
  readonly failed: boolean;
  readonly skipped: boolean;
  readonly ms: number;
}

function whyNotCounted(requirement: RequirementResult, failure: Failure): string {
  if (failure.requirement !== requirement.id) return `the failure is attributed to ${failure.requirement}; see that suite`;
  if (requirement.baselined) return 'accepted by the baseline';
  if (requirement.level === 'SHOULD' || requirement.verdict === 'non-strict') return 'non-strict: a SHOULD requirement, reported but not failing the run';
  return `requirement verdict is ${requirement.verdict}`;
}

function testcase(requirement: RequirementResult, check: CheckResult): Case {
  const attrs = { classname: requirement.id, name: `${check.id}: ${check.title}`, time: seconds(check.durationMs) };
  const inner = '      ';
  if (check.status === 'skipped') {
    const skip = element('skipped', { message: check.skipReason ?? 'skipped (no reason given)' }, [], inner);
    return { xml: element('testcase', attrs, [skip], '    '), failed: false, skipped: true, ms: check.durationMs };
  }
  if (check.status === 'fail') {
    const failure = check.failure;
    const text = failure ? failureText(failure) : 'the check failed without recording evidence';
    const message = failure ? `${failure.message} Replay: ${failure.replay}` : 'check failed';
    // Without evidence the check can only be judged by its requirement's verdict.
    const counts = failureCounts(requirement) && (failure === undefined || failure.requirement === requirement.id);
    if (counts) {
      const body = textElement('failure', { message, type: failure ? failure.requirement : 'failure' }, text, inner);
      return { xml: element('testcase', attrs, [body], '    '), failed: true, skipped: false, ms: check.durationMs };
    }
    const why = failure ? whyNotCounted(requirement, failure) : `requirement verdict is ${requirement.verdict}`;
    const children = [element('skipped', { message: `failed, not counted (${why}): ${message}` }, [], inner), textElement('system-out', {}, text, inner)];
    return { xml: element('testcase', attrs, children, '    '), failed: false, skipped: true, ms: check.durationMs };
  }
  return { xml: element('testcase', attrs, [], '    '), failed: false, skipped: false, ms: check.durationMs };
}

function suite(name: string, properties: Attributes, cases: readonly Case[], timestamp: string): { xml: string; cases: readonly Case[] } {
  const props = element(
    'properties',
    {},
    Object.entries(properties)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([key, value]) => element('property', { name: key, value }, [], '      ')),
    '    ',
  );
  const attrs = {
    name,
    tests: cases.length,
    failures: cases.filter((c) => c.failed).length,
    errors: 0,
    skipped: cases.filter((c) => c.skipped).length,
    time: seconds(cases.reduce((ms, c) => ms + c.ms, 0)),
    timestamp,
  };
  return { xml: element('testsuite', attrs, [props, ...cases.map((c) => c.xml)], '  '), cases };
}

function requirementSuite(report: RunReport, requirement: RequirementResult) {
  const checks = checksFor(report, requirement);
  const cases = checks.length > 0
    ? checks.map((c) => testcase(requirement, c))
    : [{
        xml: element('testcase', { classname: requirement.id, name: `${requirement.id}: no check exercises this requirement`, time: seconds(0) },
          [element('skipped', { message: `${requirement.verdict}: ${requirement.reason ?? VERDICT_MEANING[requirement.verdict]}` }, [], '      ')], '    '),
        failed: false, skipped: true, ms: 0,
      }];
  return suite(`${requirement.id} (${requirement.level})`, {
    requirement: requirement.id,
    level: requirement.level,
    verdict: requirement.verdict,
    text: requirement.text,
    reason: requirement.reason,
    baselined: requirement.baselined === undefined ? undefined : String(requirement.baselined),
    modelElements: requirement.modelElements.join(', '),
  }, cases, report.startedAt);
}

/** The run's own outcome when it is neither conformant nor simply non-conformant: one failing case saying why. */
function runSuiteOutcome(report: RunReport) {
  const classname = 'run';
  const notes = runVerdictNotes(report);
  const message = notes[0] ?? report.verdict;
  const cases: Case[] = [{
    xml: element('testcase', { classname, name: `run verdict: ${report.verdict}`, time: seconds(report.durationMs) }, [
      textElement('failure', { message, type: report.verdict }, notes.join('\n') || report.verdict, '      '),
    ], '    '),
    failed: true, skipped: false, ms: report.durationMs,
  }];
  return suite(`linkspec run (${report.verdict})`, { verdict: report.verdict, claim: report.claim?.class }, cases, report.startedAt);
}

function baselineSuite(report: RunReport) {
  const baseline = report.baseline!;
  const classname = 'baseline';
  const cases: Case[] = [
    ...baseline.stale.map((id) => ({
      xml: element('testcase', { classname, name: `${id}: stale baseline entry`, time: seconds(0) }, [
        textElement('failure', { message: `${id} is listed in ${baseline.file} but no longer fails: remove the entry`, type: 'stale-baseline' },
          `The baseline ${baseline.file} accepts a failure of ${id}, but ${id} did not fail in this run. A stale entry fails the run so the baseline only ever shrinks: delete it.`, '      '),
      ], '    '),
      failed: true, skipped: false, ms: 0,
    })),
    ...baseline.accepted.map((id) => ({
      xml: element('testcase', { classname, name: `${id}: accepted deviation`, time: seconds(0) }, [
        textElement('system-out', {}, `${id} fails, and ${baseline.file} accepts it: not counted against the run.`, '      '),
      ], '    '),
      failed: false, skipped: false, ms: 0,
    })),
  ];
  return suite(`baseline ${baseline.file}`, {
    file: baseline.file,
    accepted: baseline.accepted.join(', '),
    unexpected: baseline.unexpected.join(', '),
    stale: baseline.stale.join(', '),
  }, cases, report.startedAt);
}

/** The whole report as a JUnit XML document. */
export function renderJunit(report: RunReport): string {
  const suites = report.requirements.map((r) => requirementSuite(report, r));
  if (report.baseline && (report.baseline.stale.length > 0 || report.baseline.accepted.length > 0)) suites.push(baselineSuite(report));
  if (report.verdict !== 'conformant' && report.verdict !== 'non-conformant') suites.push(runSuiteOutcome(report));
  const all = suites.flatMap((s) => s.cases);
  const root = element('testsuites', {
    name: `linkspec ${report.adapter.name} (${report.verdict})`,
    tests: all.length,
    failures: all.filter((c) => c.failed).length,
    errors: 0,
    time: seconds(report.durationMs),
  }, suites.map((s) => s.xml));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
