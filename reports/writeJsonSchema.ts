/**
 * Regenerates reports/report.schema.json from the zod schema (reports/reportSchema.ts).
 * Run `npx tsx reports/writeJsonSchema.ts` after changing reports/schema.ts; the test in
 * reports/test/reportSchema.test.ts fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from './reportSchema.js';

export const REPORT_JSON_SCHEMA_PATH = fileURLToPath(new URL('./report.schema.json', import.meta.url));

/** The exact text of report.schema.json: pretty-printed, newline-terminated. */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REPORT_JSON_SCHEMA_PATH, reportJsonSchemaText());
  console.log(`wrote ${REPORT_JSON_SCHEMA_PATH}`);
}
