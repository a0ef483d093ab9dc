/** summary.md: verdict first, compact table, failures with replay, coverage; strings inert. */
import { describe, expect, it } from 'vitest';
import { markdownCodeBlock } from '../render/escape.js';
import { MARKDOWN_MAX_FAILURES, MARKDOWN_MAX_UNCOVERED, renderMarkdown } from '../render/markdown.js';
import { failingReport, hostileReport, passingReport } from './fixtures.js';

describe('renderMarkdown', () => {
  it('opens with the verdict line', () => {
    expect(renderMarkdown(failingReport).split('\n')[0]).toBe('## ❌ linkspec: **non-conformant** (bad-five-companions)');
    expect(renderMarkdown(passingReport).split('\n')[0]).toBe('## ✅ linkspec: **conformant** (reference)');
  });

  it('lists only non-passing requirements and counts the rest', () => {
    const md = renderMarkdown(failingReport);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Requirement'));
    expect(rows.map((r) => r.split(' | ')[0].slice(2))).toEqual(['PAIR-04', 'LIMIT-01', 'AUTH-02', 'EXP-04', 'HIST-01']);
    expect(md).toContain('4 other requirements pass.');
    expect(renderMarkdown(passingReport)).toContain('All 9 requirements pass.');
  });

  it('gives each failure its path and replay command in a code block', () => {
    const md = renderMarkdown(failingReport);
    expect(md).toContain('#### LIMIT-01 (MUST): A fifth companion is refused with LIMIT\\_REACHED');
    expect(md).toContain('```sh\nnode bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only path-fifth-link-003\n```');
    expect(md).toContain('  5. ✗ SCAN_QR A.c5 by A.primary (live, id check pass)');
    expect(md).toContain('_(non-strict SHOULD)_');
    expect(md).toContain('_(accepted by the baseline)_');
  });

  it('puts the failures that fail the run first, and caps how many a comment carries', () => {
    const md = renderMarkdown(failingReport);
    const headings = md.split('\n').filter((l) => l.startsWith('#### ')).map((l) => l.slice(5, 13));
    expect(headings).toEqual(['LIMIT-01', 'PAIR-04 ', 'AUTH-02 ']);
    expect(md).toContain('Path (1 step, first difference at step 1)');
    const many = {
      ...failingReport,
      // Distinct failures (each a different difference): identical ones would be one entry.
      checks: Array.from({ length: MARKDOWN_MAX_FAILURES + 3 }, (_, i) => {
        const check = failingReport.checks[3]!;
        return { ...check, id: `c${i}`, failure: { ...check.failure!, differences: [{ field: `field${i}`, expected: '1', actual: '2' }] } };
      }),
    };
    const capped = renderMarkdown(many);
    expect(capped.split('\n').filter((l) => l.startsWith('#### '))).toHaveLength(MARKDOWN_MAX_FAILURES);
    expect(capped).toContain(`### Failures (${MARKDOWN_MAX_FAILURES + 3})`);
    expect(capped).toContain('…and 3 more failures: see report.html.');
  });

  it('one bug is one entry: identical failures of several checks are grouped and named', () => {
    const same = { ...failingReport, checks: [0, 1, 2].map((i) => ({ ...failingReport.checks[3]!, id: `same${i}` })) };
    const md = renderMarkdown(same);
    expect(md.split('\n').filter((l) => l.startsWith('#### '))).toHaveLength(1);
    expect(md).toContain('the same difference also in same1, same2');
    expect(md).not.toContain('\\(');
  });

  it('ends with coverage, skipped checks, the baseline and the whole-run replay', () => {
    const md = renderMarkdown(failingReport);
    expect(md).toContain('**Coverage:** states 2/3 (66.6%), transitions 1/2 (50%)');
    expect(md).toContain('**Skipped:** path-history-006');
    expect(md).toContain('**stale EXP-01** (remove from the file)');
    expect(md.trimEnd().endsWith('--baseline linkspec.baseline.json\n```')).toBe(true);
  });

  it('names at most a few unreached elements', () => {
    const uncovered = Array.from({ length: MARKDOWN_MAX_UNCOVERED + 5 }, (_, i) => `t${i}`);
    const report = { ...passingReport, coverage: { ...passingReport.coverage, transitions: { covered: 0, total: uncovered.length, uncovered } } };
    const line = renderMarkdown(report).split('\n').find((l) => l.startsWith('**Coverage:**'))!;
    expect(line).toContain(`not reached: t0, t1`);
    expect(line).toContain(`t${MARKDOWN_MAX_UNCOVERED - 1} and 5 more (see report.html)`);
    expect(line).not.toContain(`t${MARKDOWN_MAX_UNCOVERED},`);
  });

  it('keeps hostile strings inert: no raw HTML, no extra table cells', () => {
    const md = renderMarkdown(hostileReport());
    const tableRows = md.split('\n').filter((l) => l.startsWith('| '));
    for (const row of tableRows) {
      // 5 cells: 6 unescaped pipes.
      let pipes = 0;
      for (let i = 0; i < row.length; i++) if (row[i] === '|' && row[i - 1] !== '\\') pipes++;
      expect(pipes).toBe(6);
    }
    const outsideCode = md.split(/```[^\n]*\n[\s\S]*?\n```/).join('');
    expect(outsideCode).not.toContain('<script>');
    expect(outsideCode).toContain('&lt;script&gt;');
  });

  it('a code block cannot be closed by the command it shows', () => {
    expect(markdownCodeBlock('echo ```x```')).toBe('````\necho ```x```\n````');
  });
});
