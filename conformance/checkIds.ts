/**
 * The check ids of a run, in words a person can scan - for BAD_CHECK (`--check` naming no check):
 * the closest ids first, then the ids grouped by kind, a few per line, model paths summarised by
 * count with their prefix (all of them are in report.json, `checks[].id`).
 */

/** Levenshtein distance, bounded: stops counting at `max`. */
function distance(a: string, b: string, max = 12): number {
  if (Math.abs(a.length - b.length) >= max) return max;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return Math.min(prev[b.length]!, max);
}

const PER_LINE = 5;

export function describeCheckIds(wanted: string, ids: readonly string[]): string {
  const closest = [...ids].map((id) => ({ id, d: id.includes(wanted) || wanted.includes(id) ? 0 : distance(wanted, id) }))
    .sort((x, y) => x.d - y.d || x.id.localeCompare(y.id)).filter((x) => x.d <= Math.max(3, Math.floor(wanted.length / 3))).slice(0, 5).map((x) => x.id);
  const paths = ids.filter((id) => id.startsWith('path:'));
  const others = ids.filter((id) => !id.startsWith('path:'));
  const lines: string[] = [];
  if (closest.length) lines.push(`did you mean: ${closest.join(', ')}`);
  lines.push(`${ids.length} checks in this run:`);
  if (paths.length) lines.push(`  ${paths.length} model paths, 'path:<name>', e.g. ${paths.slice(0, 3).join(', ')}`);
  for (let i = 0; i < others.length; i += PER_LINE) lines.push(`  ${others.slice(i, i + PER_LINE).join(', ')}`);
  lines.push('every id is in report.json (checks[].id) and in report.html');
  return lines.join('\n');
}
