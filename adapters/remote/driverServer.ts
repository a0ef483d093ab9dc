/**
 * The driver server: exposes ANY Adapter over the remote driver protocol (protocol.ts,
 * REMOTE.md). `linkspec driver` uses it to ship the reference as a driver; tests use it to prove
 * the remote adapter carries the whole contract.
 *
 * Guarantees: loopback only; many worlds at once (each `world.open` is a fresh world; a world's
 * calls run one at a time in arrival order); every frame with an id gets exactly one answer,
 * malformed ones included, and no frame crashes the server; a connection's worlds are closed
 * when it goes away; `close()` closes every world and socket (it does not dispose the adapter:
 * whoever made the adapter owns it).
 *
 *   client                               server
 *     |-- linkspec.hello ------------------>|   name, description, capabilities, version
 *     |-- world.open {profile} ------------>|   adapter.open(profile) -> world "w1"
 *     |-- driver.<op> {world, ...} -------->|   driver.<op>(...) -> OpResult | Outcome | value
 *     |-- world.close {world} ------------->|   driver.close()
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Adapter, Driver } from '../../conformance/contract.js';
import {
  METHODS, OPTIONAL_METHODS, PROTOCOL_VERSION, RPC_ERRORS, describeIssues, isMethodName, requestSchema,
  rpcError, rpcResult, type MethodName, type MethodParams, type RpcError, type RpcId,
} from './protocol.js';

export interface DriverServer {
  /** `ws://127.0.0.1:<port>`: what `--adapter remote=<url>` takes. */
  readonly url: string;
  close(): Promise<void>;
}

export interface DriverServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: '127.0.0.1';
}

/** Frames above this are refused by ws (close code 1009); a QR PNG is a few kilobytes. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

type DriverMethod = Exclude<MethodName, 'linkspec.hello' | 'world.open' | 'world.close'>;

/** How each driver.* method lands on the Driver; binary values travel as base64. */
const CALLS: { [M in DriverMethod]: (driver: Driver, p: MethodParams<M>) => Promise<unknown> | undefined } = {
  'driver.register': (d, p) => d.register(p.account, { idCheck: p.idCheck }),
  'driver.reregister': (d, p) => d.reregister(p.account, { proof: p.proof }),
  'driver.logout': (d, p) => d.logout(p.account),
  'driver.setOnline': (d, p) => d.setOnline(p.device, p.online),
  'driver.startQrLinking': (d, p) => d.startQrLinking(p.device, p.info),
  'driver.qrImage': async (d, p) => {
    const outcome = await d.qrImage(p.device);
    return outcome.ok ? { ok: true, value: Buffer.from(outcome.value).toString('base64') } : outcome;
  },
  'driver.scanQr': (d, p) => d.scanQr(p.by, p.qrText, p.idCheck),
  'driver.cancelLinking': (d, p) => d.cancelLinking(p.device),
  'driver.requestPairingCode': (d, p) => d.requestPairingCode(p.device, p.info),
  'driver.enterPairingCode': (d, p) => d.enterPairingCode(p.by, p.companion, p.code, p.idCheck),
  'driver.unlink': (d, p) => d.unlink(p.by, p.target),
  'driver.send': (d, p) => d.send(p.from, p.messageId),
  'driver.advanceClock': (d, p) => d.advanceClock(p.ms),
  'driver.restart': (d) => d.restart(),
  'driver.observe': (d) => d.observe(),
  'driver.injectDevice': (d, p) => d.injectDevice?.(p.account, p.name),
  'driver.injectedDeviceReceived': (d, p) => d.injectedDeviceReceived?.(p.account, p.name),
  'driver.relayedPayloads': (d) => d.relayedPayloads?.(),
  'driver.keyChangeNotices': (d, p) => d.keyChangeNotices?.(p.device),
  'driver.serverLie': (d, p) => d.serverLie?.(p.account, p.lie),
  'driver.addressedUnderLie': (d, p) => d.addressedUnderLie?.(p.account),
  'driver.serverTraffic': (d) => d.serverTraffic?.(),
  'driver.deviceList': (d, p) => d.deviceList?.(p.account),
};

/** A fault answered as a JSON-RPC error rather than a result. */
class RpcFault extends Error {
  constructor(readonly rpc: RpcError) {
    super(rpc.message);
  }
}

interface World {
  readonly driver: Driver;
  readonly owner: WebSocket;
  /** The world's calls run one after another: a driver need not be re-entrant. */
  tail: Promise<unknown>;
}

