/**
 * Protocol faults: the driver server answers every malformed or wrong frame with the right
 * JSON-RPC error and keeps serving; the client turns a silent driver into a clear timeout and a
 * dead one into a clear connection error. Loopback only; the one real timer is the client's
 * guard, set to a fraction of a second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { Adapter } from '../../conformance/contract.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createInMemoryAdapter } from '../examples/inMemoryAdapter.js';
import { serveDriver } from './driverServer.js';
import { PROTOCOL_VERSION, RPC_ERRORS } from './protocol.js';
import { createRemoteAdapter } from './remoteAdapter.js';
import { RemoteDriverError } from './rpcClient.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** A raw client: send one frame, read the next answer. */
async function rawClient(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  cleanups.push(async () => socket.close());
  const inbox: unknown[] = [];
  const waiters: Array<(frame: unknown) => void> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown;
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(frame); else inbox.push(frame);
  });
  return {
    send(text: string): void { socket.send(text); },
    ask(text: string): Promise<any> {
      socket.send(text);
      return inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

async function served(adapter: Adapter = createInMemoryAdapter()) {
  const server = await serveDriver(adapter, { port: 0 });
  cleanups.push(() => server.close());
  return server;
}

const hello = JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'linkspec.hello' });

describe('driver server: malformed frames are answered, and the server keeps serving', () => {
  it('answers each fault with its JSON-RPC code, then still answers a good request on the same socket', async () => {
    const client = await rawClient((await served()).url);
    const faults: Array<[string, number, unknown]> = [
      ['{not json', RPC_ERRORS.PARSE_ERROR, null],
      ['[{"jsonrpc":"2.0","id":1,"method":"linkspec.hello"}]', RPC_ERRORS.INVALID_REQUEST, null],
      ['{"jsonrpc":"1.0","id":2,"method":"linkspec.hello"}', RPC_ERRORS.INVALID_REQUEST, 2],
      ['{"jsonrpc":"2.0","id":3,"method":42}', RPC_ERRORS.INVALID_REQUEST, 3],
      ['"just a string"', RPC_ERRORS.INVALID_REQUEST, null],
      ['{"jsonrpc":"2.0","id":4,"method":"driver.teleport","params":{"world":"w1"}}', RPC_ERRORS.METHOD_NOT_FOUND, 4],
      ['{"jsonrpc":"2.0","id":5,"method":"world.open","params":{"profile":{"name":"x"}}}', RPC_ERRORS.INVALID_PARAMS, 5],
      ['{"jsonrpc":"2.0","id":6,"method":"driver.register","params":{"world":"w404","account":"A","idCheck":false}}', RPC_ERRORS.INVALID_PARAMS, 6],
    ];
    for (const [frame, code, id] of faults) {
      const answer = await client.ask(frame);
      expect(answer, frame).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
      expect(typeof answer.error.message).toBe('string');
    }
    expect(await client.ask(hello)).toMatchObject({ id: 99, result: { protocolVersion: PROTOCOL_VERSION, name: 'in-memory-example' } });
  });

  it('answers a binary frame of garbage, and survives a client that vanishes mid-call', async () => {
    const server = await served();
    const client = await rawClient(server.url);
    const garbage = new WebSocket(server.url);
    await new Promise((resolve) => garbage.once('open', resolve));
    const answer = new Promise<string>((resolve) => garbage.once('message', (d) => resolve(String(d))));
    garbage.send(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { binary: true });
    expect(JSON.parse(await answer)).toMatchObject({ id: null, error: { code: RPC_ERRORS.PARSE_ERROR } });
    garbage.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'world.open', params: { profile: DEFAULT_PROFILE } }));
    garbage.terminate();
    expect(await client.ask(hello)).toMatchObject({ id: 99, result: { name: 'in-memory-example' } });
  });

  it('names the offending field when params break the schema', async () => {
    const client = await rawClient((await served()).url);
    const opened = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'world.open', params: { profile: DEFAULT_PROFILE } }));
    const world = opened.result.world as string;
    const bad = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'driver.setOnline', params: { world, device: 'C.primary', online: 'yes' } }));
    expect(bad.error.code).toBe(RPC_ERRORS.INVALID_PARAMS);
    expect(bad.error.message).toMatch(/device/);
    expect(bad.error.message).toMatch(/online/);
    const good = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'driver.setOnline', params: { world, device: 'A.c1', online: false } }));
    expect(good).toEqual({ jsonrpc: '2.0', id: 3, result: { ok: false, code: 'UNKNOWN_DEVICE' } });
  });

  it('answers a driver that throws with -32000 and its message, and the world stays usable', async () => {
    const inner = createInMemoryAdapter();
    const flaky: Adapter = {
      ...inner,
      open: async (profile) => ({ ...(await inner.open(profile)), send: async () => { throw new Error('disk on fire'); } }),
    };
    const remote = await createRemoteAdapter((await served(flaky)).url, { timeoutMs: 5000 });
    cleanups.push(async () => remote.dispose?.());
    const d = await remote.open(DEFAULT_PROFILE);
    const failure = await d.send('A.primary', 'm1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteDriverError);
    expect((failure as RemoteDriverError).rpcCode).toBe(RPC_ERRORS.DRIVER_ERROR);
    expect((failure as Error).message).toMatch(/disk on fire/);
    expect(await d.register('A', { idCheck: false })).toEqual({ ok: true });
  });

  it('says method not found for an optional method the driver lacks', async () => {
    const client = await rawClient((await served()).url);
    const { result } = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'world.open', params: { profile: DEFAULT_PROFILE } }));
    const answer = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'driver.relayedPayloads', params: { world: result.world } }));
    expect(answer.error).toMatchObject({ code: RPC_ERRORS.METHOD_NOT_FOUND });
    expect(answer.error.message).toMatch(/traffic-inspection/);
  });

  it('does not answer a notification (no id), but carries it out', async () => {
    const client = await rawClient((await served()).url);
    const { result } = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'world.open', params: { profile: DEFAULT_PROFILE } }));
    const world = result.world as string;
    // The notification's effect is visible to the next request, whose answer is the very next frame.
    client.send(JSON.stringify({ jsonrpc: '2.0', method: 'driver.register', params: { world, account: 'B', idCheck: false } }));
    const next = await client.ask(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'driver.observe', params: { world } }));
    expect(next.id).toBe(2);
    expect(next.result.B.registered).toBe(true);
  });
});

