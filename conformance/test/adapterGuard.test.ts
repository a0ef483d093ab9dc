/**
 * The adapter guard (conformance/adapterGuard.ts) and the PNG guard (pngGuard.ts), in process:
 * every kind of misbehaviour becomes one adapter fault naming the call, within its deadline.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import type { Adapter, Driver } from '../contract.js';
import { guardAdapter } from '../adapterGuard.js';
import { pngProblem } from '../pngGuard.js';
import { RunClock, RunFaultError } from '../runFault.js';
import { createMemoryAdapter } from './fixtures/memoryAdapter.js';
import { interlacedBomb, png50mb, pngBomb } from './misbehaving/misbehave.js';

function withDriver(change: (d: Driver) => void, over: Partial<Adapter> = {}): Adapter {
  const inner = createMemoryAdapter();
  return { ...inner, ...over, open: async (p) => { const d = await inner.open(p); change(d); return d; } };
}

const never = () => new Promise<never>(() => undefined);

describe('adapter guard', () => {
  it('passes a well-behaved adapter through, refusals untouched', async () => {
    const d = await guardAdapter(createMemoryAdapter()).open(DEFAULT_PROFILE);
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: false, code: 'ALREADY_REGISTERED' });
    expect((await d.observe()).A.registered).toBe(true);
  });

  it.each([
    ['null observe', (d: Driver) => { d.observe = async () => null as never; }, 'observe', 'ADAPTER_GARBAGE'],
    ['undefined result', (d: Driver) => { d.register = async () => undefined as never; }, 'register', 'ADAPTER_GARBAGE'],
    ['unknown code', (d: Driver) => { d.register = async () => ({ ok: false, code: 'NOPE' }) as never; }, 'register', 'ADAPTER_GARBAGE'],
    ['throw', (d: Driver) => { d.register = async () => { throw new Error('boom\n  at x (y.ts:1:1)'); }; }, 'register', 'ADAPTER_THREW'],
    ['sync throw', (d: Driver) => { d.register = (() => { throw new Error('sync boom'); }) as never; }, 'register', 'ADAPTER_THREW'],
    ['hang', (d: Driver) => { d.register = never; }, 'register', 'ADAPTER_TIMEOUT'],
    ['20 MB string', (d: Driver) => { d.register = async () => ({ ok: false, code: 'x'.repeat(20_000_000) }) as never; }, 'register', 'ADAPTER_TOO_LARGE'],
  ])('%s becomes one adapter fault naming the call', async (_name, change, call, code) => {
    const guarded = guardAdapter(withDriver(change), { callMs: 100 });
    const d = await guarded.open(DEFAULT_PROFILE);
    const t0 = Date.now();
    const error = await (call === 'observe' ? d.observe() : d.register('A', { idCheck: false })).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(error).toBeInstanceOf(RunFaultError);
    expect(error).toMatchObject({ kind: 'adapter-fault', code, call });
    expect((error as Error).message).not.toContain('\n');
    // The first fault sticks: later calls fail at once with it.
    await expect(d.register('B', { idCheck: false })).rejects.toBe(error);
    expect(guarded.fault).toBe(error);
  });

  it('checks at open that declared capabilities have their methods', async () => {
    const guarded = guardAdapter(withDriver((d) => { delete (d as Partial<Driver>).injectDevice; }));
    await expect(guarded.open(DEFAULT_PROFILE)).rejects.toMatchObject({ code: 'ADAPTER_MISSING_METHOD', message: expect.stringContaining("'injectDevice' (capability 'server-injection')") });
  });

  it('bounds open, close and dispose, and tries dispose after a fault without replacing it', async () => {
    const hangs: Adapter = { ...createMemoryAdapter(), open: never, dispose: never };
    const guarded = guardAdapter(hangs, { lifecycleMs: 100 });
    const fault = await guarded.open(DEFAULT_PROFILE).catch((e: unknown) => e);
    expect(fault).toMatchObject({ code: 'ADAPTER_TIMEOUT', call: 'open' });
    const t0 = Date.now();
    await guarded.dispose!();
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(guarded.fault).toBe(fault);
    const d = await guardAdapter(withDriver((x) => { x.close = never; }), { lifecycleMs: 100 }).open(DEFAULT_PROFILE);
    await expect(d.close()).rejects.toMatchObject({ code: 'ADAPTER_TIMEOUT', call: 'close' });
  });

  it('ends a call when the budget runs out, and every call after it', async () => {
    const clock = new RunClock(150);
    const d = await guardAdapter(withDriver((x) => { x.register = never; }), { clock, callMs: 10_000 }).open(DEFAULT_PROFILE);
    await expect(d.register('A', { idCheck: false })).rejects.toMatchObject({ kind: 'budget-exhausted', code: 'BUDGET_EXHAUSTED' });
  });

  it('ends a pending call on interrupt (SIGINT)', async () => {
    const clock = new RunClock();
    const d = await guardAdapter(withDriver((x) => { x.register = never; }), { clock, callMs: 10_000 }).open(DEFAULT_PROFILE);
    setTimeout(() => clock.interrupt(new RunFaultError('harness-error', 'INTERRUPTED', 'SIGINT', 'interrupted')), 50);
    await expect(d.register('A', { idCheck: false })).rejects.toMatchObject({ kind: 'harness-error', code: 'INTERRUPTED' });
  });

  it('refuses QR images over the limits before decoding', async () => {
    for (const png of [pngBomb(), png50mb()]) {
      const guarded = guardAdapter(withDriver((x) => { x.qrImage = async () => ({ ok: true, value: png }); }));
      const d = await guarded.open(DEFAULT_PROFILE);
      await expect(d.qrImage('A.c1')).rejects.toMatchObject({ code: 'ADAPTER_TOO_LARGE', call: 'qrImage' });
    }
  });
});

describe('png guard', () => {
  it('reads the pixel count from IHDR, the size from the bytes, and caps interlaced inflation', () => {
    expect(pngProblem(pngBomb())).toMatch(/2100×2100 = 4410000 pixels/);
    expect(pngProblem(png50mb())).toMatch(/bytes, above the limit/);
    expect(pngProblem(interlacedBomb())).toMatch(/decompression bomb/);
    expect(pngProblem(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
