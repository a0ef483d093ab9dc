/**
 * `linkspec model`: writes the five documents, exits 1 with the shortest violating path printed
 * step by step when an invariant breaks, and 2 with BAD_PROFILE for a bad profile file. The real
 * explorer runs here under a small state bound (the full check is the command's job, not a test's).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { exploreModel } from '../../model/explore.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { REQUIREMENTS } from '../../model/requirements.js';
import { MODEL_FILES, runModel, type ExploreFn } from './model.js';

const dir = () => mkdtempSync(join(tmpdir(), 'linkspec-model-'));
const bounded: ExploreFn = (profile) => exploreModel(profile, { maxStates: 300 });

afterEach(() => vi.restoreAllMocks());

describe('linkspec model', () => {
  it('writes model.svg, model.mmd, model.json, MODEL.md and stats.json', async () => {
    const out = dir();
    const lines: string[] = [];
    const outcome = await runModel({ out, quick: true }, (l) => lines.push(l), bounded);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.files).toEqual(MODEL_FILES.map((f) => join(out, f)));
    const read = (f: string) => readFileSync(join(out, f), 'utf8');
    expect(read('model.svg')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    expect(read('model.mmd')).toMatch(/^stateDiagram-v2\n/);
    const machine = JSON.parse(read('model.json'));
    expect(machine.id).toBe('link');
    expect(machine.states.A.always).toHaveLength(3);
    const stats = JSON.parse(read('stats.json'));
    expect(stats).toMatchObject({ profile: 'whatsapp', complete: false, invariants: outcome.result.invariants, structural: { states: 15, transitions: 153 } });
    expect(stats.states).toBe(outcome.result.states);
    const doc = read('MODEL.md');
    for (const r of REQUIREMENTS) expect(doc).toContain(`| **${r.id}** |`);
    expect(lines.join('\n')).toMatch(/statechart: 15 states, 153 transitions/);
    // The cross-account pass runs, and its figures are in every output.
    expect(stats.passes.map((p: { name: string }) => p.name)).toEqual(['main', 'cross-account']);
    expect(stats.states).toBe(stats.passes[0].states + stats.passes[1].states);
    expect(doc).toMatch(/\| of which the cross-account pass \(companion limit 1\) \| 300 states/);
    expect(lines.join('\n')).toMatch(/ {2}cross-account pass: 300 states/);
    for (const t of ['reregisterNotVerified', 'scanWrongAccount', 'unlinkOtherAccount']) expect(doc).toContain(`A.registered/${t}`);
  });

  it('uses the profile file and names it in the documents', async () => {
    const out = dir();
    await runModel({ out, profile: new URL('../../profiles/signal-like.json', import.meta.url).pathname }, () => {}, bounded);
    expect(JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')).profile).toBe('signal-like');
    expect(readFileSync(join(out, 'MODEL.md'), 'utf8')).toContain('| Companions linked at once (`maxCompanions`) | 5 |');
  });

  it('exits 1 and prints the shortest violating path one step per line', async () => {
    const broken: ExploreFn = () => ({
      states: 3, transitions: 2, invariants: 1, durationMs: 1, complete: true, profile: DEFAULT_PROFILE, abstraction: [], passes: [],
      violations: [{ invariant: 'limit', requirements: ['LIMIT-01'], detail: 'A has 5 linked companions', path: [
        { type: 'REGISTER', account: 'A', idCheck: false },
        { type: 'SHOW_QR', device: 'A.c1' },
      ] }],
    });
    const lines: string[] = [];
    const outcome = await runModel({ out: dir() }, (l) => lines.push(l), broken);
    expect(outcome.exitCode).toBe(1);
    const at = lines.findIndex((l) => l.startsWith('VIOLATION limit (LIMIT-01)'));
    expect(lines.slice(at + 1, at + 4)).toEqual(['shortest path (2 steps):', '  1. REGISTER A', '  2. SHOW_QR A.c1']);
  });

  it('exits 2 with BAD_PROFILE on a bad profile file, in one line', async () => {
    const file = join(dir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'x', maxCompanions: 9 }));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['node', 'linkspec', 'model', '--profile', file, '--out', dir()])).toBe(2);
    const written = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(written).toMatch(/^linkspec: BAD_PROFILE: .*bad\.json: maxCompanions: must be at most 6 \(companion slots c1..c6\)\n$/);
  });

  it('answers --help with exit 0 and refuses an unknown option with exit 2', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['node', 'linkspec', 'model', '--help'])).toBe(0);
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toContain('--quick');
    expect(await main(['node', 'linkspec', 'model', '--frobnicate'])).toBe(2);
  });
});
