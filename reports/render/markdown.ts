/**
 * summary.md: the run as a pull-request comment. Guarantees: the first line is the verdict; the
 * requirement table stays compact (passing requirements are counted, not listed); every failure
 * carries its replay command in a code block that its own content cannot close; every string from
 * the report is inert Markdown (render/escape.ts).
 * Serves DESIGN.md's CI user and "every failure replays with one paste".
 */
import type { RunReport } from '../schema.js';
import { escapeMarkdown as md, markdownCodeBlock } from './escape.js';
import {
  checksFor, differencesInWords, failureCounts, failureGroups, failureStanding, formatDuration, pathInWords,
  percent, plural, requirementById, skippedChecks, VERDICT_MEANING, VERDICT_ORDER,
  runVerdictNotes,
} from './words.js';

/** A PR comment has a size limit (GitHub: 65,536 characters); the HTML report has every failure. */
export const MARKDOWN_MAX_FAILURES = 10;

const VERDICT_ICON = { pass: '✅', fail: '❌', 'non-strict': '⚠️', skipped: '⏭️', 'not-covered': '➖' } as const;

function verdictLine(report: RunReport): string {
  const icon = report.verdict === 'conformant' ? '✅' : '❌';
  const counts = VERDICT_ORDER.filter((v) => report.summary.requirements[v] > 0)
    .map((v) => `${report.summary.requirements[v]} ${v}`).join(', ');
  const notes = runVerdictNotes(report).map((n) => `- ${md(n)}\n`).join('');
  return `## ${icon} linkspec: **${report.verdict}** (${md(report.adapter.name)})${report.claim ? ` · claim ${md(report.claim.class)}` : ''}\n\n${notes ? `${notes}\n` : ''}`
    + `Requirements: ${counts || 'none'} · checks: ${report.summary.checks.pass}/${report.summary.checks.total} passed, `
    + `${report.summary.checks.fail} failed, ${report.summary.checks.skipped} skipped · profile ${md(report.profile.name)} · `
    + `seed ${report.options.seed} · ${formatDuration(report.durationMs)}`;
}

function requirementTable(report: RunReport): string {
  const notPassing = report.requirements.filter((r) => r.verdict !== 'pass');
  const passing = report.requirements.length - notPassing.length;
  if (report.requirements.length === 0) return 'No requirement was selected in this run.';
  if (notPassing.length === 0) return `All ${passing} requirements pass.`;
  const rows = notPassing.map((r) => {
    const checks = checksFor(report, r).map((c) => `${md(c.id)} (${c.status})`).join(', ') || '—';
    const note = [
      failureCounts(r) ? '**fails the run**' : '',
      r.baselined ? 'baselined' : '',
      md(r.reason ?? VERDICT_MEANING[r.verdict]),
    ].filter(Boolean).join('; ');
    return `| ${md(r.id)} | ${r.level} | ${VERDICT_ICON[r.verdict]} ${r.verdict} | ${checks} | ${note} |`;
  });
  return ['| Requirement | Level | Verdict | Checks | Note |', '|---|---|---|---|---|', ...rows, '',
    `${passing} other requirement${passing === 1 ? '' : 's'} pass.`].join('\n');
}

function failures(report: RunReport): string {
  const failed = failureGroups(report);
  if (failed.length === 0) return '';
  const shown = failed.slice(0, MARKDOWN_MAX_FAILURES);
  const blocks = shown.map(({ check: { id, title, failure }, sameAs }) => {
    const standing = failureStanding(report, failure);
    const level = requirementById(report, failure.requirement)?.level;
    const tag = standing === 'counts' ? '' : standing === 'baselined' ? ' _(accepted by the baseline)_' : ' _(non-strict SHOULD)_';
    const details = [
      `Path (${plural(failure.path.length, 'step')}, first difference at step ${failure.failingStep + 1}):`,
      ...pathInWords(failure),
      ...(failure.differences.length > 0 ? ['', 'Differences:', ...differencesInWords(failure).map((d) => `  - ${d}`)] : []),
      ...(failure.seed !== undefined ? ['', `Seed ${failure.seed}${failure.counterexamplePath ? `, path ${failure.counterexamplePath}` : ''}`] : []),
    ].join('\n');
    return [
      `#### ${md(failure.requirement)}${level ? ` (${level})` : ''}: ${md(title)}${tag}`,
      '',
      `${md(failure.message)} (check ${md(id)}${sameAs.length ? `; the same difference also in ${sameAs.map((c) => md(c.id)).join(', ')}` : ''})`,
      '',
      '<details><summary>Path step by step</summary>',
      '',
      markdownCodeBlock(details),
      '',
      '</details>',
      '',
      'Replay:',
      '',
      markdownCodeBlock(failure.replay, 'sh'),
    ].join('\n');
  });
  const more = failed.length > shown.length
    ? `\n\n…and ${plural(failed.length - shown.length, 'more failure')}: see report.html.`
    : '';
  return `### Failures (${failed.length})\n\n${blocks.join('\n\n')}${more}`;
}

/** The PR comment names a few unreached elements; report.html lists them all. */
export const MARKDOWN_MAX_UNCOVERED = 10;

function notReached(uncovered: readonly string[]): string {
  if (uncovered.length === 0) return '';
  const named = uncovered.slice(0, MARKDOWN_MAX_UNCOVERED).map(md).join(', ');
  const rest = uncovered.length - MARKDOWN_MAX_UNCOVERED;
  return ` · not reached: ${named}${rest > 0 ? ` and ${rest} more (see report.html)` : ''}`;
}

function extras(report: RunReport): string {
  const { states, transitions } = report.coverage;
  const lines = [
    `**Coverage:** states ${states.covered}/${states.total} (${percent(states.covered, states.total)}), `
      + `transitions ${transitions.covered}/${transitions.total} (${percent(transitions.covered, transitions.total)})`
      + notReached([...states.uncovered, ...transitions.uncovered]),
  ];
  const skipped = skippedChecks(report);
  if (skipped.length > 0) lines.push(`**Skipped:** ${skipped.map(({ check, reason }) => `${md(check.id)} (${md(reason)})`).join('; ')}`);
  const b = report.baseline;
  if (b) {
    const parts = [`accepted ${b.accepted.map(md).join(', ') || 'none'}`, `unexpected ${b.unexpected.map(md).join(', ') || 'none'}`];
    parts.push(b.stale.length > 0 ? `**stale ${b.stale.map(md).join(', ')}** (remove from the file)` : 'stale none');
    lines.push(`**Baseline** ${md(b.file)}: ${parts.join(' · ')}`);
  }
  return lines.join('\n\n');
}

export function renderMarkdown(report: RunReport): string {
  return [
    verdictLine(report),
    requirementTable(report),
    failures(report),
    extras(report),
    `Rerun the whole run:\n\n${markdownCodeBlock(report.replay, 'sh')}`,
  ].filter((part) => part !== '').join('\n\n') + '\n';
}
