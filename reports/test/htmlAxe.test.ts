/**
 * report.html has no serious or critical accessibility violation by axe-core, run in Debian's
 * Chromium through playwright-core (never a downloaded browser), for a passing, a failing and a
 * hostile report. Chromium missing: this fails in CI (CI=true) and is skipped elsewhere with one
 * line saying how to enable it (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../render/html.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const present = existsSync(CHROMIUM);
if (!present && !process.env.CI) process.stdout.write(`reports/test/htmlAxe.test.ts skipped: ${CHROMIUM} is missing; enable with \`apt-get install -y chromium\`\n`);

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }

describe.skipIf(!present && !process.env.CI)('report.html under axe-core in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing (CI=true): install it with apt-get install -y chromium in .ci/run`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => { await browser?.close(); });

  async function violations(html: string): Promise<Violation[]> {
    const file = join(mkdtempSync(join(tmpdir(), 'linkspec-axe-')), 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.addScriptTag({ content: AXE_SOURCE });
      return await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Violation[] }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
      });
    } finally {
      await page.close();
    }
  }

  const serious = (list: Violation[]) => list.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);

  // As tall as the real statechart: the diagram box scrolls.
  const tall = { ...passingReport, statechartSvg: passingReport.statechartSvg!.replace('height="150" viewBox="0 0 560 150"', 'height="3000" viewBox="0 0 560 3000"') };

  it('the check finds what the issue measured on the old report (it can fail)', async () => {
    expect(tall.statechartSvg).toContain('height="3000"');
    const old = renderHtml(tall)
      .replace('.chip.zero {', '.chip.zero { opacity: .45; } .old-zero {')
      .replace(/ tabindex="0" role="region" aria-label="[^"]*"/, '');
    const found = serious(await violations(old));
    expect(found.join('\n')).toMatch(/color-contrast/);
    expect(found.join('\n')).toMatch(/scrollable-region-focusable/);
  });

  for (const [name, report] of [['passing', passingReport], ['passing, real-size diagram', tall], ['failing', failingReport], ['hostile', hostileReport()]] as const) {
    it(`0 serious or critical violations: ${name} report`, async () => {
      const found = await violations(renderHtml(report));
      expect(serious(found)).toEqual([]);
      // Failing reports had an empty header over the ✓/✗ column: no empty header at any impact.
      expect(found.map((v) => v.id)).not.toContain('empty-table-header');
    });
  }
});
