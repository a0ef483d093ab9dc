/**
 * report.html: one self-contained page a person who never read the code can act on. Guarantees:
 * - a single file: styles and the small script are inline, the statechart is embedded as a
 *   data: image, nothing is loaded from the network;
 * - every string from the report is escaped (render/escape.ts); the statechart SVG is shown as an
 *   image, never parsed into the page, so a hostile SVG cannot run script in it;
 * - top to bottom: the verdict and the run's facts; each failure step by step (numbered path with
 *   the first difference highlighted, the differing fields, the replay command to copy); the
 *   requirement table; the statechart with its legend; coverage with what was not reached;
 *   skipped checks with reasons; the baseline outcome; what each verdict means.
 * Serves DESIGN.md's three readers: teams (failure + replay), CI (verdict), auditors (table,
 * model elements, diagram). "Every failure replays."
 */
import type { CheckResult, CoverageCount, Failure, RequirementResult, RunReport } from '../schema.js';
import { escapeAttribute as attr, escapeText as t } from './escape.js';
import { HTML_SCRIPT, HTML_STYLE } from './htmlStyle.js';
import { STATECHART_LEGEND } from './statechartLegend.js';
import {
  checksFor, CHECK_KIND_WORDS, failedChecks, failureCounts, failureGroups, failureStanding, pathLengthWords, plural, formatDuration, percent, requirementById, RUN_VERDICT_MEANING,
  skippedChecks, VERDICT_MEANING, VERDICT_ORDER,
  runVerdictNotes,
} from './words.js';

const STANDING_WORDS = {
  counts: 'fails the run',
  'non-strict': 'non-strict (SHOULD): reported, does not fail the run',
  baselined: 'accepted by the baseline: does not fail the run',
} as const;

/** Anchor of a check's failure; ids from the report are not safe as HTML ids, positions are. */
function anchor(report: RunReport, check: CheckResult): string {
  return `check-${report.checks.indexOf(check)}`;
}

function chip(className: string, label: string, title?: string): string {
  return `<span class="chip ${className}"${title ? ` title="${attr(title)}"` : ''}>${t(label)}</span>`;
}

function replayBlock(label: string, command: string): string {
  return `<div class="replay"><div class="label">${t(label)}</div><pre><code>${t(command)}</code></pre><button type="button">Copy</button></div>`;
}

function fact(label: string, value: string, detail?: string, wide = false): string {
  return `<div${wide ? ' class="wide"' : ''}><dt>${t(label)}</dt><dd>${t(value)}${detail ? `<small>${t(detail)}</small>` : ''}</dd></div>`;
}

/**
 * Profile parameters as a person reads them, nested objects flattened to dotted names:
 * durations (`…Ms`) in days, hours or seconds.
 */
function parameters(prefix: string, value: unknown): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => parameters(prefix ? `${prefix}.${k}` : k, v));
  }
  if (typeof value === 'number' && prefix.endsWith('Ms')) return [`${prefix.slice(0, -2)} ${formatSpan(value)}`];
  return [`${prefix} ${typeof value === 'string' ? value : JSON.stringify(value)}`];
}

