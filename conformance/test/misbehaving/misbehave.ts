/**
 * Misbehaving adapters (issue 11): the worked example (conformance/test/fixtures/memoryAdapter.ts)
 * with exactly one misbehaviour each. Each case file beside this one is a loadable adapter
 * module (`--adapter ./conformance/test/misbehaving/<case>.ts`); gateFaults.test.ts runs them
 * through the CLI and asserts the exit code, the time bound, report.json and no stack trace.
 */
import { deflateSync } from 'node:zlib';
import type { Adapter, Capability, Driver } from '../../contract.js';
import { createMemoryAdapter } from '../fixtures/memoryAdapter.js';

export type Misbehaviour =
  | 'hang-close' | 'hang-dispose' | 'hang-operation' | 'hang-observe-in-walks'
  | 'huge-strings' | 'png-bomb' | 'png-bomb-interlaced' | 'png-50mb'
  | 'null-observe' | 'throw-observe' | 'throw-open' | 'undefined-operation'
  | 'capability-without-method' | 'no-capabilities' | 'slow-calls' | 'flaky-once' | 'garbage-result' | 'stray-rejection';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A PNG file from its chunks (CRCs are not checked by the harness's guard; pngjs checks them). */
function png(width: number, height: number, data: Buffer, options: { interlace?: boolean; extra?: Buffer } = {}): Uint8Array {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body, body.length > 1024 * 1024 ? Buffer.alloc(4) : crc(Buffer.concat([Buffer.from(type, 'latin1'), body]))]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = options.interlace ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(options.extra ? [chunk('tEXt', options.extra)] : []),
    chunk('IDAT', data),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc(bytes: Buffer): Buffer {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(~c >>> 0, 0);
  return out;
}

const once = <T>(make: () => T): (() => T) => { let v: T | undefined; return () => (v ??= make()); };

/**
 * A decompression bomb: a 17 KB file whose header declares 2100×2100 RGBA pixels (17.6 MB once
 * inflated, over the 4,000,000-pixel limit; a real 389 KB bomb declares far more, which the same
 * header check refuses the same way). Zeros compress ~1000:1.
 */
export const pngBomb = once(() => png(2100, 2100, deflateSync(Buffer.alloc((1 + 2100 * 4) * 2100), { level: 9 })));

/** A bomb a header check alone would miss: a 64×64 interlaced image whose data inflates to 32 MB. */
export const interlacedBomb = once(() => png(64, 64, deflateSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 }), { interlace: true }));

/** A 50 MB PNG: a small image with a 50 MB text chunk (its CRC is not computed: nothing reads that far). */
export const png50mb = once(() => png(16, 16, deflateSync(Buffer.alloc(16 * 65)), { extra: Buffer.alloc(50 * 1024 * 1024, 0x41) }));

export interface MisbehaveOptions {
  /** After how many observe calls the walks' observe hangs (hang-observe-in-walks). */
  readonly observeHangAfter?: number;
  /** Delay of every call (slow-calls). */
  readonly delayMs?: number;
}

export function misbehavingAdapter(kind: Misbehaviour, options: MisbehaveOptions = {}): Adapter {
  const inner = createMemoryAdapter();
  let observes = 0;
  let flakyDone = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const wrapDriver = (d: Driver): Driver => {
    const w: Driver = Object.create(null);
    for (const key of Object.keys(d) as (keyof Driver)[]) {
      const fn = d[key] as unknown as (...a: unknown[]) => Promise<unknown>;
      (w as unknown as Record<string, unknown>)[key] = kind === 'slow-calls'
        ? async (...a: unknown[]) => { await sleep(options.delayMs ?? 100); return fn.apply(d, a); }
        : (...a: unknown[]) => fn.apply(d, a);
    }
    switch (kind) {
      case 'hang-close': keepAlive ??= setInterval(() => undefined, 1000); w.close = () => never(); break;
      case 'hang-operation': w.register = () => never(); break;
      case 'hang-observe-in-walks': w.observe = () => (++observes > (options.observeHangAfter ?? 15) ? never() : d.observe()); break;
      case 'huge-strings': w.observe = async () => {
        const view = await d.observe();
        const primary = view.A.devices['A.primary'];
        if (!primary) return view;
        return { ...view, A: { ...view.A, devices: { ...view.A.devices, 'A.primary': { ...primary, messages: [...primary.messages, 'x'.repeat(20 * 1024 * 1024)] } } } };
      }; break;
      case 'png-bomb': w.qrImage = async (device) => { const r = await d.qrImage(device); return r.ok ? { ok: true, value: pngBomb() } : r; }; break;
      case 'png-bomb-interlaced': w.qrImage = async (device) => { const r = await d.qrImage(device); return r.ok ? { ok: true, value: interlacedBomb() } : r; }; break;
      case 'png-50mb': w.qrImage = async (device) => { const r = await d.qrImage(device); return r.ok ? { ok: true, value: png50mb() } : r; }; break;
      case 'null-observe': w.observe = async () => null as never; break;
      case 'throw-observe': w.observe = async () => { throw new Error('observe exploded\n    at somewhere (adapter.ts:1:1)'); }; break;
      case 'undefined-operation': w.scanQr = async () => undefined as never; break;
      case 'garbage-result': w.register = async () => ({ ok: false, code: 'TOTALLY_MADE_UP' }) as never; break;
      case 'capability-without-method': delete (w as Partial<Driver>).injectDevice; break;
      case 'flaky-once': w.scanQr = async (by, text, idCheck) => {
        if (!flakyDone) { flakyDone = true; return { ok: false, code: 'LIMIT_REACHED' }; }
        return d.scanQr(by, text, idCheck);
      }; break;
      default: break;
    }
    return w;
  };
  const capabilities: ReadonlySet<Capability> = kind === 'no-capabilities' ? new Set() : inner.capabilities;
  return {
    name: `misbehaving-${kind}`,
    description: `the worked example, misbehaving: ${kind}`,
    capabilities,
    async open(profile) {
      if (kind === 'throw-open') throw new Error('open exploded');
      // A floating promise that rejects outside any call the harness made.
      if (kind === 'stray-rejection') setTimeout(() => { void Promise.reject(new Error('stray rejection from a background task')); }, 10);
      return wrapDriver(await inner.open(profile));
    },
    async dispose() {
      if (kind === 'hang-dispose') {
        keepAlive = setInterval(() => undefined, 1000); // a live handle, as a real server would keep
        return never();
      }
      if (keepAlive) clearInterval(keepAlive);
      await inner.dispose?.();
    },
  };
}
