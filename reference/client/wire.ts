/**
 * The client end of one WebSocket connection to a reference server (wire protocol v1): waits for
 * the server's `challenge`, matches `result`/`error` frames to requests by id, and hands every
 * other frame (pushes, deliveries) to `onFrame` in arrival order. A request that gets no answer
 * within a real-time bound rejects with a clear error: that is a broken server, not a refusal.
 */
import WebSocket from 'ws';
import type { ErrorCode } from '../../model/errors.js';
import { fromBase64 } from '../crypto/keys.js';
import type { RequestType } from '../protocol/frames.js';

export type WireResult<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: ErrorCode; readonly message?: string };

export type ServerPush = { readonly type: string } & Record<string, any>;

const REQUEST_TIMEOUT_MS = 15_000;

export class WireConnection {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: WireResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Every frame that is not an answer to a request, in arrival order. */
  onFrame: (frame: ServerPush) => void = () => undefined;
  /** Called once when the socket closes (either side). */
  onClose: () => void = () => undefined;

  private constructor(private readonly ws: WebSocket, readonly nonce: Uint8Array) {}

  /** Connect and wait for the server's challenge; `localAddress` binds the client end (tests of per-address limits use 127.0.0.x). */
  static open(url: string, options: { localAddress?: string } = {}): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.localAddress ? { localAddress: options.localAddress } : {});
      let conn: WireConnection | undefined;
      const early: ServerPush[] = [];
      ws.on('message', (data) => {
        let frame: any;
        try { frame = JSON.parse(String(data)); } catch { return; }
        if (!conn) {
          if (frame?.type === 'challenge' && typeof frame.nonce === 'string') {
            conn = new WireConnection(ws, fromBase64(frame.nonce));
            ws.on('close', () => conn!.closed());
            resolve(conn);
          } else {
            early.push(frame);
          }
          return;
        }
        conn.receive(frame);
      });
      ws.once('error', (e) => { if (!conn) reject(e); });
      ws.once('close', () => { if (!conn) reject(new Error(`connection to ${url} closed before the challenge`)); });
    });
  }

  get isOpen(): boolean { return this.ws.readyState === WebSocket.OPEN; }

  request<T = any>(type: RequestType, fields: Record<string, unknown> = {}): Promise<WireResult<T>> {
    const id = this.nextId++;
    return new Promise<WireResult<T>>((resolve, reject) => {
      if (!this.isOpen) { reject(new Error(`${type}: connection is closed`)); return; }
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${type}: no answer from the server within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, { resolve: resolve as (r: WireResult) => void, reject, timer });
      this.ws.send(JSON.stringify({ ...fields, type, id }));
    });
  }

  /** A frame that expects no answer (ack). */
  sendRaw(frame: object): void {
    if (this.isOpen) this.ws.send(JSON.stringify(frame));
  }

  /** Send raw text (tests of malformed frames). */
  sendText(text: string): void {
    if (this.isOpen) this.ws.send(text);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private receive(frame: any): void {
    if ((frame?.type === 'result' || frame?.type === 'error') && typeof frame.id === 'number' && this.waiting.has(frame.id)) {
      const w = this.waiting.get(frame.id)!;
      this.waiting.delete(frame.id);
      clearTimeout(w.timer);
      w.resolve(frame.ok === true ? { ok: true, value: frame.value } : { ok: false, code: frame.code, message: frame.message });
      return;
    }
    this.onFrame(frame);
  }

  private closed(): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error('connection closed before the answer'));
      this.waiting.delete(id);
    }
    this.onClose();
  }
}
