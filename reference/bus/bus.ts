/**
 * The cluster's message bus: how one reference node reaches a connection held by another
 * (issue 13). Every node subscribes to one channel per cluster (named after the store's schema)
 * and ignores what is not addressed to it. The bus carries only WAKE-UPS and control pushes,
 * never state: everything acknowledged is in the shared store first (postgres.ts), so a lost bus
 * message delays a push until the device's next connection (which reads its queue) but loses
 * nothing acknowledged (OFF-02).
 *
 * Two implementations, chosen by the URL (`openBus`): Redis pub/sub (redisBus.ts, `redis://`)
 * and NATS core (natsBus.ts, `nats://`). Both give the ordering `barrier()` relies on: the
 * broker delivers a channel's messages to a subscriber in the order it accepted them, so a
 * message a node publishes to itself comes back after every message the broker accepted before
 * it (from any node). `tc.quiescent` waits for such a barrier on every node (server.ts).
 */

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
  /**
   * Resolves when the broker has accepted every message this node published so far (at once if
   * none is outstanding; bounded: 2 s). A node answers a request only after this, as it answers
   * only after its transaction committed: once a client has the answer, a barrier asked of ANY
   * node comes back after the messages that request caused.
   */
  settled(): Promise<void>;
  /** Resolves when every message the broker accepted before this call has reached this node (bounded: 2 s). */
  barrier(node: string): Promise<void>;
  close(): Promise<void>;
}

export type BusDeliver = (message: BusMessage) => void;

/** Accepted bus URLs: Redis pub/sub or NATS. */
export const BUS_URL = /^(rediss?|nats):\/\//;

/**
 * Open the bus of the cluster whose store schema is `schema`, by URL scheme. The client library
 * is loaded only here, so a server that is not a cluster node never loads either.
 */
export async function openBus(url: string, schema: string, deliver: BusDeliver): Promise<Bus> {
  if (url.startsWith('nats://')) return (await import('./natsBus.js')).NatsBus.open(url, `linkspec.${schema}`, deliver);
  if (/^rediss?:\/\//.test(url)) return (await import('./redisBus.js')).RedisBus.open(url, `linkspec:${schema}`, deliver);
  throw new Error(`bus '${url}': expected redis://… or nats://…`);
}

/** At most this long a barrier or `settled()` waits on the broker (a bus that is down must not stall a node). */
export const BUS_WAIT_MS = 2_000;

/** `p`, or nothing after BUS_WAIT_MS; never rejects. */
export function bounded(p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => undefined, () => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, BUS_WAIT_MS); }),
  ]).finally(() => clearTimeout(timer));
}

/** A barrier's bounded wait, shared by the implementations: resolves when `token` comes back, or after BUS_WAIT_MS. */
export class Barriers {
  private readonly waiting = new Map<string, () => void>();
  private next = 0;

  /** Publish a barrier with `publish` and wait for it to come back. */
  wait(node: string, publish: (message: BusMessage) => void): Promise<void> {
    const token = `${node}:${this.next++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(token); resolve(); }, BUS_WAIT_MS);
      this.waiting.set(token, () => { clearTimeout(timer); this.waiting.delete(token); resolve(); });
      publish({ type: 'barrier', node, token });
    });
  }

  /** A message came in: a barrier resolves its waiter (true), anything else is the caller's (false). */
  arrived(message: BusMessage): boolean {
    if (message.type !== 'barrier') return false;
    this.waiting.get(message.token)?.();
    return true;
  }
}

/** Parse one bus message (JSON text); undefined for anything unreadable (one bad message must not stop the bus). */
export function parseBusMessage(text: string): BusMessage | undefined {
  try { return JSON.parse(text) as BusMessage; } catch { return undefined; }
}

/**
 * What every bus does with a message's text as it arrives: a barrier resolves its waiter, anything
 * else is delivered; unreadable text or a delivery that throws is dropped (one bad message must not
 * stop the bus).
 */
export function receiveBusText(text: string, barriers: Barriers, deliver: BusDeliver): void {
  const message = parseBusMessage(text);
  if (!message || barriers.arrived(message)) return;
  try { deliver(message); } catch { /* one bad message must not stop the bus */ }
}

