/**
 * The cluster bus (bus.ts) over NATS core pub/sub, with `nats` (the NATS maintainers' client for
 * Node): one connection per node publishes and subscribes to the cluster's subject; the server
 * echoes a connection's own messages back to it (the default), which `barrier()` uses.
 *
 * Ordering (what `barrier()` needs, bus.ts): a NATS server appends each message to a
 * subscriber's outbound stream when it processes the PUB, so a subscriber receives messages in
 * the order that server processed them, and one connection's messages in the order it sent
 * them. With ONE NATS server (as here) a barrier that comes back therefore comes after every
 * message the server accepted before it, as with Redis. In a NATS cluster of several servers
 * messages entering through different servers have no common order: run the nodes of one
 * linkspec cluster against one NATS server.
 */
import { connect, type NatsConnection } from 'nats';
import { Barriers, bounded, receiveBusText, type Bus, type BusDeliver, type BusMessage } from './bus.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NatsBus implements Bus {
  private readonly barriers = new Barriers();
  /** Messages were published since the last flush began (the client buffers them; the server has not necessarily seen them). */
  private unflushed = false;

  private constructor(private readonly nc: NatsConnection, private readonly subject: string, private readonly deliver: BusDeliver) {}

  static async open(url: string, subject: string, deliver: BusDeliver): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      // Fail fast at start (3 s); once connected the client reconnects and buffers what is published meanwhile.
      nc = await connect({ servers: url, timeout: 3_000, name: `linkspec ${subject}` });
    } catch (error) {
      throw new Error(`NATS bus at ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const bus = new NatsBus(nc, subject, deliver);
    nc.subscribe(subject, { callback: (error, msg) => { if (!error) bus.receive(decoder.decode(msg.data)); } });
    try {
      // The server has the subscription before the node serves: nothing published to it after open is missed.
      await nc.flush();
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new Error(`NATS bus at ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return bus;
  }

  private receive(text: string): void { receiveBusText(text, this.barriers, this.deliver); }

  publish(message: BusMessage): void {
    try {
      this.nc.publish(this.subject, encoder.encode(JSON.stringify(message)));
      this.unflushed = true;
    } catch { /* closed: as a lost message (bus.ts) */ }
  }

  /** flush() is a PING answered after the server processed everything this connection sent before it. */
  settled(): Promise<void> {
    if (!this.unflushed) return Promise.resolve();
    this.unflushed = false;
    return bounded(this.nc.flush());
  }

  barrier(node: string): Promise<void> {
    return this.barriers.wait(node, (m) => this.publish(m));
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}
