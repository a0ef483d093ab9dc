/**
 * The one entry point the harness calls when a run ends: writes report.json, junit.xml,
 * report.html, summary.md and report.sarif into a folder (created if missing) and returns their paths.
 * Guarantees: the report is validated first (a ReportParseError naming the field, before any file
 * is written), then every renderer runs before anything is written, so a failing renderer leaves
 * no half-written set of files. Takes a RunReport and nothing else.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from './schema.js';
import { parseReport } from './reportSchema.js';
import { renderHtml } from './render/html.js';
import { renderJson } from './render/json.js';
import { renderJunit } from './render/junit.js';
import { renderMarkdown } from './render/markdown.js';
import { renderSarif } from './render/sarif.js';

export const REPORT_FILES = {
  json: 'report.json',
  junit: 'junit.xml',
  html: 'report.html',
  markdown: 'summary.md',
  sarif: 'report.sarif',
} as const;

/** Renders every format in memory; keyed by file name. */
export function renderReports(report: RunReport): Readonly<Record<string, string>> {
  parseReport(report);
  return {
    [REPORT_FILES.json]: renderJson(report),
    [REPORT_FILES.junit]: renderJunit(report),
    [REPORT_FILES.html]: renderHtml(report),
    [REPORT_FILES.markdown]: renderMarkdown(report),
    [REPORT_FILES.sarif]: renderSarif(report),
  };
}

export async function writeReports(report: RunReport, outDir: string): Promise<string[]> {
  const files = renderReports(report);
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(outDir, name);
    await writeFile(path, content, 'utf8');
    paths.push(path);
  }
  return paths;
}
