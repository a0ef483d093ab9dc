/**
 * The harness as a CI gate (issue 11): whatever the adapter or remote driver does, `linkspec run`
 * ends by itself, exits with the documented code, writes report.json and prints no stack trace.
 * One misbehaving adapter (conformance/test/misbehaving/) or driver per case, each run through
 * the CLI as a child process with short deadlines (--deadline); the time bound asserted is well
 * under the 150 s the review allows. The default deadlines are measured in HARNESS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../reports/schema.js';
import { startMisbehavingDriver, type DriverMisbehaviour } from './misbehaving/remoteDriver.js';
import { misbehavingAdapter, type Misbehaviour } from './misbehaving/misbehave.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { parseReport } from '../../reports/reportSchema.js';
import { createRemoteAdapter } from '../../adapters/remote/remoteAdapter.js';
import { runSuite } from '../runSuite.js';
import type { RequirementId } from '../../model/requirements.js';

const BOUND_MS = 140_000;
const STACK = /\n\s+at .+:\d+:\d+\)?/;

interface Ran { readonly code: number | null; readonly ms: number; readonly out: string; readonly report?: RunReport }

function run(adapter: string, extra: readonly string[] = [], options: { interruptAfter?: RegExp } = {}): Promise<Ran> {
  const out = mkdtempSync(join(tmpdir(), 'linkspec-gate-'));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/linkspec.mjs', 'run', '--adapter', adapter, '--seed', '5', '--runs', '5', '--deadline', '3', '--out', out, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' },
    });
    let text = '';
    let interrupted = false;
    child.stdout.on('data', (d) => {
      text += String(d);
      if (options.interruptAfter && !interrupted && options.interruptAfter.test(text)) { interrupted = true; setTimeout(() => child.kill('SIGINT'), 1500); }
    });
    child.stderr.on('data', (d) => { text += String(d); });
    const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS + 30_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const file = join(out, 'report.json');
      resolve({ code, ms: Date.now() - started, out: text, ...(existsSync(file) ? { report: JSON.parse(readFileSync(file, 'utf8')) as RunReport } : {}) });
    });
  });
}

function expectGate(ran: Ran, code: number, verdict: RunReport['verdict'], faultCode?: string | RegExp): void {
  expect(ran.out).not.toMatch(STACK);
  expect(ran.ms).toBeLessThan(BOUND_MS);
  expect(ran.report?.verdict, ran.out.slice(-2000)).toBe(verdict);
  expect(ran.code).toBe(code);
  if (faultCode) expect(ran.report?.fault?.code).toMatch(faultCode);
  if (faultCode) expect(ran.report?.fault?.reason.includes('\n')).toBe(false);
}

const M = (name: string) => `./conformance/test/misbehaving/${name}.ts`;
const T = 200_000;

// Through the CLI, one child process at a time: the cases the review runs.
describe('misbehaving adapters through `linkspec run`: documented exit code, report.json, no stack trace, ends by itself', () => {
  it('hang in close: adapter-fault, exit 3', async () => {
    expectGate(await run(M('hang-close'), ['--only', 'LIMIT-01']), 3, 'adapter-fault', 'ADAPTER_TIMEOUT');
  }, T);
  it('hang in dispose (with a live handle): adapter-fault, exit 3, the process still ends', async () => {
    expectGate(await run(M('hang-dispose'), ['--only', 'LIMIT-01']), 3, 'adapter-fault', 'ADAPTER_TIMEOUT');
  }, T);
  it('hang in an operation: adapter-fault naming the step', async () => {
    const ran = await run(M('hang-operation'), ['--only', 'LIMIT-01']);
    expectGate(ran, 3, 'adapter-fault', 'ADAPTER_TIMEOUT');
    expect(ran.report?.fault?.call).toContain('REGISTER');
  }, T);
  it('hang in observe inside the walks: one timeout ends the walks, no shrinking retries', async () => {
    const ran = await run(M('hang-observe-in-walks'), ['--check', 'property-random-walks']);
    expectGate(ran, 3, 'adapter-fault', 'ADAPTER_TIMEOUT');
    expect(ran.report?.fault?.check).toBe('property-random-walks');
  }, T);
  it('20 MB strings: adapter-fault ADAPTER_TOO_LARGE', async () => {
    expectGate(await run(M('huge-strings'), ['--only', 'LIMIT-01']), 3, 'adapter-fault', 'ADAPTER_TOO_LARGE');
  }, T);
  it('a PNG decompression bomb is refused from its header, before decoding', async () => {
    const ran = await run(M('png-bomb'), ['--only', 'PAIR-01']);
    expectGate(ran, 3, 'adapter-fault', 'ADAPTER_TOO_LARGE');
    expect(ran.report?.fault?.reason).toContain('pixels');
  }, T);
  it('null observe: adapter-fault ADAPTER_GARBAGE', async () => {
    expectGate(await run(M('null-observe'), ['--only', 'LIMIT-01']), 3, 'adapter-fault', 'ADAPTER_GARBAGE');
  }, T);
  it('throwing observe: adapter-fault ADAPTER_THREW, no stack trace', async () => {
    expectGate(await run(M('throw-observe'), ['--only', 'LIMIT-01']), 3, 'adapter-fault', 'ADAPTER_THREW');
  }, T);
  it('no capabilities: incomplete, exit 1, each missing capability once', async () => {
    const ran = await run(M('no-capabilities'));
    expectGate(ran, 1, 'incomplete');
    expect(ran.report?.claim?.missingCapabilities.length).toBeGreaterThan(3);
    expect(ran.out.split("'qr-image' - ").length).toBe(2);
  }, T);
  it('a remote driver answering JSON-RPC errors: adapter-fault DRIVER_ERROR, exit 3, no FAIL blocks', async () => {
    const driver = await startMisbehavingDriver('rpc-error');
    try {
      const ran = await run(`remote=${driver.url}`, ['--only', 'LIMIT-01']);
      expectGate(ran, 3, 'adapter-fault', /^DRIVER_ERROR$/);
      expect(ran.report?.summary.checks.fail).toBe(0);
      expect(ran.out).not.toContain('FAIL ');
    } finally {
      await driver.close();
    }
  }, T);
  it('an error thrown outside any call (a floating promise): adapter-fault, not a crash', async () => {
    const ran = await run(M('stray-rejection'), ['--only', 'LIMIT-01']);
    expectGate(ran, 3, 'adapter-fault', 'ADAPTER_THREW');
    expect(ran.report?.fault?.reason).toContain('stray rejection');
  }, T);
  it('SIGINT: the reports are written, harness-error INTERRUPTED, exit 2', async () => {
    const ran = await run(M('hang-operation'), ['--only', 'LIMIT-01', '--deadline', '100'], { interruptAfter: /checks\n/ });
    expectGate(ran, 2, 'harness-error', 'INTERRUPTED');
  }, T);
});

// In process (the same runSuite the CLI calls), with short deadlines: every other case.
describe.concurrent('misbehaving adapters in process: one fault each, named', () => {
  const quick = { profile: DEFAULT_PROFILE, seed: 5, runs: 5, callMs: 10_000, lifecycleMs: 10_000, dispose: true } as const;
  const cases: Array<[Misbehaviour, RequirementId, RunReport['verdict'], string | undefined]> = [
    ['png-bomb-interlaced', 'PAIR-01', 'adapter-fault', 'ADAPTER_TOO_LARGE'],
    ['png-50mb', 'PAIR-01', 'adapter-fault', 'ADAPTER_TOO_LARGE'],
    ['throw-open', 'LIMIT-01', 'adapter-fault', 'ADAPTER_THREW'],
    ['undefined-operation', 'LIMIT-01', 'adapter-fault', 'ADAPTER_GARBAGE'],
    ['garbage-result', 'LIMIT-01', 'adapter-fault', 'ADAPTER_GARBAGE'],
    ['capability-without-method', 'AUTH-02', 'adapter-fault', 'ADAPTER_MISSING_METHOD'],
    ['flaky-once', 'PAIR-02', 'flaky', undefined],
  ];
  for (const [kind, only, verdict, code] of cases) {
    it(`${kind}: ${verdict}${code ? ` ${code}` : ''}`, async () => {
      const t0 = Date.now();
      const report = await runSuite({ ...quick, adapter: misbehavingAdapter(kind), adapterSpec: kind, only: [only] });
      expect(Date.now() - t0).toBeLessThan(BOUND_MS);
      expect(report.verdict).toBe(verdict);
      if (code) expect(report.fault?.code).toBe(code);
      if (kind === 'undefined-operation') expect(report.fault?.call).toContain('scanQr');
      if (kind === 'flaky-once') {
        const flaky = report.checks.find((c) => c.failure?.flaky);
        expect(flaky?.failure?.flaky?.replayObserved).toContain('no difference');
        expect(flaky?.failure?.path.length).toBeGreaterThan(0);
      }
      expect(() => parseReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    }, T);
  }

  it('100 ms per call with an 8 s budget: budget-exhausted, ended near the budget', async () => {
    const t0 = Date.now();
    const report = await runSuite({ ...quick, adapter: misbehavingAdapter('slow-calls'), adapterSpec: 'slow', budgetMs: 8000 });
    expect(report.verdict).toBe('budget-exhausted');
    expect(report.fault?.code).toBe('BUDGET_EXHAUSTED');
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, T);

  const remote: Array<[DriverMisbehaviour, RegExp]> = [
    ['garbage', /^PROTOCOL_FAULT$/], ['wrong-ids', /^PROTOCOL_FAULT$/], ['duplicates', /^PROTOCOL_FAULT$/],
    ['conflicting', /^PROTOCOL_FAULT$/], ['late', /^(ADAPTER|DRIVER)_TIMEOUT$/], ['close-mid-run', /^DRIVER_CLOSED$/],
    ['oversized', /^ADAPTER_TOO_LARGE$/],
  ];
  for (const [kind, code] of remote) {
    it(`remote driver ${kind}: adapter-fault ${code.source}, never a step failure`, async () => {
      const driver = await startMisbehavingDriver(kind);
      try {
        const adapter = await createRemoteAdapter(driver.url);
        const report = await runSuite({ ...quick, adapter, adapterSpec: `remote=${driver.url}`, only: ['LIMIT-01'] });
        expect(report.verdict).toBe('adapter-fault');
        expect(report.fault?.code).toMatch(code);
        expect(report.summary.checks.fail).toBe(0);
        if (kind === 'duplicates' || kind === 'conflicting') expect(report.fault?.reason).toMatch(/twice/);
      } finally {
        await driver.close();
      }
    }, T);
  }
});
