/**
 * The kill matrix as a terminal shows it (`linkspec selftest`): one row per known-bad variant -
 * the requirement it breaks, whether the suite killed it under that requirement, every
 * requirement that failed, the check that failed first, the time to that failure, and the shrunk
 * path's length against the model's shortest path - then the medians and the definition used.
 */
import { SHORTEST_PATH_MAX_STATES } from './shortestPath.js';
import { shrunkRatio, type KillRow, type SelftestResult } from './runSelftest.js';

const OUTCOME: Record<KillRow['outcome'], string> = {
  killed: 'KILLED', 'wrong-requirement': 'WRONG-REQ', survived: 'SURVIVED', error: 'ERROR',
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

function pathCell(row: KillRow): string {
  if (row.shrunkLength === undefined) return '-';
  const s = row.shortest;
  if (!s || s.kind === 'unknown') return `${row.shrunkLength} / ?`;
  return `${row.shrunkLength} / ${s.length} = ${shrunkRatio(row)!.toFixed(2)}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatKillMatrix(result: SelftestResult): string {
  const killed = result.rows.filter((r) => r.outcome === 'killed').length;
  const lines: string[] = [
    `linkspec selftest: ${killed}/${result.rows.length} known-bad variants killed under the requirement they break - ${result.ok ? 'OK' : 'SUITE INCOMPLETE'}`,
    `  seed ${result.seed}, ${result.runs} property runs per variant${result.fast ? ' (--fast: only the checks serving the broken requirement)' : ''}, ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
    ...table(
      ['variant', 'breaks', 'outcome', 'caught by', 'first failing check (its requirement)', 'to 1st fail', 'shrunk / shortest'],
      result.rows.map((r) => [
        r.variant.id, r.variant.breaks, OUTCOME[r.outcome], r.caughtBy.join(',') || '-',
        r.firstCheck ? `${r.firstCheck.id} (${r.firstCheck.requirement})` : '-', seconds(r.timeToFirstFailureMs), pathCell(r),
      ]),
    ),
    '',
    `median time to first failure: ${seconds(result.medianTimeToFirstFailureMs)}`,
    `median shrunk / shortest: ${result.medianShrunkRatio === undefined ? '-' : result.medianShrunkRatio.toFixed(2)}`,
    '',
    'to 1st fail = wall time from the start of the variant\'s run to its first failing check (two variants run at once).',
    'shrunk = steps of the first failure\'s path, up to and including the failing step.',
    'shortest = the fewest steps from the empty world, using only events of that path (any order, repeats allowed),',
    '  whose last step starts in the same situation as the failing step (active statechart states; each device\'s status',
    '  and connectivity) and takes every transition the model took there; breadth first over the model',
    '  (model/stateSpace.ts), states merged by its key, at most',
    `  ${SHORTEST_PATH_MAX_STATES} states. '?' = unknown: not found within the bound, or the failing step is not a model step`,
    '  (traffic inspection, server injection).',
  ];
  for (const r of result.rows) {
    if (r.outcome === 'killed') continue;
    lines.push('', `${OUTCOME[r.outcome]} ${r.variant.id} (${r.variant.breaks}): ${r.variant.title}`);
    if (r.error) lines.push(`  harness error: ${r.error}`);
    else if (r.caughtBy.length) lines.push(`  failed only under ${r.caughtBy.join(', ')}; the suite needs a check that names ${r.variant.breaks}`);
    else lines.push(`  no check failed: the suite needs a check for ${r.variant.breaks}`);
    if (r.firstCheck) lines.push(`  replay: ${r.firstCheck.replay}`);
  }
  return lines.join('\n');
}
