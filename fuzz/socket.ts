/**
 * A raw fuzzing connection: sends any bytes, and pairs each fuzz frame with the answers it got by
 * sending a sentinel request right after it. The server handles one connection's frames one at a
 * time in order (PROTOCOL.md §1), so every `result`/`error` arriving before the sentinel's result
 * answers the fuzz frame; pushes are counted apart. A close or silence is reported, never hidden.
 */
import WebSocket from 'ws';

export type Exchange =
  | { readonly kind: 'answered'; readonly answers: readonly Answer[] }
  | { readonly kind: 'closed'; readonly code: number; readonly answers: readonly Answer[] }
  | { readonly kind: 'silent' };

export interface Answer { readonly type: string; readonly ok?: boolean; readonly code?: string; readonly id?: unknown }

export class FuzzSocket {
  private answers: Answer[] = [];
  private waiting: { id: string; resolve: (e: Exchange) => void } | undefined;
  private closeCode: number | undefined;
  private nextSentinel = 0;
  pushes = 0;

  private constructor(private readonly ws: WebSocket, readonly nonce: string) {}

  static open(url: string): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      let socket: FuzzSocket | undefined;
      ws.on('message', (data) => {
        let frame: any;
        try { frame = JSON.parse(String(data)); } catch { return; }
        if (!socket) {
          if (frame?.type !== 'challenge') return;
          socket = new FuzzSocket(ws, frame.nonce);
          resolve(socket);
          return;
        }
        socket.receive(frame);
      });
      ws.on('close', (code) => socket?.closed(code));
      ws.once('error', (e) => { if (!socket) reject(e); });
    });
  }

  get isOpen(): boolean { return this.ws.readyState === WebSocket.OPEN && this.closeCode === undefined; }

  /** Send `data` then a sentinel; resolve with what answered `data` (bounded by `timeoutMs`). */
  exchange(data: string | Uint8Array, timeoutMs: number): Promise<Exchange> {
    const id = `~s${this.nextSentinel++}`;
    this.answers = [];
    return new Promise<Exchange>((resolve) => {
      const timer = setTimeout(() => { this.waiting = undefined; resolve({ kind: 'silent' }); }, timeoutMs);
      this.waiting = { id, resolve: (e) => { clearTimeout(timer); this.waiting = undefined; resolve(e); } };
      this.ws.send(data, { binary: typeof data !== 'string' });
      if (this.isOpen) this.ws.send(JSON.stringify({ type: 'account.info', id, phone: '+0' }));
    });
  }

  /** A request whose answer the caller needs (role setup). */
  async request(frame: Record<string, unknown>, timeoutMs: number): Promise<Answer | undefined> {
    const e = await this.exchange(JSON.stringify({ id: 'setup', ...frame }), timeoutMs);
    return e.kind === 'answered' ? e.answers[0] : undefined;
  }

  close(): void { this.ws.terminate(); }

  private receive(frame: any): void {
    if (frame?.type !== 'result' && frame?.type !== 'error') { this.pushes++; return; }
    if (this.waiting && frame.id === this.waiting.id) {
      this.waiting.resolve({ kind: 'answered', answers: this.answers });
      return;
    }
    this.answers.push({ type: frame.type, ok: frame.ok, code: frame.code, id: frame.id });
  }

  private closed(code: number): void {
    this.closeCode = code;
    this.waiting?.resolve({ kind: 'closed', code, answers: this.answers });
  }
}
