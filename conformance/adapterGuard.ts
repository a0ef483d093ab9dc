/**
 * The adapter guard (issue 11): the one boundary between the harness and an implementation's
 * adapter. Every call - open, every Driver method, close, dispose - gets a deadline and runs
 * against the run's budget; every answer is validated (zod) and size-limited before the harness
 * reads it. Whatever the adapter does - throw, hang, answer null, undefined, garbage, 20 MB
 * strings, a PNG bomb, declare a capability without its method - becomes ONE RunFaultError of
 * kind `adapter-fault` naming the call and a one-line reason, never a crash of the harness.
 *
 * Guarantees:
 * - a call settles within min(its deadline, the budget left), or with BUDGET_EXHAUSTED /
 *   INTERRUPTED (RunClock);
 * - after the first fault, every later call fails at once with that same fault (except dispose,
 *   tried once with a short deadline), so the run unwinds fast and the first cause is reported;
 * - a driver's optional methods exist exactly when the adapter declared their capability and
 *   had them (checked at open);
 * - the guard never decides a verdict: a valid refusal is passed through untouched.
 */
import { z } from 'zod';
import type { Profile } from '../model/profile.js';
import type { Adapter, Capability, Driver } from './contract.js';
import { accountsSchema, opResultSchema, outcomeSchema } from './answerSchemas.js';
import { DEFAULT_PNG_LIMITS, pngProblem, type PngLimits } from './pngGuard.js';
import { adapterFault, messageOf, oneLine, RunClock, RunFaultError } from './runFault.js';

export interface GuardLimits {
  /** Characters of one string in an answer (ids, names, codes). */
  readonly maxStringChars: number;
  /** Characters of one relayed payload (traffic inspection). */
  readonly maxPayloadChars: number;
  /** Items of one array in an answer (messages, notices, payloads). */
  readonly maxArrayItems: number;
  /** Characters of all strings in one answer together. */
  readonly maxAnswerChars: number;
  readonly png: PngLimits;
}

export const DEFAULT_LIMITS: GuardLimits = {
  maxStringChars: 4096,
  maxPayloadChars: 1024 * 1024,
  maxArrayItems: 100_000,
  maxAnswerChars: 32 * 1024 * 1024,
  png: DEFAULT_PNG_LIMITS,
};

export interface GuardOptions {
  /** Deadline of one operation or observe (default 60 s). */
  readonly callMs?: number;
  /** Deadline of open, close and dispose (default 20 s). */
  readonly lifecycleMs?: number;
  readonly clock?: RunClock;
  readonly limits?: Partial<GuardLimits>;
}

export const DEFAULT_CALL_MS = 60_000;
export const DEFAULT_LIFECYCLE_MS = 20_000;
/** After a fault, dispose is still tried (to free sockets and servers), briefly. */
const DISPOSE_AFTER_FAULT_MS = 2_000;

/** Which Driver methods a capability promises (conformance/contract.ts). */
export const CAPABILITY_METHODS: Partial<Record<Capability, readonly (keyof Driver)[]>> = {
  'qr-image': ['startQrLinking', 'qrImage', 'scanQr'],
  'pairing-code': ['requestPairingCode', 'enterPairingCode'],
  clock: ['advanceClock'],
  offline: ['setOnline'],
  messaging: ['send'],
  lifecycle: ['reregister', 'logout'],
  restart: ['restart'],
  'server-injection': ['injectDevice', 'injectedDeviceReceived'],
  'traffic-inspection': ['relayedPayloads'],
  'key-change-notice': ['keyChangeNotices'],
  'lying-server': ['serverLie', 'addressedUnderLie'],
  'server-traffic': ['serverTraffic'],
  'device-list-inspection': ['deviceList'],
};
/** Methods every driver needs, whatever it declares. */
export const ALWAYS_METHODS: readonly (keyof Driver)[] = ['register', 'cancelLinking', 'unlink', 'observe', 'close'];
const OPTIONAL_METHODS = new Set<string>(['injectDevice', 'injectedDeviceReceived', 'relayedPayloads', 'keyChangeNotices']);

// ---- answer schemas -----------------------------------------------------------------------------

const anything = z.unknown();

