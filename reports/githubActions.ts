/**
 * GitHub Actions output for a run, used only when the run is inside Actions (GITHUB_ACTIONS=true):
 * - one workflow-command annotation per failed check on stdout: `::error` for a failure that fails
 *   the run, `::warning` for a SHOULD (non-strict), `::notice` for a failure the baseline accepts,
 *   and `::error` for each stale baseline entry; title = requirement and check, message = what
 *   differed and the replay command (GitHub shows at most 10 of each kind per step, so at most 10
 *   of each are written, with one notice saying how many more are in the reports);
 * - the run's summary.md appended to the file named by $GITHUB_STEP_SUMMARY (if set), so the job
 *   page shows the verdict, the failing requirements and the replay commands.
 * Guarantees: values are escaped as the runner's workflow commands expect (`%`, CR, LF in data;
 * also `:` and `,` in properties), so no report string can end an annotation early or start a
 * new workflow command. Outside Actions this writes nothing.
 */
import { appendFileSync } from 'node:fs';
import type { RunReport } from './schema.js';
import { renderMarkdown } from './render/markdown.js';
import { failuresByStanding, failureStanding } from './render/words.js';

/** At most this many annotations of one kind: the number GitHub displays per step. */
export const ANNOTATIONS_PER_KIND = 10;

type Kind = 'error' | 'warning' | 'notice';

/** Escapes the message part of a workflow command. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (`title=…`) of a workflow command. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: Kind, title: string, message: string): string {
  return `::${kind} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** The annotation lines for a report (without trailing newline), in reading order. */
export function actionsAnnotations(report: RunReport): string[] {
  const byKind: Record<Kind, string[]> = { error: [], warning: [], notice: [] };
  for (const check of failuresByStanding(report)) {
    const f = check.failure;
    const standing = failureStanding(report, f);
    const kind: Kind = standing === 'counts' ? 'error' : standing === 'non-strict' ? 'warning' : 'notice';
    const step = f.path[f.failingStep];
    const where = step ? ` At step ${f.failingStep + 1} (${step.event}): expected ${step.expected}; actual ${step.actual}.` : '';
    const note = standing === 'baselined' ? ' (accepted by the baseline)' : standing === 'non-strict' ? ' (SHOULD: reported, not failing the run)' : '';
    byKind[kind].push(command(kind, `${f.requirement} ${check.id}${note}`, `${f.message}${where}\nReplay: ${f.replay}`));
  }
  for (const id of report.baseline?.stale ?? []) {
    byKind.error.push(command('error', `${id} stale baseline entry`, `${id} is listed in ${report.baseline!.file} but no longer fails: remove the entry.`));
  }
  const lines: string[] = [];
  for (const kind of ['error', 'warning', 'notice'] as const) {
    const all = byKind[kind];
    lines.push(...all.slice(0, ANNOTATIONS_PER_KIND));
    if (all.length > ANNOTATIONS_PER_KIND) {
      lines.push(command('notice', 'linkspec', `${all.length - ANNOTATIONS_PER_KIND} more ${kind} annotations not shown: see report.sarif, junit.xml or report.html.`));
    }
  }
  return lines;
}

export interface ActionsEnv {
  readonly GITHUB_ACTIONS?: string;
  readonly GITHUB_STEP_SUMMARY?: string;
}

/**
 * When `env` says the run is inside GitHub Actions: writes the annotations through `write` and
 * appends the step summary. Returns what it did, for the caller's log and for tests.
 */
export function publishToGithubActions(report: RunReport, env: ActionsEnv, write: (text: string) => void): { annotations: number; summaryFile?: string } {
  if (env.GITHUB_ACTIONS !== 'true') return { annotations: 0 };
  const lines = actionsAnnotations(report);
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) {
    try {
      appendFileSync(file, `${renderMarkdown(report)}\n`, 'utf8');
    } catch (error) {
      // The run's verdict stands; a summary that cannot be written is said, not thrown.
      lines.push(command('warning', 'linkspec', `GITHUB_STEP_SUMMARY '${file}' could not be written: ${(error as Error).message}`));
    }
  }
  if (lines.length) write(`${lines.join('\n')}\n`);
  return { annotations: lines.length, ...(file ? { summaryFile: file } : {}) };
}
