/**
 * The run as a terminal shows it: the verdict, the counts, and for each failure the requirement,
 * the path step by step (expected vs actual in words) and the one command that replays it.
 */
import type { RunReport } from '../reports/schema.js';
import { failureGroups } from '../reports/render/words.js';

export function formatRunSummary(report: RunReport): string {
  const lines: string[] = [];
  const r = report.summary.requirements;
  const c = report.summary.checks;
  const cov = report.coverage;
  lines.push(`linkspec run: ${report.verdict.toUpperCase()} - ${report.claim ? `claim '${report.claim.class}', ` : ''}adapter '${report.adapter.name}', profile '${report.profile.name}', seed ${report.options.seed}, ${(report.durationMs / 1000).toFixed(1)} s`);
  if (report.fault) {
    const f = report.fault;
    lines.push(`  ${f.kind}: ${f.code} in ${f.call}${f.check ? ` (check ${f.check})` : ''}: ${f.reason}`);
  }
  lines.push(`  requirements: ${r.pass} pass, ${r.fail} fail, ${r['non-strict']} non-strict, ${r.skipped} skipped, ${r['not-covered']} not covered`);
  lines.push(`  checks: ${c.total} (${c.pass} pass, ${c.fail} fail, ${c.skipped} skipped), ${report.summary.modelSteps} model steps`);
  lines.push(`  statechart coverage: states ${cov.states.covered}/${cov.states.total}, transitions ${cov.transitions.covered}/${cov.transitions.total}${cov.situations ? `, situations ${cov.situations.covered}/${cov.situations.total}` : ''}`);
  // Grouped by reason: one line per reason, not one per requirement.
  const groups = new Map<string, string[]>();
  for (const req of report.requirements) {
    if (req.verdict !== 'skipped' && req.verdict !== 'not-covered') continue;
    const key = `${req.verdict}: ${req.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), req.id]);
  }
  for (const [key, ids] of groups) lines.push(`  ${ids.join(', ')} ${key}`);
  // What the claim left unexercised: once per missing capability, with what the capability is.
  if (report.claim && !report.fault && (report.claim.missingCapabilities.length || report.claim.notExercised.length)) {
    lines.push(`  not exercised for claim '${report.claim.class}' (a MUST of the class that did not run is not a pass):`);
    for (const m of report.claim.missingCapabilities) lines.push(`    '${m.capability}' - ${m.description} Needed by ${m.requirements.join(', ')}.`);
    if (report.claim.notExercised.length) lines.push(`    no passing check: ${report.claim.notExercised.join(', ')}`);
  }
  if (report.claim?.kitGaps?.length) lines.push(`  kit gap: no check of this kit exercises ${report.claim.kitGaps.join(', ')} yet (MUST; not counted against the implementation)`);
  // One bug is printed once: checks failing with the same first difference are named with it.
  for (const { check, sameAs } of failureGroups(report)) {
    const f = check.failure;
    const level = report.requirements.find((q) => q.id === f.requirement);
    lines.push('');
    lines.push(`${f.flaky ? 'FLAKY ' : ''}${level?.verdict === 'non-strict' ? 'NON-STRICT' : 'FAIL'} ${f.requirement}${level?.baselined ? ' (accepted by the baseline)' : ''} - check ${check.id}: ${check.title}`);
    lines.push(`  ${f.message}`);
    if (sameAs.length) lines.push(`  the same difference also in: ${sameAs.map((c) => c.id).join(', ')}`);
    // Steps numbered from 1, as every report numbers them.
    for (const [i, step] of f.path.entries()) {
      const mark = step.ok ? '  ' : '✗ ';
      lines.push(`  ${mark}${String(i + 1).padStart(2)} ${step.event}`);
      if (!step.ok) {
        lines.push(`       expected: ${step.expected}`);
        lines.push(`       actual:   ${step.actual}`);
      }
    }
    if (f.flaky) lines.push(`  replayed: ${f.flaky.replayObserved}`);
    if (f.seed !== undefined) lines.push(`  seed ${f.seed}, counterexamplePath ${f.counterexamplePath}`);
    lines.push(`  replay: ${f.replay}`);
  }
  if (report.baseline) {
    const b = report.baseline;
    lines.push('');
    lines.push(`baseline ${b.file}: accepted [${b.accepted.join(', ')}], unexpected [${b.unexpected.join(', ')}], stale [${b.stale.join(', ')}]${b.stale.length ? ' - remove stale entries: they pass now' : ''}`);
  }
  lines.push('');
  lines.push(`rerun all: ${report.replay}`);
  return lines.join('\n');
}
