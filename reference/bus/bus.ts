/**
 * The cluster's message bus: how one reference node reaches a connection held by another
 * (issue 13). Every node subscribes to one channel per cluster (named after the store's schema)
 * and ignores what is not addressed to it. The bus carries only WAKE-UPS and control pushes,
 * never state: everything acknowledged is in the shared store first (postgres.ts), so a lost bus
 * message delays a push until the device's next connection (which reads its queue) but loses
 * nothing acknowledged (OFF-02).
 *
 * Ordering: Redis delivers a channel's messages to a subscriber in the order Redis accepted the
 * PUBLISHes; `barrier()` publishes to the node itself and resolves when that message comes back,
 * so every message published before it (by any node, as seen by Redis) has been handled.
 */
import { Redis } from 'ioredis';

/** Which connection a message is for: a node, and the connection's id there. */
export interface BusTarget {
  readonly node: string;
  readonly conn: string;
  /** 'device': the connection must still be authenticated as `id`; 'companion': still bound as linking companion `id`. */
  readonly kind: 'device' | 'companion';
  readonly id: string;
}

export type BusMessage =
  /** Send a frame on the target connection ('push': a numbered control push the client acks). */
  | { readonly type: 'send' | 'push'; readonly target: BusTarget; readonly origin: string; readonly frame: Record<string, unknown> & { type: string } }
  /** Close the target connection (its device authenticated elsewhere). */
  | { readonly type: 'kick'; readonly target: BusTarget }
  /** A companion's answer to a link offer, for the node whose approval awaits it. */
  | { readonly type: 'answer'; readonly node: string; readonly offerId: string; readonly companionId: string; readonly answer: { deviceSignature?: string; refuse?: string } }
  /** A holder's `code.response` to a pairing-code challenge, for the node whose `code.challenge` awaits it. */
  | { readonly type: 'codeResponse'; readonly node: string; readonly challengeId: string; readonly companionId: string; readonly confirm: string }
  /** Barrier: comes back to `node` only. */
  | { readonly type: 'barrier'; readonly node: string; readonly token: string };

export interface Bus {
  publish(message: BusMessage): void;
  /** Resolves when every message Redis accepted before this call has reached this node. */
  barrier(node: string): Promise<void>;
  close(): Promise<void>;
}

/** The bus over Redis pub/sub (ioredis): one publishing and one subscribed connection per node. */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly waiting = new Map<string, () => void>();
  private nextToken = 0;

  private constructor(url: string, private readonly channel: string, private readonly deliver: (m: BusMessage) => void) {
    // Fail fast: a bus that is down must surface as an error, not as a queue growing in memory.
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
  }

  static async open(url: string, channel: string, deliver: (m: BusMessage) => void): Promise<RedisBus> {
    const bus = new RedisBus(url, channel, deliver);
    try {
      await bus.pub.connect();
      await bus.sub.connect();
      await bus.sub.subscribe(channel);
    } catch (error) {
      bus.pub.disconnect();
      bus.sub.disconnect();
      throw new Error(`Redis bus at ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return bus;
  }

  private receive(text: string): void {
    let message: BusMessage;
    try { message = JSON.parse(text) as BusMessage; } catch { return; }
    if (message.type === 'barrier') {
      this.waiting.get(message.token)?.();
      return;
    }
    try { this.deliver(message); } catch { /* one bad message must not stop the bus */ }
  }

  publish(message: BusMessage): void {
    void this.pub.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
  }

  barrier(node: string): Promise<void> {
    const token = `${node}:${this.nextToken++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(token); resolve(); }, 2_000);
      this.waiting.set(token, () => { clearTimeout(timer); this.waiting.delete(token); resolve(); });
      this.publish({ type: 'barrier', node, token });
    });
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.pub.quit().catch(() => undefined);
  }
}
