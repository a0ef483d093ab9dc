/**
 * The client end of the remote driver protocol: one WebSocket, JSON-RPC 2.0 requests matched to
 * answers by id, every answer checked against the method's result schema (protocol.ts).
 *
 * Guarantees: a call settles exactly once - with the validated result, or with a
 * RemoteDriverError that names the method and says why (the driver's JSON-RPC error, an answer
 * that breaks the schema, no answer within the timeout, or the connection closing). The timeout
 * is a harness guard against a hung driver; it never decides a verdict. No reconnect.
 */
import WebSocket from 'ws';
import {
  METHODS, describeIssues, type MethodName, type MethodParams, type MethodResult,
} from './protocol.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A call that did not produce a valid result. `rpcCode` is the JSON-RPC error code when the driver sent one. */
export class RemoteDriverError extends Error {
  constructor(readonly method: string, message: string, readonly rpcCode?: number) {
    super(`${method}: ${message}`);
    this.name = 'RemoteDriverError';
  }
}

interface Pending {
  readonly method: MethodName;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedBecause: string | undefined;

  private constructor(private readonly socket: WebSocket, private readonly url: string, private readonly timeoutMs: number) {
    socket.on('message', (data) => this.onFrame(String(data)));
    socket.on('close', (code, reason) => this.failAll(`connection to ${url} closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`));
    socket.on('error', (error) => this.failAll(`connection to ${url} failed: ${error.message}`));
  }

  static async connect(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RpcClient> {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(new RemoteDriverError('connect', `cannot reach a driver at ${url}: ${error.message}`)));
    });
    return new RpcClient(socket, url, timeoutMs);
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.closedBecause !== undefined) return Promise.reject(new RemoteDriverError(method, this.closedBecause));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RemoteDriverError(method, `no answer from the driver at ${this.url} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async close(): Promise<void> {
    this.failAll('connection closed by the harness');
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private onFrame(text: string): void {
    let frame: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return; // not an answer to anything we asked; the calls it might concern will time out
    }
    const pending = typeof frame?.id === 'number' ? this.pending.get(frame.id) : undefined;
    if (pending === undefined) return;
    this.pending.delete(frame.id as number);
    clearTimeout(pending.timer);
    if (frame.error !== undefined) {
      const code = typeof frame.error?.code === 'number' ? frame.error.code : undefined;
      const message = typeof frame.error?.message === 'string' ? frame.error.message : JSON.stringify(frame.error);
      pending.reject(new RemoteDriverError(pending.method, `driver answered error ${code ?? '?'}: ${message}`, code));
      return;
    }
    if (!('result' in frame)) {
      pending.reject(new RemoteDriverError(pending.method, 'answer has neither result nor error'));
      return;
    }
    const checked = METHODS[pending.method].result.safeParse(frame.result);
    if (!checked.success) {
      pending.reject(new RemoteDriverError(pending.method, `the driver's result breaks the protocol (see adapters/remote/REMOTE.md): ${describeIssues(checked.error)}`));
      return;
    }
    pending.resolve(checked.data);
  }

  private failAll(reason: string): void {
    this.closedBecause ??= reason;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RemoteDriverError(pending.method, reason));
    }
  }
}
