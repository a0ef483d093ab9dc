/** The console summary numbers steps from 1 as the reports do, and prints one bug once. */
import { describe, expect, it } from 'vitest';
import { failingReport } from '../../reports/test/fixtures.js';
import { renderHtml } from '../../reports/render/html.js';
import { formatRunSummary } from '../printRun.js';

describe('formatRunSummary', () => {
  it('numbers the path from 1, like junit.xml and report.html', () => {
    const text = formatRunSummary(failingReport);
    const limit = failingReport.checks.find((c) => c.failure?.requirement === 'LIMIT-01')!;
    const failing = limit.failure!.failingStep + 1;
    expect(text).toMatch(new RegExp(`✗ +${failing} ${limit.failure!.path[failing - 1]!.event.replace(/[.()]/g, '\\$&')}`));
    expect(text).not.toMatch(/^ +(✗ +)?0 /m);
    expect(text).toMatch(/^ +(✗ +)?1 /m);
  });

  it('prints identical failures of several checks once, naming the others', () => {
    const check = failingReport.checks.find((c) => c.failure?.requirement === 'LIMIT-01')!;
    const report = { ...failingReport, checks: [check, { ...check, id: 'twin-1' }, { ...check, id: 'twin-2' }] };
    const text = formatRunSummary(report);
    expect(text.match(/^FAIL LIMIT-01/gm)).toHaveLength(1);
    expect(text).toContain('the same difference also in: twin-1, twin-2');
    const html = renderHtml(report);
    expect(html.match(/<article class="failure/g)).toHaveLength(1);
    expect(html).toContain('id="');
  });

  it('labels a check by its kind: a targeted check is not called security, a model path is not shrunk', () => {
    const check = failingReport.checks.find((c) => c.failure?.requirement === 'LIMIT-01')!;
    const html = renderHtml({ ...failingReport, checks: [{ ...check, kind: 'security' }] });
    expect(html).toContain('(a targeted check)');
    expect(html).not.toContain('(security)');
    expect(renderHtml({ ...failingReport, checks: [{ ...check, kind: 'model-path' }] })).toContain('up to the first difference');
  });
});