const RESULT_SCHEMAS: Partial<Record<keyof Driver, z.ZodType>> = {
  register: opResultSchema, reregister: opResultSchema, logout: opResultSchema, setOnline: opResultSchema, startQrLinking: opResultSchema,
  scanQr: opResultSchema, cancelLinking: opResultSchema, enterPairingCode: opResultSchema, unlink: opResultSchema, send: opResultSchema,
  qrImage: outcomeSchema(z.instanceof(Uint8Array)),
  requestPairingCode: outcomeSchema(z.string()),
  observe: accountsSchema,
  injectedDeviceReceived: z.number().int().nonnegative(),
  relayedPayloads: z.array(z.string()),
  keyChangeNotices: z.array(z.enum(['A', 'B'])),
  advanceClock: anything, restart: anything, injectDevice: anything, close: anything,
};

// ---- size limits ----------------------------------------------------------------------------------

/** Why an answer is too large, or undefined; walks it without copying anything. */
export function sizeProblem(value: unknown, limits: GuardLimits, stringLimit = limits.maxStringChars): string | undefined {
  let total = 0;
  let nodes = 0;
  const walk = (v: unknown, path: string, depth: number): string | undefined => {
    if (++nodes > limits.maxArrayItems * 4) return `more than ${limits.maxArrayItems * 4} values in one answer`;
    if (depth > 16) return `nested deeper than 16 levels at ${path || '(answer)'}`;
    if (typeof v === 'string') {
      total += v.length;
      if (v.length > stringLimit) return `a string of ${v.length} characters at ${path || '(answer)'}, above the limit of ${stringLimit}`;
      if (total > limits.maxAnswerChars) return `more than ${limits.maxAnswerChars} characters in one answer`;
      return undefined;
    }
    if (v instanceof Uint8Array) return undefined; // PNG bytes: checked by the PNG guard
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayItems) return `an array of ${v.length} items at ${path || '(answer)'}, above the limit of ${limits.maxArrayItems}`;
      for (let i = 0; i < v.length; i += 1) {
        const p = walk(v[i], `${path}[${i}]`, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      if (keys.length > limits.maxArrayItems) return `an object of ${keys.length} keys at ${path || '(answer)'}`;
      for (const k of keys) {
        if (k.length > limits.maxStringChars) return `a key of ${k.length} characters at ${path || '(answer)'}`;
        const p = walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
        if (p) return p;
      }
    }
    return undefined;
  };
  return walk(value, '', 0);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(answer)'}: ${i.message}`).join('; ');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return typeof v;
}

// ---- the guard ----------------------------------------------------------------------------------

