/**
 * GitHub Actions output: with GITHUB_ACTIONS=true a run prints `::error` annotations for what
 * fails it and appends summary.md to $GITHUB_STEP_SUMMARY; outside Actions it prints none.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { actionsAnnotations, ANNOTATIONS_PER_KIND, escapeData, escapeProperty, publishToGithubActions } from '../githubActions.js';
import type { RunReport } from '../schema.js';
import { failingReport, HOSTILE, hostileReport, passingReport } from './fixtures.js';

const BROKEN = './conformance/test/fixtures/broken-fifth-companion.ts';
const scratch = () => mkdtempSync(join(tmpdir(), 'linkspec-gha-'));

afterEach(() => { vi.restoreAllMocks(); vi.unstubAllEnvs(); });

describe('workflow-command annotations', () => {
  it('one per failed check, by how it stands for the run, plus stale baseline entries', () => {
    const lines = actionsAnnotations(failingReport);
    const kinds = lines.map((l) => l.slice(2, l.indexOf(' ')));
    expect(kinds.filter((k) => k === 'error').length).toBeGreaterThanOrEqual(2);
    expect(lines.find((l) => l.startsWith('::error title=LIMIT-01 '))).toContain('%0AReplay: ');
    expect(lines.some((l) => l.startsWith('::warning title=PAIR-04 '))).toBe(true);
    expect(lines.some((l) => l.startsWith('::notice title=AUTH-02 '))).toBe(true);
    expect(lines.some((l) => l.startsWith('::error title=EXP-01 stale baseline entry'))).toBe(true);
    expect(actionsAnnotations(passingReport)).toEqual([]);
  });

  it('escapes so that no report string ends an annotation or starts another command', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    for (const line of actionsAnnotations(hostileReport())) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(line.match(/::/g)).toHaveLength(2);
    }
    expect(HOSTILE).toContain('\r\n');
  });

  it('writes at most 10 of a kind and says how many more', () => {
    const [check] = failingReport.checks.filter((c) => c.failure?.requirement === 'LIMIT-01');
    const many: RunReport = { ...failingReport, checks: Array.from({ length: 13 }, (_, i) => ({ ...check, id: `c${i}` })), baseline: undefined };
    const lines = actionsAnnotations(many);
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(lines.at(-1)).toMatch(/^::notice title=linkspec::3 more error annotations/);
  });

  it('does nothing outside Actions; inside, appends the summary and survives an unwritable summary file', () => {
    const out: string[] = [];
    expect(publishToGithubActions(failingReport, {}, (t) => out.push(t))).toEqual({ annotations: 0 });
    expect(out).toEqual([]);
    const file = join(scratch(), 'summary');
    writeFileSync(file, '# earlier step\n');
    publishToGithubActions(failingReport, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file }, (t) => out.push(t));
    const summary = readFileSync(file, 'utf8');
    expect(summary.startsWith('# earlier step\n## ❌')).toBe(true);
    const bad = publishToGithubActions(failingReport, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(file, 'not-a-dir', 'x') }, (t) => out.push(t));
    expect(bad.annotations).toBeGreaterThan(0);
    expect(out.at(-1)).toMatch(/::warning title=linkspec::GITHUB_STEP_SUMMARY .* could not be written/);
  });
});

describe('linkspec run inside GitHub Actions (env vars set)', () => {
  it('prints ::error for the failing MUST and appends the step summary; exit code unchanged', { timeout: 180_000 }, async () => {
    const dir = scratch();
    const summaryFile = join(dir, 'step-summary.md');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'linkspec', 'run', '--adapter', BROKEN, '--runs', '2', '--seed', '5', '--out', join(dir, 'out')]);
    expect(code).toBe(1);
    const errors = out.join('').split('\n').filter((l) => l.startsWith('::error '));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((l) => l.startsWith('::error title=LIMIT-01 '))).toBe(true);
    expect(readFileSync(summaryFile, 'utf8')).toContain('LIMIT-01');
  });

  it('prints no workflow command when GITHUB_ACTIONS is not set', { timeout: 180_000 }, async () => {
    const dir = scratch();
    vi.stubEnv('GITHUB_ACTIONS', '');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['node', 'linkspec', 'run', '--adapter', BROKEN, '--runs', '2', '--seed', '5', '--out', join(dir, 'out')])).toBe(1);
    expect(out.join('')).not.toMatch(/^::/m);
  });
});
