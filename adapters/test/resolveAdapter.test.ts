/**
 * Adapter resolution: every accepted spec form resolves, every bad one fails with BAD_ADAPTER and
 * the list of accepted forms, and modules are shape-checked before anyone uses them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { UsageError } from '../../cli/exit.js';
import type { Adapter } from '../../conformance/contract.js';
import { createInMemoryAdapter } from '../examples/inMemoryAdapter.js';
import { parseAdapterSpec, resolveAdapter } from '../index.js';
import { serveDriver } from '../remote/driverServer.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function usageError(pending: Promise<unknown>): Promise<UsageError> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('parseAdapterSpec', () => {
  it('reads each accepted form', () => {
    expect(parseAdapterSpec('reference')).toEqual({ kind: 'reference' });
    expect(parseAdapterSpec('reference-ws=ws://127.0.0.1:7000/link')).toEqual({ kind: 'reference-ws', url: 'ws://127.0.0.1:7000/link' });
    expect(parseAdapterSpec('remote=wss://driver.example:443')).toEqual({ kind: 'remote', url: 'wss://driver.example:443' });
    expect(parseAdapterSpec('./my/adapter.ts', '/home/team')).toEqual({ kind: 'module', path: resolve('/home/team/my/adapter.ts') });
    expect(parseAdapterSpec('../up/adapter.mjs', '/home/team')).toEqual({ kind: 'module', path: resolve('/home/up/adapter.mjs') });
    expect(parseAdapterSpec('/abs/adapter.js', '/home/team')).toEqual({ kind: 'module', path: '/abs/adapter.js' });
  });

  it.each([
    ['', /not a known adapter/],
    ['refrence', /not a known adapter/],
    ['remote=http://127.0.0.1:7000', /must be a ws: or wss: URL/],
    ['reference-ws=not a url', /is not a URL/],
    ['grpc=ws://127.0.0.1:1', /'grpc=' is not a known form/],
    ['adapter.ts', /must start with \.\/, \.\.\/ or \/ \(try \.\/adapter\.ts\)/],
    ['./adapter.py', /must end in \.ts, \.mts, \.js or \.mjs/],
  ])('refuses %j with BAD_ADAPTER and the accepted forms', (spec, why) => {
    let error: unknown;
    try { parseAdapterSpec(spec); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('BAD_ADAPTER');
    expect((error as UsageError).message).toMatch(why);
    expect((error as UsageError).message).toMatch(/Accepted forms:[\s\S]*reference[\s\S]*reference-ws=[\s\S]*remote=[\s\S]*\.\/path\/module\.ts/);
  });
});

describe('resolveAdapter', () => {
  it('resolves reference and reference-ws=<url> to the reference adapters', async () => {
    const inProcess = await resolveAdapter('reference');
    expect(inProcess.name).toBe('reference');
    const overWire = await resolveAdapter('reference-ws=ws://127.0.0.1:1/linkspec');
    expect(overWire.name).toBe('reference-ws');
    expect(overWire.description).toContain('ws://127.0.0.1:1/linkspec');
  });

  it('loads the worked example by path: a default-exported factory', async () => {
    const adapter = await resolveAdapter('./adapters/examples/inMemoryAdapter.ts');
    expect(adapter.name).toBe('in-memory-example');
    const driver = await adapter.open((await import('../../model/profile.js')).DEFAULT_PROFILE);
    expect(await driver.register('A', { idCheck: false })).toEqual({ ok: true });
  });

  it('accepts a named `adapter` export that is an async factory, and a plain .js Adapter object', async () => {
    expect((await resolveAdapter('./adapters/test/fixtures/namedAsyncFactory.ts')).name).toBe('named-async');
    const plain = await resolveAdapter(resolve('adapters/test/fixtures/plainObject.js'));
    expect(plain.name).toBe('plain-js');
    expect([...plain.capabilities]).toEqual(['clock']);
  });

  it('names every shape problem of a module that is not an Adapter', async () => {
    const error = await usageError(resolveAdapter('./adapters/test/fixtures/badShape.ts'));
    expect(error.code).toBe('BAD_ADAPTER');
    expect(error.message).toMatch(/`name` must be a non-empty string/);
    expect(error.message).toMatch(/`description` must be a string/);
    expect(error.message).toMatch(/`capabilities` must be a Set/);
    expect(error.message).toMatch(/`open\(profile\)` must be a function/);
  });

  it('reports a missing export, a missing file and a factory that throws', async () => {
    expect((await usageError(resolveAdapter('./adapters/test/fixtures/noExport.ts'))).message).toMatch(/no default export and no export named 'adapter'/);
    const missing = await usageError(resolveAdapter('./adapters/test/fixtures/absent.ts'));
    expect(missing.code).toBe('BAD_ADAPTER');
    expect(missing.message).toMatch(/no such file/);
    const throwing = await usageError(resolveAdapter('./adapters/test/fixtures/throwingFactory.ts'));
    expect(throwing.code).toBe('ADAPTER_START_FAILED');
    expect(throwing.message).toMatch(/implementation binary not found/);
  });

  it('resolves remote=<url> to a driver served on loopback, and says when nothing answers', async () => {
    const server = await serveDriver(createInMemoryAdapter(), { port: 0 });
    cleanups.push(() => server.close());
    const remote: Adapter = await resolveAdapter(`remote=${server.url}`);
    cleanups.push(async () => remote.dispose?.());
    expect(remote.name).toBe('in-memory-example');
    expect(remote.capabilities.has('qr-image')).toBe(true);

    const gone = await serveDriver(createInMemoryAdapter(), { port: 0 });
    await gone.close();
    const error = await usageError(resolveAdapter(`remote=${gone.url}`));
    expect(error.code).toBe('ADAPTER_START_FAILED');
    expect(error.message).toMatch(/cannot reach a driver/);
  });
});