/** A profile's time span in the largest unit that divides it exactly: `14 d`, `3 min`, `20 s`. */
function formatSpan(ms: number): string {
  const units: readonly (readonly [number, string])[] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

/** Shows the first `limit` items and folds the rest into a <details> (no script needed). */
function folded(items: readonly string[], limit: number, wrap: (shown: string) => string): string {
  if (items.length <= limit) return wrap(items.join(''));
  return `${wrap(items.slice(0, limit).join(''))}<details><summary>${items.length - limit} more</summary>${wrap(items.slice(limit).join(''))}</details>`;
}

function profileDetail(profile: RunReport['profile']): string {
  const { name: _name, ...rest } = profile;
  return parameters('', rest).join(', ');
}

/** Why a non-conformant run fails, in one list: the failing MUSTs outside the baseline, the stale entries. */
function reasons(report: RunReport): string {
  const failing = report.requirements.filter(failureCounts).map((r) => `${r.id} (MUST) fails: ${r.text}`);
  const stale = (report.baseline?.stale ?? []).map((id) => `baseline entry ${id} is stale: it no longer fails, remove it from ${report.baseline!.file}`);
  const all = [...failing, ...stale, ...runVerdictNotes(report)];
  if (all.length === 0) return '';
  return `<div class="why"><strong>Why:</strong><ul>${all.map((r) => `<li>${t(r)}</li>`).join('')}</ul></div>`;
}

function header(report: RunReport): string {
  const s = report.summary;
  const requirementChips = VERDICT_ORDER.map((v) => chip(`v-${v}${s.requirements[v] === 0 ? ' zero' : ''}`, `${s.requirements[v]} ${v}`, VERDICT_MEANING[v])).join(' ');
  const checkChips = [
    chip('v-pass' + (s.checks.pass === 0 ? ' zero' : ''), `${s.checks.pass} passed`),
    chip('v-fail' + (s.checks.fail === 0 ? ' zero' : ''), `${s.checks.fail} failed`),
    chip('v-skipped' + (s.checks.skipped === 0 ? ' zero' : ''), `${s.checks.skipped} skipped`),
  ].join(' ');
  const only = report.options.only && report.options.only.length > 0 ? report.options.only.join(', ') : 'all checks';
  return `<header class="run ${report.verdict}">
<div class="title-row"><span class="badge">${t(report.verdict.toUpperCase())}</span><h1>linkspec conformance report: ${t(report.adapter.name)}</h1></div>
<p class="lead">${t(`${report.verdict[0]!.toUpperCase()}${report.verdict.slice(1)}`)}${report.claim ? t(` (claim: ${report.claim.class})`) : ''}: ${t(RUN_VERDICT_MEANING[report.verdict])}.</p>
${reasons(report)}
<dl class="facts">
${fact('Adapter (implementation under test)', report.adapter.name, report.adapter.description)}
${fact('Profile', report.profile.name, profileDetail(report.profile), true)}
${fact('Seed', String(report.options.seed), `${report.options.runs} property runs; ${only}`)}
${fact('Duration', formatDuration(report.durationMs), `started ${report.startedAt}`)}
${fact('Checks', `${s.checks.total} checks, ${s.modelSteps} model steps`)}
${fact('Capabilities declared', report.adapter.capabilities.length > 0 ? report.adapter.capabilities.join(', ') : 'none')}
</dl>
<div class="counts"><strong>Requirements:</strong> ${requirementChips}</div>
<div class="counts"><strong>Checks:</strong> ${checkChips}</div>
${replayBlock('Rerun this whole run', report.replay)}
</header>`;
}

function pathTable(failure: Failure): string {
  const rows = failure.path.map((step, i) => {
    const failing = i === failure.failingStep;
    const cls = [failing ? 'failing' : '', step.ok && !failing ? 'ok' : 'differs'].filter(Boolean).join(' ');
    return `<tr class="${cls}"><td class="step">${i + 1}</td><td class="mark">${step.ok && !failing ? '✓' : '✗'}</td>`
      + `<td class="event"><code>${t(step.event)}</code>${failing ? '<span class="first-diff">← first difference</span>' : ''}</td>`
      + `<td><code>${t(step.expected)}</code></td><td><code>${t(step.actual)}</code></td></tr>`;
  });
  return `<table class="path"><thead><tr><th>#</th><th>Matched</th><th>Event (what the harness did)</th><th>Expected (the model)</th><th>Actual (the implementation)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function differencesTable(failure: Failure): string {
  if (failure.differences.length === 0) return '<p class="muted">No field-level differences were recorded.</p>';
  const rows = failure.differences.map((d) => `<tr><td><code>${t(d.field)}</code></td><td><code>${t(d.expected)}</code></td><td><code>${t(d.actual)}</code></td></tr>`);
  return `<table class="differences"><thead><tr><th>Field</th><th>Expected</th><th>Actual</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function failureArticle(report: RunReport, check: CheckResult, failure: Failure, sameAs: readonly CheckResult[] = []): string {
  const requirement = requirementById(report, failure.requirement);
  const standing = failureStanding(report, failure);
  const heading = `${failure.requirement}${requirement ? ` (${requirement.level})` : ''}: ${check.title}`;
  const seed = failure.seed !== undefined
    ? `<p>Property run: seed <code>${failure.seed}</code>${failure.counterexamplePath ? `, counterexample path <code>${t(failure.counterexamplePath)}</code>` : ''}.</p>`
    : '';
  return `<article class="failure standing-${standing}" id="${anchor(report, check)}">
<h3>${t(heading)} ${chip(standing === 'counts' ? 'v-fail' : standing === 'baselined' ? 'v-baselined' : 'v-non-strict', STANDING_WORDS[standing])}</h3>
<div class="muted">Check <code>${t(check.id)}</code> (${t(CHECK_KIND_WORDS[check.kind])}), ${t(pathLengthWords(check, failure))}.</div>${sameAs.length ? `\n<p class="note">The same difference was also found by ${sameAs.map((c) => `<span id="${anchor(report, c)}"><code>${t(c.id)}</code></span>`).join(', ')}: one bug, shown once.</p>` : ''}
<p class="message">${t(failure.message)}</p>
${requirement ? `<p class="requirement-text">The requirement: ${t(requirement.text)}</p>` : ''}
<h4>The path, step by step (first difference at step ${failure.failingStep + 1})</h4>
${pathTable(failure)}
<h4>What differed at step ${failure.failingStep + 1}</h4>
${differencesTable(failure)}
${seed}
${replayBlock('Replay exactly this failure', failure.replay)}
</article>`;
}

function failuresSection(report: RunReport): string {
  const failed = failedChecks(report);
  const withoutEvidence = report.checks.filter((c) => c.status === 'fail' && c.failure === undefined);
  if (failed.length === 0 && withoutEvidence.length === 0) return '';
  const groups = failureGroups(report);
  const missing = withoutEvidence.map((c) => `<p class="note bad">Check <code>${t(c.id)}</code> (${t(c.title)}) failed without recording a path.</p>`);
  return `<section id="failures"><h2>Failures (${failed.length + withoutEvidence.length})</h2>
<p class="lead">Each failure shows the shortest event path found: the harness applied the same events to the model and to the implementation and compared what both showed after every step.</p>
${groups.map((g) => failureArticle(report, g.check, g.check.failure, g.sameAs)).join('\n')}${missing.join('\n')}</section>`;
}

function checkList(report: RunReport, requirement: RequirementResult): string {
  const checks = checksFor(report, requirement);
  if (checks.length === 0) return '<span class="muted">none</span>';
  const mark = { pass: '✓', fail: '✗', skipped: '–' } as const;
  return `<ul class="inline">${checks.map((c) => {
    const label = `${mark[c.status]} ${c.id}`;
    const item = c.status === 'fail' && c.failure ? `<a href="#${anchor(report, c)}">${t(label)}</a>` : t(label);
    return `<li title="${attr(`${c.title} (${c.status})`)}">${item}</li>`;
  }).join('')}</ul>`;
}

function requirementsSection(report: RunReport): string {
  const rows = report.requirements.map((r) => {
    const verdict = chip(`v-${r.verdict}`, r.verdict, VERDICT_MEANING[r.verdict]);
    const baselined = r.baselined ? ` ${chip('v-baselined', 'baselined', 'the baseline accepts this failure')}` : '';
    const reason = r.reason ? `<div class="muted">${t(r.reason)}</div>` : '';
    const elements = r.modelElements.length > 0
      ? folded(r.modelElements.map((e) => `<code>${t(e)}</code> `), 8, (shown) => `<div>${shown}</div>`)
      : '<span class="muted">none</span>';
    return `<tr class="row-${r.verdict}"><td class="id">${t(r.id)}</td><td>${t(r.level)}</td><td>${verdict}${baselined}</td>`
      + `<td>${t(r.text)}${reason}</td><td class="checks">${checkList(report, r)}</td><td class="elements">${elements}</td></tr>`;
  });
  return `<section id="requirements"><h2>Requirements (${report.requirements.length})</h2>
<p class="lead">MUST requirements decide the verdict; a SHOULD that is not met is reported as non-strict. Hover a verdict for its meaning.</p>
<table><thead><tr><th>ID</th><th>Level</th><th>Verdict</th><th>Requirement</th><th>Checks</th><th>Model elements</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function statechartSection(report: RunReport): string {
  const legend = Object.entries(STATECHART_LEGEND).map(([mark, c]) =>
    `<span><span class="swatch" style="background:${attr(c.fill)};border-color:${attr(c.stroke)}${c.dash ? ';border-style:dashed' : ''}"></span><strong>${t(mark)}</strong>: ${t(c.meaning)}</span>`).join('');
  const body = report.statechartSvg
    ? `<div class="diagram" tabindex="0" role="region" aria-label="Statechart diagram (scrollable; Enter or click switches between fit-to-width and full size)" title="Click to switch between fit-to-width and full size"><img alt="The statechart of the model, coloured by coverage and failures" src="data:image/svg+xml;base64,${Buffer.from(report.statechartSvg, 'utf8').toString('base64')}"/></div>
<div class="legend">${legend}</div>
<p class="muted">Click the diagram (or focus it and press Enter) to switch between fit-to-width and full size; scroll or use the arrow keys to pan.</p>`
    : '<p class="note">This report carries no statechart diagram (the harness did not include one).</p>';
  return `<section id="statechart"><h2>Statechart</h2>
<p class="lead">The model the implementation was compared against. States and transitions are coloured by what this run reached and where it failed.</p>
${body}</section>`;
}

function coverageBlock(label: string, c: CoverageCount): string {
  const width = c.total === 0 ? 0 : Math.round((c.covered / c.total) * 100);
  const list = c.uncovered.length === 0
    ? '<p class="muted">Every one was reached.</p>'
    : `<p>Not reached (${c.uncovered.length}):</p>${folded(c.uncovered.map((u) => `<li><code>${t(u)}</code></li>`), 30, (shown) => `<ul class="columns">${shown}</ul>`)}`;
  return `<div class="coverage-block"><h3>${t(label)}: ${c.covered} of ${c.total} (${t(percent(c.covered, c.total))})</h3><div class="bar"><span style="width:${width}%"></span></div>${list}</div>`;
}

function coverageSection(report: RunReport): string {
  return `<section id="coverage"><h2>Model coverage</h2>
<p class="lead">How much of the model this run exercised. An unreached state or transition is behaviour no check compared.</p>
${coverageBlock('States', report.coverage.states)}${coverageBlock('Transitions', report.coverage.transitions)}</section>`;
}

function skippedSection(report: RunReport): string {
  const skipped = skippedChecks(report);
  const body = skipped.length === 0
    ? '<p class="muted">No check was skipped.</p>'
    : `<table><thead><tr><th>Check</th><th>Requirements</th><th>Why it was skipped</th></tr></thead><tbody>${skipped.map(({ check, reason }) =>
        `<tr><td><strong>${t(check.id)}</strong><div class="muted">${t(check.title)}</div></td><td>${t(check.requirements.join(', '))}</td><td>${t(reason)}</td></tr>`).join('')}</tbody></table>`;
  return `<section id="skipped"><h2>Skipped checks (${skipped.length})</h2>
<p class="lead">A check is skipped when the adapter does not declare a capability it needs. Skipped is never passed.</p>${body}</section>`;
}

function idList(ids: readonly string[]): string {
  return ids.length === 0 ? '<span class="muted">none</span>' : ids.map((id) => `<code>${t(id)}</code>`).join(', ');
}

function baselineSection(report: RunReport): string {
  const b = report.baseline;
  if (!b) return `<section id="baseline"><h2>Baseline</h2><p class="note">No baseline was used: every failing MUST requirement counts against the run.</p></section>`;
  const bad = b.unexpected.length > 0 || b.stale.length > 0;
  return `<section id="baseline"><h2>Baseline</h2>
<p class="lead">A baseline file lists known deviations that are accepted for now. A failure it lists does not fail the run; an entry that no longer fails is stale and does fail the run, so the baseline only ever shrinks.</p>
<div class="note${bad ? ' bad' : ''}"><p>File: <code>${t(b.file)}</code></p>
<table><tbody>
<tr><th>Accepted</th><td>${idList(b.accepted)}</td><td class="muted">failing, and listed: not counted</td></tr>
<tr><th>Unexpected</th><td>${idList(b.unexpected)}</td><td class="muted">failing, not listed: these fail the run</td></tr>
<tr><th>Stale</th><td>${idList(b.stale)}</td><td class="muted">listed, but no longer failing: remove them from the file; they fail the run until then</td></tr>
</tbody></table></div></section>`;
}

function glossary(): string {
  return `<section id="glossary"><h2>How to read this report</h2><dl class="glossary">
${VERDICT_ORDER.map((v) => `<dt>${chip(`v-${v}`, v)}</dt><dd>${t(VERDICT_MEANING[v])}.</dd>`).join('\n')}
<dt>Model path</dt><dd>A sequence of events generated from the statechart; the model predicts what the implementation must show after each.</dd>
<dt>Property run</dt><dd>Random event sequences (from the seed) checked against the model; a failure is shrunk to the shortest path that still fails.</dd>
<dt>Replay</dt><dd>The command reruns exactly the same events with the same seed against the same adapter.</dd>
</dl></section>`;
}

export function renderHtml(report: RunReport): string {
  const failures = failuresSection(report);
  const nav = [
    failures ? ['failures', 'Failures'] : undefined,
    ['requirements', 'Requirements'], ['statechart', 'Statechart'], ['coverage', 'Coverage'],
    ['skipped', 'Skipped'], ['baseline', 'Baseline'], ['glossary', 'How to read'],
  ].filter((x): x is string[] => x !== undefined).map(([id, label]) => `<a href="#${id}">${label}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>${t(`linkspec: ${report.verdict} (${report.adapter.name})`)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<main>
${header(report)}
<nav>${nav}</nav>
${failures}
${requirementsSection(report)}
${statechartSection(report)}
${coverageSection(report)}
${skippedSection(report)}
${baselineSection(report)}
${glossary()}
<p class="muted">Generated by ${t(report.tool.name)} ${t(report.tool.version)}, report schema ${t(report.schemaVersion)}.</p>
</main>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}