export async function serveDriver(adapter: Adapter, options: DriverServerOptions): Promise<DriverServer> {
  const host = options.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ port: options.port, host, maxPayload: MAX_FRAME_BYTES });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('error', () => { /* after listening: per-socket errors are handled per socket */ });
  const worlds = new Map<string, World>();
  let worldCount = 0;

  const closeWorld = async (id: string): Promise<void> => {
    const world = worlds.get(id);
    if (world === undefined) return;
    worlds.delete(id);
    await world.tail.catch(() => undefined);
    await world.driver.close();
  };

  const dispatch = async (socket: WebSocket, method: MethodName, params: unknown): Promise<unknown> => {
    const parsed = METHODS[method].params.safeParse(params);
    if (!parsed.success) {
      throw new RpcFault({ code: RPC_ERRORS.INVALID_PARAMS, message: `invalid params for ${method}: ${describeIssues(parsed.error)}` });
    }
    const p = parsed.data as { world: string };
    switch (method) {
      case 'linkspec.hello':
        return { protocolVersion: PROTOCOL_VERSION, name: adapter.name, description: adapter.description, capabilities: [...adapter.capabilities] };
      case 'world.open': {
        const driver = await adapter.open((parsed.data as MethodParams<'world.open'>).profile);
        const id = `w${++worldCount}`;
        worlds.set(id, { driver, owner: socket, tail: Promise.resolve() });
        return { world: id };
      }
      case 'world.close':
        worldOf(p.world);
        await closeWorld(p.world);
        return null;
      default: {
        const world = worldOf(p.world);
        const call = CALLS[method] as (driver: Driver, params: unknown) => Promise<unknown> | undefined;
        if (method in OPTIONAL_METHODS && typeof world.driver[methodKey(method)] !== 'function') {
          const capability = OPTIONAL_METHODS[method as keyof typeof OPTIONAL_METHODS];
          throw new RpcFault({ code: RPC_ERRORS.METHOD_NOT_FOUND, message: `${method}: this driver does not implement it (capability '${capability}' not offered)` });
        }
        const run = world.tail.then(() => call(world.driver, p));
        world.tail = run.catch(() => undefined);
        return run;
      }
    }
  };

  const worldOf = (id: string): World => {
    const world = worlds.get(id);
    if (world === undefined) {
      throw new RpcFault({ code: RPC_ERRORS.INVALID_PARAMS, message: `unknown world '${id}' (open one with world.open; it may have been closed)` });
    }
    return world;
  };

  /** One frame in, at most one frame out (none for a notification, as JSON-RPC 2.0 says). */
  const answer = async (socket: WebSocket, text: string): Promise<string | undefined> => {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return rpcError(null, { code: RPC_ERRORS.PARSE_ERROR, message: 'parse error: the frame is not valid JSON' });
    }
    if (Array.isArray(frame)) {
      return rpcError(null, { code: RPC_ERRORS.INVALID_REQUEST, message: 'invalid request: batches are not supported; send one request per frame' });
    }
    const request = requestSchema.safeParse(frame);
    if (!request.success) {
      return rpcError(idOf(frame), { code: RPC_ERRORS.INVALID_REQUEST, message: `invalid request: ${describeIssues(request.error)}` });
    }
    const { id, method, params } = request.data;
    const reply = id !== undefined;
    if (!isMethodName(method)) {
      return reply ? rpcError(id, { code: RPC_ERRORS.METHOD_NOT_FOUND, message: `method not found: '${method}'` }) : undefined;
    }
    try {
      const result = await dispatch(socket, method, params);
      return reply ? rpcResult(id, result) : undefined;
    } catch (error) {
      if (!reply) return undefined;
      if (error instanceof RpcFault) return rpcError(id, error.rpc);
      const message = error instanceof Error ? error.message : String(error);
      return rpcError(id, { code: RPC_ERRORS.DRIVER_ERROR, message: `${method} failed in the driver: ${message}` });
    }
  };

  wss.on('connection', (socket) => {
    socket.on('error', () => { /* a broken peer only loses its own connection */ });
    socket.on('message', (data) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      void answer(socket, text).then((out) => {
        if (out !== undefined && socket.readyState === socket.OPEN) socket.send(out);
      });
    });
    socket.on('close', () => {
      for (const [id, world] of worlds) {
        if (world.owner === socket) void closeWorld(id).catch(() => undefined);
      }
    });
  });

  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://${host}:${port}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await Promise.allSettled([...worlds.keys()].map(closeWorld));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function methodKey(method: string): keyof Driver {
  return method.slice('driver.'.length) as keyof Driver;
}

function idOf(frame: unknown): RpcId {
  if (typeof frame !== 'object' || frame === null) return null;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
