/**
 * The subset of the `ws` package's client API that reference/client/wire.ts uses, over the
 * browser's WebSocket (the bundler maps `ws` here; reference/web/bundle.ts), so the page runs the
 * reference client unchanged.
 *
 * Two page duties hook in here, below the client:
 * - `socketHooks.onFrame` sees every frame the server sends (the page reads the sign-out reason
 *   from `signed_out`, which the client itself does not keep);
 * - `socketHooks.beforeAck` runs before any `ack` leaves: the page saves its state (IndexedDB)
 *   there, so nothing the server considers delivered is lost by a reload (OFF-02). Every frame
 *   leaves in the order it was sent, so an ack held for a save also holds what follows it.
 */
type Listener = (...args: any[]) => void;

export const socketHooks: {
  onFrame: (frame: unknown) => void;
  beforeAck: () => Promise<void>;
  onClose: () => void;
} = { onFrame: () => undefined, beforeAck: async () => undefined, onClose: () => undefined };

export default class WebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  private readonly socket: globalThis.WebSocket;
  private readonly listeners = new Map<string, { fn: Listener; once: boolean }[]>();
  private outgoing: Promise<void> = Promise.resolve();

  constructor(url: string) {
    this.socket = new globalThis.WebSocket(url);
    this.socket.onmessage = (event) => {
      const data = String(event.data);
      try { socketHooks.onFrame(JSON.parse(data)); } catch { /* not JSON: the client ignores it too */ }
      this.emit('message', data);
    };
    this.socket.onerror = () => this.emit('error', new Error(`WebSocket error on ${url}`));
    this.socket.onclose = () => { this.emit('close'); socketHooks.onClose(); };
  }

  get readyState(): number { return this.socket.readyState; }

  on(event: string, fn: Listener): this { return this.add(event, fn, false); }
  once(event: string, fn: Listener): this { return this.add(event, fn, true); }

  send(text: string): void {
    const isAck = text.includes('"type":"ack"');
    this.outgoing = this.outgoing
      .then(() => (isAck ? socketHooks.beforeAck() : undefined))
      .catch(() => undefined)
      .then(() => { if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text); });
  }

  close(): void { this.socket.close(); }

  private add(event: string, fn: Listener, once: boolean): this {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn, once });
    this.listeners.set(event, list);
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    this.listeners.set(event, list.filter((l) => !l.once));
    for (const l of list) l.fn(...args);
  }
}
