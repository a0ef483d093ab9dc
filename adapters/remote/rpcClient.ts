/**
 * The client end of the remote driver protocol: one WebSocket, JSON-RPC 2.0 requests matched to
 * answers by id, every answer checked against the method's result schema (protocol.ts).
 *
 * Guarantees: a call settles exactly once - with the validated result, or with a
 * RemoteDriverError that names the method, says why and carries a stable `faultCode` the harness
 * reports as an adapter fault (exit 3, REMOTE.md):
 *   DRIVER_ERROR       the driver answered a JSON-RPC error (never mistaken for a refusal);
 *   PROTOCOL_FAULT     an answer breaks the schema, or the driver sent a frame that is not JSON,
 *                      an answer to an id never asked (unsolicited), a second answer to an id
 *                      (duplicate; "conflicting" when it differs): the connection is then
 *                      unusable and every pending call fails with that reason;
 *   DRIVER_TIMEOUT     no answer within the timeout (a late answer after it is ignored);
 *   DRIVER_CLOSED      the connection closed or failed;
 *   ADAPTER_TOO_LARGE  a frame above MAX_ANSWER_BYTES (the socket refuses it, code 1009).
 * The timeout is a harness guard against a hung driver; it never decides a verdict. No reconnect.
 */
import WebSocket from 'ws';
import {
  METHODS, describeIssues, type MethodName, type MethodParams, type MethodResult,
} from './protocol.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest answer frame accepted (a QR PNG is a few kilobytes; an observation far less than this). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export type RemoteFaultCode = 'DRIVER_ERROR' | 'PROTOCOL_FAULT' | 'DRIVER_TIMEOUT' | 'DRIVER_CLOSED' | 'ADAPTER_TOO_LARGE';

/** A call that did not produce a valid result. `rpcCode` is the JSON-RPC error code when the driver sent one. */
export class RemoteDriverError extends Error {
  constructor(readonly method: string, message: string, readonly rpcCode?: number, readonly faultCode: RemoteFaultCode = rpcCode !== undefined ? 'DRIVER_ERROR' : 'PROTOCOL_FAULT') {
    super(`${method}: ${message}`);
    this.name = 'RemoteDriverError';
  }
}

interface Broken { readonly reason: string; readonly code: RemoteFaultCode }

interface Pending {
  readonly method: MethodName;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Ids answered (with the answer's text, to tell a conflicting duplicate) and ids that timed out. */
  private readonly answered = new Map<number, string>();
  private readonly timedOut = new Set<number>();
  private broken: Broken | undefined;

  private constructor(private readonly socket: WebSocket, private readonly url: string, private readonly timeoutMs: number) {
    socket.on('message', (data, isBinary) => this.onFrame(isBinary ? undefined : String(data)));
    socket.on('close', (code, reason) => this.failAll(code === 1009
      ? { reason: `the driver sent a frame above ${MAX_ANSWER_BYTES} bytes (connection closed, 1009)`, code: 'ADAPTER_TOO_LARGE' }
      : { reason: `connection to ${url} closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`, code: 'DRIVER_CLOSED' }));
    socket.on('error', (error) => this.failAll(/max payload/i.test(error.message)
      ? { reason: `the driver sent a frame above ${MAX_ANSWER_BYTES} bytes`, code: 'ADAPTER_TOO_LARGE' }
      : { reason: `connection to ${url} failed: ${error.message}`, code: 'DRIVER_CLOSED' }));
  }

  static async connect(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RpcClient> {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_ANSWER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(new RemoteDriverError('connect', `cannot reach a driver at ${url}: ${error.message}`)));
    });
    return new RpcClient(socket, url, timeoutMs);
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.broken !== undefined) return Promise.reject(new RemoteDriverError(method, this.broken.reason, undefined, this.broken.code));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.timedOut.add(id);
        reject(new RemoteDriverError(method, `no answer from the driver at ${this.url} within ${this.timeoutMs} ms`, undefined, 'DRIVER_TIMEOUT'));
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async close(): Promise<void> {
    this.failAll({ reason: 'connection closed by the harness', code: 'DRIVER_CLOSED' });
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.socket.terminate(); resolve(); }, 2000);
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
      this.socket.close();
    });
  }

  /** A protocol fault ends the connection's usefulness: every pending call fails with its reason. */
  private protocolFault(reason: string): void {
    this.failAll({ reason, code: 'PROTOCOL_FAULT' });
  }

  private onFrame(text: string | undefined): void {
    if (text === undefined) return this.protocolFault('the driver sent a binary frame (the protocol is JSON text frames)');
    let frame: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return this.protocolFault(`the driver sent a frame that is not JSON: ${JSON.stringify(text.slice(0, 60))}`);
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return this.protocolFault('the driver sent a frame that is not a JSON-RPC answer object');
    const id = frame.id;
    if (typeof id !== 'number') {
      // A parse error answer (id null) to something we sent means our frame was unreadable: a fault either way.
      const what = frame.error !== undefined ? `an error with id ${JSON.stringify(id)}: ${JSON.stringify(frame.error).slice(0, 120)}` : `an answer with id ${JSON.stringify(id)}`;
      return this.protocolFault(`the driver sent ${what} (the harness only uses numeric ids)`);
    }
    const pending = this.pending.get(id);
    if (pending === undefined) {
      if (this.timedOut.has(id)) return; // a late answer: its call already failed with DRIVER_TIMEOUT
      const first = this.answered.get(id);
      if (first !== undefined) return this.protocolFault(`the driver answered id ${id} twice${first === text ? ' (a duplicate)' : ' with conflicting answers'}`);
      return this.protocolFault(`the driver sent an unsolicited answer to id ${id}, which the harness never ${id >= this.nextId ? 'used' : 'has pending'}`);
    }
    this.pending.delete(id);
    this.answered.set(id, text.length > 4096 ? `${text.length}:${text.slice(0, 4096)}` : text);
    if (this.answered.size > 10_000) this.answered.delete(this.answered.keys().next().value!);
    clearTimeout(pending.timer);
    if (frame.error !== undefined) {
      const code = typeof frame.error?.code === 'number' ? frame.error.code : undefined;
      const message = typeof frame.error?.message === 'string' ? frame.error.message : JSON.stringify(frame.error);
      pending.reject(new RemoteDriverError(pending.method, `driver answered error ${code ?? '?'}: ${message}`, code ?? -32000, 'DRIVER_ERROR'));
      return;
    }
    if (!('result' in frame)) {
      pending.reject(new RemoteDriverError(pending.method, 'answer has neither result nor error', undefined, 'PROTOCOL_FAULT'));
      return;
    }
    const checked = METHODS[pending.method].result.safeParse(frame.result);
    if (!checked.success) {
      pending.reject(new RemoteDriverError(pending.method, `the driver's result breaks the protocol (see adapters/remote/REMOTE.md): ${describeIssues(checked.error)}`, undefined, 'PROTOCOL_FAULT'));
      return;
    }
    pending.resolve(checked.data);
  }

  private failAll(broken: Broken): void {
    this.broken ??= broken;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RemoteDriverError(pending.method, this.broken.reason, undefined, this.broken.code));
    }
  }
}