export function guardAdapter(adapter: Adapter, options: GuardOptions = {}): Adapter & { readonly fault: RunFaultError | undefined } {
  const clock = options.clock ?? new RunClock();
  const limits: GuardLimits = { ...DEFAULT_LIMITS, ...options.limits, png: { ...DEFAULT_LIMITS.png, ...options.limits?.png } };
  const callMs = options.callMs ?? DEFAULT_CALL_MS;
  const lifecycleMs = options.lifecycleMs ?? DEFAULT_LIFECYCLE_MS;
  let fault: RunFaultError | undefined;

  const fail = (f: RunFaultError): never => {
    fault ??= f;
    throw fault;
  };

  /** Runs one adapter call against its deadline, the budget and the abort switch. */
  async function call<T>(what: string, ms: number, work: () => unknown, validate: (v: unknown) => T): Promise<T> {
    if (fault) throw fault;
    try {
      clock.check(what);
    } catch (error) {
      return fail(error as RunFaultError);
    }
    const budgetLeft = clock.remainingMs();
    const limit = Math.min(ms, budgetLeft);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(work());
    } catch (error) {
      return fail(thrown(what, error));
    }
    pending.catch(() => undefined); // a late rejection after the deadline is not an unhandled one
    let timer: NodeJS.Timeout | undefined;
    let stopListening: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(limit < ms
        ? clock.exhausted(what)
        : adapterFault('ADAPTER_TIMEOUT', what, `the adapter did not answer ${what} within ${ms / 1000} s`)), limit);
      stopListening = clock.onInterrupt(reject);
    });
    let value: unknown;
    try {
      value = await Promise.race([pending, stop]);
    } catch (error) {
      return fail(error instanceof RunFaultError ? error : thrown(what, error));
    } finally {
      clearTimeout(timer);
      stopListening?.();
    }
    try {
      return validate(value);
    } catch (error) {
      return fail(error instanceof RunFaultError ? error : adapterFault('ADAPTER_GARBAGE', what, messageOf(error)));
    }
  }

  function thrown(what: string, error: unknown): RunFaultError {
    const code = typeof (error as { faultCode?: unknown })?.faultCode === 'string' ? (error as { faultCode: string }).faultCode : 'ADAPTER_THREW';
    return adapterFault(code, what, `${code === 'ADAPTER_THREW' ? 'the adapter threw: ' : ''}${messageOf(error)}`);
  }

  function validator(method: string): (v: unknown) => unknown {
    const schema = RESULT_SCHEMAS[method as keyof Driver];
    return (v) => {
      if (!schema || schema === anything) return v;
      if (v === null || v === undefined) throw adapterFault('ADAPTER_GARBAGE', method, `answered ${describeValue(v)} instead of ${method === 'observe' ? 'the accounts view' : 'a result'}`);
      const big = sizeProblem(v, limits, method === 'relayedPayloads' ? limits.maxPayloadChars : limits.maxStringChars);
      if (big) throw adapterFault('ADAPTER_TOO_LARGE', method, big);
      const parsed = schema.safeParse(v);
      if (!parsed.success) throw adapterFault('ADAPTER_GARBAGE', method, `the answer breaks the contract (conformance/contract.ts): ${describeIssues(parsed.error)}`);
      if (method === 'qrImage' && (v as { ok: boolean }).ok) {
        const png = pngProblem((v as { value: Uint8Array }).value, limits.png);
        if (png) throw adapterFault('ADAPTER_TOO_LARGE', method, png);
      }
      return v;
    };
  }

  function guardDriver(raw: Driver): Driver {
    const methods = new Set<string>();
    for (let o: object | null = raw; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const name of Object.getOwnPropertyNames(o)) {
        if (name !== 'constructor' && typeof (raw as unknown as Record<string, unknown>)[name] === 'function') methods.add(name);
      }
    }
    const guarded: Record<string, unknown> = {};
    for (const name of new Set([...methods, ...ALWAYS_METHODS, ...Object.values(CAPABILITY_METHODS).flat()])) {
      const fn = (raw as unknown as Record<string, unknown>)[name];
      if (typeof fn !== 'function') {
        if (OPTIONAL_METHODS.has(name)) continue; // absent: the capability was not declared (checked at open)
        guarded[name] = () => call(name, callMs, () => { throw adapterFault('ADAPTER_MISSING_METHOD', name, `the driver has no method '${name}'`); }, (v) => v);
        continue;
      }
      const ms = name === 'close' ? lifecycleMs : callMs;
      const validate = validator(name);
      guarded[name] = (...args: unknown[]) => call(name, ms, () => (fn as (...a: unknown[]) => unknown).apply(raw, args), validate);
    }
    return guarded as unknown as Driver;
  }

  return {
    // A name or description is printed and reported: bounded like any other answer.
    name: oneLine(String(adapter.name), 200),
    description: oneLine(String(adapter.description), 1000),
    capabilities: adapter.capabilities,
    get fault() { return fault; },
    async open(profile: Profile): Promise<Driver> {
      const raw = await call('open', lifecycleMs, () => adapter.open(profile), (v) => {
        if (typeof v !== 'object' || v === null) throw adapterFault('ADAPTER_GARBAGE', 'open', `answered ${describeValue(v)} instead of a Driver`);
        return v as Driver;
      });
      const lacking: string[] = [];
      for (const name of ALWAYS_METHODS) if (typeof raw[name] !== 'function') lacking.push(`'${name}'`);
      for (const capability of adapter.capabilities) {
        for (const name of CAPABILITY_METHODS[capability] ?? []) {
          if (typeof raw[name] !== 'function') lacking.push(`'${name}' (capability '${capability}')`);
        }
      }
      if (lacking.length) fail(adapterFault('ADAPTER_MISSING_METHOD', 'open', `the driver lacks ${[...new Set(lacking)].join(', ')}`));
      return guardDriver(raw);
    },
    ...(adapter.dispose ? {
      /** Tried even after a fault or with the budget spent (to free sockets and servers), never replacing the first fault. */
      dispose: async () => {
        const ms = fault || clock.interrupted || clock.remainingMs() <= 0 ? Math.min(DISPOSE_AFTER_FAULT_MS, lifecycleMs) : lifecycleMs;
        let timer: NodeJS.Timeout | undefined;
        let pending: Promise<unknown>;
        try {
          pending = Promise.resolve(adapter.dispose!());
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.catch(() => undefined);
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(adapterFault('ADAPTER_TIMEOUT', 'dispose', `the adapter did not answer dispose within ${ms / 1000} s`)), ms);
        });
        try {
          await Promise.race([pending, deadline]);
        } catch (error) {
          if (!fault) fail(error instanceof RunFaultError ? error : thrown('dispose', error));
        } finally {
          clearTimeout(timer);
        }
      },
    } : {}),
  };
}
