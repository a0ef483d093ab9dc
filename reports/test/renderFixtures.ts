/**
 * Writes the fixture reports with writeReports, for a look at the output:
 * `npx tsx reports/test/renderFixtures.ts [outDir]` (default reports/out/fixtures/<name>/).
 */
import { join } from 'node:path';
import { writeReports } from '../writeReports.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';

const outDir = process.argv[2] ?? 'reports/out/fixtures';
for (const [name, report] of [['passing', passingReport], ['failing', failingReport], ['hostile', hostileReport()]] as const) {
  const paths = await writeReports(report, join(outDir, name));
  console.log(paths.join('\n'));
}
