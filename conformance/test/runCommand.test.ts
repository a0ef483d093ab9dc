/**
 * `linkspec run` arguments: each bad one is one line with a stable code and exit 2; a conformant
 * run exits 0 and a non-conformant one 1, with the replay command printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { parseRunArgs } from '../../cli/commands/run.js';

const FIXTURE = './conformance/test/fixtures/memoryAdapter.ts';
const BROKEN = './conformance/test/fixtures/broken-fifth-companion.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => { vi.restoreAllMocks(); vi.unstubAllEnvs(); });

describe('parseRunArgs', () => {
  it.each([
    [{ seed: '1.5' }, 'BAD_SEED'], [{ seed: '99999999999' }, 'BAD_SEED'],
    [{ runs: '0' }, 'BAD_RUNS'], [{ runs: 'many' }, 'BAD_RUNS'],
    [{ only: 'LIMIT-01,NOPE' }, 'BAD_ONLY'], [{ only: ',' }, 'BAD_ONLY'],
    [{ check: 'a b' }, 'BAD_CHECK'],
    [{ path: '1:2' }, 'BAD_PATH'], [{ path: 'x', check: 'property-random-walks', seed: '1' }, 'BAD_PATH'],
  ])('%j -> %s', (args, code) => {
    expect(() => parseRunArgs({ adapter: 'reference', out: 'o', ...args })).toThrow(expect.objectContaining({ code }));
  });

  it('reads good arguments', () => {
    expect(parseRunArgs({ adapter: 'reference', out: 'o', seed: '-3', runs: '10', only: 'limit-01, EXP-01', check: 'property-random-walks', path: '1:2:3' }))
      .toEqual({ seed: -3, runs: 10, only: ['LIMIT-01', 'EXP-01'], check: 'property-random-walks', path: '1:2:3', budgetMs: 1_800_000 });
  });
});

describe('linkspec run', () => {
  const out = mkdtempSync(join(tmpdir(), 'linkspec-run-'));

  it('exits 2 with one coded line on a bad argument', async () => {
    const io = capture();
    expect(await main(['node', 'linkspec', 'run', '--adapter', FIXTURE, '--runs', '-1', '--out', out])).toBe(2);
    expect(io.err().trim().split('\n')).toEqual([expect.stringContaining('BAD_RUNS')]);
    const bad = join(out, 'baseline.json');
    writeFileSync(bad, '{"accepted": [{"requirement": "EXP-04"}]}');
    expect(await main(['node', 'linkspec', 'run', '--adapter', FIXTURE, '--baseline', bad, '--out', out])).toBe(2);
    expect(io.err()).toContain('BAD_BASELINE');
  });

  it('exits 0 when conformant and 1 with the failure and its replay command when not', async () => {
    const io = capture();
    vi.stubEnv('CI', '1');
    // The worked example lacks 'key-change-notice' (LIFE-03): a full claim is incomplete; judged on LIMIT-01 it is conformant.
    expect(await main(['node', 'linkspec', 'run', '--adapter', FIXTURE, '--runs', '5', '--seed', '7', '--only', 'LIMIT-01', '--out', out])).toBe(0);
    expect(io.out()).toContain('CONFORMANT');
    expect(await main(['node', 'linkspec', 'run', '--adapter', BROKEN, '--check', 'limit-one-too-many', '--out', out])).toBe(1);
    expect(io.out()).toContain('FAIL LIMIT-01');
    expect(io.out()).toContain(`replay: npx linkspec run --adapter ${BROKEN} --check limit-one-too-many`);
  }, 120_000);

  it('rejects an unknown claim with one coded line, exit 2', async () => {
    const io = capture();
    expect(await main(['node', 'linkspec', 'run', '--adapter', FIXTURE, '--claim', 'platinum', '--out', out])).toBe(2);
    expect(io.err()).toContain('BAD_CLAIM');
  });
});
