/**
 * The cluster bus (bus.ts) over Redis pub/sub, with `ioredis`: one publishing and one subscribed
 * connection per node. Redis delivers a channel's messages to a subscriber in the order Redis
 * accepted the PUBLISHes, which is what `barrier()` needs (bus.ts).
 */
import { Redis } from 'ioredis';
import { Barriers, bounded, receiveBusText, type Bus, type BusDeliver, type BusMessage } from './bus.js';

export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly barriers = new Barriers();
  /** The last PUBLISH not yet answered: Redis answers one connection's commands in order, so its reply covers every earlier one. */
  private last: Promise<unknown> | undefined;

  private constructor(url: string, private readonly channel: string, private readonly deliver: BusDeliver) {
    // Fail fast: a bus that is down must surface as an error, not as a queue growing in memory.
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
  }

  static async open(url: string, channel: string, deliver: BusDeliver): Promise<RedisBus> {
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

  private receive(text: string): void { receiveBusText(text, this.barriers, this.deliver); }

  publish(message: BusMessage): void {
    const sent = this.pub.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
    this.last = sent;
    void sent.finally(() => { if (this.last === sent) this.last = undefined; });
  }

  settled(): Promise<void> {
    return this.last ? bounded(this.last) : Promise.resolve();
  }

  barrier(node: string): Promise<void> {
    return this.barriers.wait(node, (m) => this.publish(m));
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.pub.quit().catch(() => undefined);
  }
}
