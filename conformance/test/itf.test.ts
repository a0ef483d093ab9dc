/**
 * ITF traces: every model path and every failing path exports as an ITF trace (Apalache/Quint
 * Informal Trace Format) that reads back to the same events, and `linkspec replay FILE` runs such
 * a trace against any adapter: a correct one follows it (exit 0), a broken one differs at the
 * recorded step (exit 1), a malformed trace is one BAD_TRACE line (exit 2).
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { eventsFromItf, failureTraces, fromItfValue, ITF_VARS, modelPathTraces, toItfValue } from '../itf.js';
import { loadModelSource } from '../modelSource.js';
import { runSuite } from '../runSuite.js';
import { createMemoryAdapter } from './fixtures/memoryAdapter.js';

const FIXTURE = './conformance/test/fixtures/memoryAdapter.ts';
const BROKEN = './conformance/test/fixtures/broken-fifth-companion.ts';
const scratch = () => mkdtempSync(join(tmpdir(), 'linkspec-itf-'));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out: () => out.join(''), err: () => err.join('') };
}
afterEach(() => { vi.restoreAllMocks(); });

describe('ITF values', () => {
  it('integers are #bigint, null is None, and decoding inverts encoding', () => {
    const value = { a: 1, b: [true, 'x', { c: 9_007_199_254_740_991 }], d: null };
    expect(toItfValue(value)).toEqual({ a: { '#bigint': '1' }, b: [true, 'x', { c: { '#bigint': '9007199254740991' } }], d: { tag: 'None', value: { '#tup': [] } } });
    expect(fromItfValue(toItfValue(value))).toEqual(value);
    expect(() => toItfValue(1.5)).toThrow(RangeError);
    expect(() => fromItfValue({ '#bigint': '99999999999999999999' })).toThrow(RangeError);
  });
});

describe('model paths as ITF', () => {
  it('every path reads back to its events; the trace has the ITF shape', { timeout: 180_000 }, async () => {
    const model = await loadModelSource();
    const paths = model.coveringPaths(DEFAULT_PROFILE);
    const files = modelPathTraces(paths, DEFAULT_PROFILE);
    expect(Object.keys(files)).toHaveLength(paths.length);
    for (const path of paths) {
      const json = JSON.parse(files[`path_${path.id.replace(/[^A-Za-z0-9._-]/g, '_')}.itf.json`]!);
      expect(json['#meta']).toMatchObject({ format: 'ITF', source: 'linkspec' });
      expect(json.vars).toEqual([...ITF_VARS]);
      expect(json.states).toHaveLength(path.events.length + 1);
      json.states.forEach((s: Record<string, unknown>, i: number) => {
        expect(s['#meta']).toEqual({ index: i });
        for (const v of ITF_VARS) expect(s, `${path.id} state ${i} ${v}`).toHaveProperty([v]);
      });
      expect(eventsFromItf(json).events).toEqual(path.events);
    }
  });
});

describe('failing paths as ITF, and linkspec replay', () => {
  it('a run writes each failing path as a trace; replay differs on the broken adapter and follows on a correct one', { timeout: 300_000 }, async () => {
    const out = scratch();
    const io = capture();
    expect(await main(['node', 'linkspec', 'run', '--adapter', BROKEN, '--seed', '4', '--runs', '3', '--out', out])).toBe(1);
    expect(io.out()).toMatch(/traces \(ITF, replay with linkspec replay FILE --adapter …\): [1-9]\d* in /);
    const traces = readdirSync(join(out, 'traces'));
    expect(traces.length).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const failed = report.checks.filter((c: { status: string }) => c.status === 'fail');
    const file = join(out, 'traces', traces[0]!);
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    const check = failed.find((c: { id: string }) => traces[0]!.startsWith(c.id.replace(/[^A-Za-z0-9._-]/g, '_')));
    expect(trace['#meta'].linkspec).toMatchObject({ check: check.id, failingStep: check.failure.failingStep + 1 });
    expect(trace.states.at(-1)['linkspec::ok']).toBe(false);

    const before = io.out().length;
    expect(await main(['node', 'linkspec', 'replay', file, '--adapter', BROKEN])).toBe(1);
    const replayed = io.out().slice(before);
    expect(replayed).toContain(`DIFFERS at step ${check.failure.failingStep + 1} of ${trace.states.length - 1} - LIMIT-01`);
    expect(replayed).toMatch(/^ {2}1\. ✓ /m);
    expect(await main(['node', 'linkspec', 'replay', file, '--adapter', FIXTURE])).toBe(0);
    expect(io.out()).toContain(`followed the model for all ${trace.states.length - 1} steps`);
  });

  it('failureTraces covers every failed check whose path carries its events', { timeout: 180_000 }, async () => {
    const report = await runSuite({ adapter: createMemoryAdapter({ bugs: { dormancyOffByOne: true } }), adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 2, runs: 3 });
    const failed = report.checks.filter((c) => c.status === 'fail');
    const { files, without } = failureTraces(report, DEFAULT_PROFILE);
    expect(Object.keys(files).length + without.length).toBe(failed.length);
    expect(Object.keys(files).length).toBeGreaterThan(0);
    for (const text of Object.values(files)) {
      const { events } = eventsFromItf(JSON.parse(text));
      expect(events.length).toBeGreaterThan(0);
    }
  });

  it('a malformed trace is one BAD_TRACE line naming where, exit 2', async () => {
    const dir = scratch();
    const io = capture();
    const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
    const cases = [
      write('not-json.itf.json', '{'),
      write('no-states.itf.json', '{"vars": []}'),
      write('bad-device.itf.json', JSON.stringify({ states: [{}, { event: { type: 'SHOW_QR', device: 'C.c9' } }] })),
      write('bad-int.itf.json', JSON.stringify({ states: [{}, { event: { type: 'ADVANCE', ms: { '#bigint': '1e3' } } }] })),
      write('extra-field.itf.json', JSON.stringify({ states: [{}, { event: { type: 'RESTART', evil: true } }] })),
      join(dir, 'missing.itf.json'),
    ];
    for (const file of cases) expect(await main(['node', 'linkspec', 'replay', file, '--adapter', FIXTURE])).toBe(2);
    const lines = io.err().trim().split('\n');
    expect(lines).toHaveLength(cases.length);
    expect(lines.every((l) => l.startsWith('linkspec: BAD_TRACE: '))).toBe(true);
    expect(lines[2]).toContain('states[1].event.device');
    expect(lines[3]).toContain('states[1].event');
  });
});