describe('remote adapter client: faults become clear errors', () => {
  it('fails a call with a timeout error when the driver never answers', async () => {
    // A driver that greets and then goes silent.
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => silent.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => { for (const c of silent.clients) c.terminate(); silent.close(() => resolve()); }));
    silent.on('connection', (socket) => socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number; method: string };
      if (request.method === 'linkspec.hello') {
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { protocolVersion: PROTOCOL_VERSION, name: 'silent', description: '', capabilities: [] } }));
      }
    }));
    const remote = await createRemoteAdapter(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 150 });
    cleanups.push(async () => remote.dispose?.());
    await expect(remote.open(DEFAULT_PROFILE)).rejects.toThrow(/world\.open: no answer from the driver at ws:\/\/127\.0\.0\.1:\d+ within 150 ms/);
  });

  it('refuses a driver whose result breaks the schema, naming the method', async () => {
    const liar = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => liar.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => { for (const c of liar.clients) c.terminate(); liar.close(() => resolve()); }));
    liar.on('connection', (socket) => socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { protocolVersion: PROTOCOL_VERSION, name: 'liar', description: '', capabilities: ['telepathy'] } }));
    }));
    await expect(createRemoteAdapter(`ws://127.0.0.1:${(liar.address() as AddressInfo).port}`, { timeoutMs: 2000 }))
      .rejects.toThrow(/linkspec\.hello: the driver's result breaks the protocol.*capabilities/);
  });

  it('says who it could not reach when nothing listens', async () => {
    const closed = await served();
    const url = closed.url;
    await closed.close();
    await expect(createRemoteAdapter(url, { timeoutMs: 2000 })).rejects.toThrow(/cannot reach a driver at ws:\/\/127\.0\.0\.1/);
  });

  it('fails pending calls when the driver goes away', async () => {
    const server = await served();
    const remote = await createRemoteAdapter(server.url, { timeoutMs: 5000 });
    cleanups.push(async () => remote.dispose?.());
    const d = await remote.open(DEFAULT_PROFILE);
    await server.close();
    await expect(d.observe()).rejects.toThrow(/driver\.observe: connection to ws:\/\/127\.0\.0\.1:\d+ closed/);
  });
});
