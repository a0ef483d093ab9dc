/**
 * Usage errors are one line with a stable code, parser errors included, and BAD_CHECK lists the
 * check ids readably (closest first, grouped, a few per line) rather than 150 on one line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { describeCheckIds } from '../conformance/checkIds.js';

afterEach(() => vi.restoreAllMocks());

async function stderrOf(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  const code = await main(['node', 'linkspec', ...args]);
  vi.restoreAllMocks();
  return { code, err: err.join(''), out: out.join('') };
}

describe('option-parser errors', () => {
  it.each([
    [['model', '--frobnicate'], 'BAD_OPTION'],
    [['run'], 'MISSING_OPTION'],
    [['run', '--adapter'], 'MISSING_OPTION_VALUE'],
    [['nope'], 'UNKNOWN_COMMAND'],
    [['merge'], 'MISSING_ARGUMENT'],
    [['replay', 'a', 'b', '--adapter', 'reference'], 'BAD_ARGUMENTS'],
  ])('%j -> one line %s, exit 2', async (args, code) => {
    const r = await stderrOf(args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter(Boolean)).toEqual([expect.stringMatching(new RegExp(`^linkspec: ${code}: .* \\(run with --help for usage\\)$`))]);
  });

  it('--help is exit 0 and no error line', async () => {
    const r = await stderrOf(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('known-bad:<id>');
  });
});

describe('BAD_CHECK', () => {
  it('names the closest ids and lists the rest a few per line', () => {
    const ids = ['path:a', 'path:b', 'property-random-walks', ...Array.from({ length: 28 }, (_, i) => `check-${i}`), 'dormancy-boundary'];
    const text = describeCheckIds('dormancy-boundry', ids);
    const lines = text.split('\n');
    expect(lines[0]).toBe('did you mean: dormancy-boundary');
    expect(lines).toContain('  2 model paths, \'path:<name>\', e.g. path:a, path:b');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(120);
    expect(lines.length).toBeGreaterThan(5);
  });

  it('through the command: the message spans lines, exit 2', async () => {
    const r = await stderrOf(['run', '--adapter', './conformance/test/fixtures/memoryAdapter.ts', '--check', 'dormancy-boundry', '--out', '/tmp/linkspec-badcheck']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^linkspec: BAD_CHECK: no check 'dormancy-boundry'\ndid you mean: dormancy-boundary\n/);
  });
});
