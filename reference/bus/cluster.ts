/**
 * One reference server as a node of a cluster (issue 13): several `linkspec serve --store
 * postgres://… --bus redis://…` processes share one PostgreSQL schema and one Redis channel.
 *
 * Guarantees:
 * - Each node holds its own WebSocket connections. Which node holds a device's (or a linking
 *   companion's) connection is recorded in the store's `presence` table when the connection
 *   authenticates or binds, and forgotten when it closes or moves on (a newer presence elsewhere
 *   is never erased by an older connection closing).
 * - The handlers stay node-agnostic: `connectionOfDevice` / `connectionOfCompanion`
 *   (server/context.ts) hand them a STAND-IN for a connection on another node. Its `send` and
 *   `push` travel over the bus; the holding node applies them to the real connection only if it
 *   is still the same device or companion (a frame for a connection that has been signed out or
 *   re-bound is dropped: E2E-03). The holding node also applies the state change a frame
 *   implies: `signed_out` detaches the device, `linked` makes the companion's connection that
 *   device and pushes its queue (HIST-01, OFF-02), `link.offer` remembers where to send the answer,
 *   `code.challenge` where to send the holder's `code.response` (PAIR-06: the primary's node awaits it).
 * - Deliveries are pushed only by the node holding the device, from the store, in seq order,
 *   once per connection (its `sentSeqs`), through its delivery window (context.ts offerDelivery):
 *   two nodes never both deliver a queued message to one connection, and a delivery from
 *   another node never overtakes a backlog still being paged; the store deletes it once on ack.
 * - A stand-in is cached per (node, connection), so identity comparisons in the handlers
 *   ("is it still the same companion connection?") hold across nodes.
 */
import type { WebSocket } from 'ws';
import { Connection, deliverPending, offerDelivery, type ClusterView, type PresenceHooks, type ServerContext } from '../server/context.js';
import type { PostgresStorage } from '../storage/postgres.js';
import type { Bus, BusMessage, BusTarget } from './bus.js';

type Kind = 'device' | 'companion';

class ForgetfulSet extends Set<number> {
  override add(): this { return this; }
}

/** A connection on another node, seen from this one. */
class RemoteConnection extends Connection {
  constructor(private readonly link: ClusterLink, readonly target: BusTarget) {
    const fakeSocket = {
      OPEN: 1, readyState: 1,
      send: () => undefined,
      close: () => link.publish({ type: 'kick', target }),
      terminate: () => link.publish({ type: 'kick', target }),
    } as unknown as WebSocket;
    super(fakeSocket, new Uint8Array(0));
  }

  /** The holding node keeps the real connection's sets; a stand-in remembers nothing. */
  override readonly sentSeqs: Set<number> = new ForgetfulSet();
  override readonly unacked: Set<number> = new ForgetfulSet();

  override send(frame: object): void {
    this.link.publish({ type: 'send', target: this.target, origin: this.link.node, frame: frame as { type: string } });
  }

  override push(frame: { type: string } & Record<string, unknown>): void {
    this.link.publish({ type: 'push', target: this.target, origin: this.link.node, frame });
  }
}

export class ClusterLink implements ClusterView, PresenceHooks {
  private readonly standIns = new Map<string, RemoteConnection>();
  /** Offers pushed to companions on this node by another node: offerId -> that node. */
  private readonly offerOrigins = new Map<string, { node: string; companionId: string }>();
  /** Pairing-code challenges pushed to holders on this node by another node: challengeId -> that node. */
  private readonly challengeOrigins = new Map<string, { node: string; companionId: string }>();
  /** This node's open connections by connId (the bus addresses them). */
  private readonly local = new Map<string, Connection>();
  private ctx: () => ServerContext = () => { throw new Error('cluster link not attached'); };

  constructor(readonly node: string, private readonly store: PostgresStorage, readonly bus: Bus) {}

  /** The server calls this once, with a getter of its current context (tc.reset replaces it). */
  attach(ctx: () => ServerContext): void { this.ctx = ctx; }

  publish(message: BusMessage): void { this.bus.publish(message); }

  // ---- presence (PresenceHooks) -------------------------------------------------------------
  opened(conn: Connection): void { this.local.set(conn.connId, conn); }
  closed(conn: Connection): void { this.local.delete(conn.connId); }

  bound(kind: Kind, id: string, conn: Connection): void {
    try { this.store.setPresence(kind, id, this.node, conn.connId); } catch { /* store down: the handler's own call will fail */ }
  }
  unbound(kind: Kind, id: string, conn: Connection): void {
    try { this.store.clearPresence(kind, id, this.node, conn.connId); } catch { /* as above */ }
  }

  // ---- ClusterView ----------------------------------------------------------------------------
  remote(kind: Kind, id: string): Connection | undefined {
    const at = this.store.getPresence(kind, id);
    if (!at || at.node === this.node) return undefined;
    const key = `${at.node}/${at.conn}/${kind}/${id}`;
    let standIn = this.standIns.get(key);
    if (!standIn) {
      if (this.standIns.size > 10_000) this.standIns.clear();
      standIn = new RemoteConnection(this, { node: at.node, conn: at.conn, kind, id });
      this.standIns.set(key, standIn);
    }
    return standIn;
  }

  forwardAnswer(offerId: string, companionId: string, answer: { deviceSignature?: string; refuse?: string }): boolean {
    const origin = this.offerOrigins.get(offerId);
    if (!origin || origin.companionId !== companionId) return false;
    this.offerOrigins.delete(offerId);
    this.publish({ type: 'answer', node: origin.node, offerId, companionId, answer });
    return true;
  }

  forwardCodeResponse(challengeId: string, companionId: string, confirm: string): boolean {
    const origin = this.challengeOrigins.get(challengeId);
    if (!origin || origin.companionId !== companionId) return false;
    this.challengeOrigins.delete(challengeId);
    this.publish({ type: 'codeResponse', node: origin.node, challengeId, companionId, confirm });
    return true;
  }

  /** Devices with a connection on any node (tc.inspect's `online`). */
  onlineDevices(): Set<string> { return this.store.onlineDevices(); }

  /** Forget this world's node-local state (tc.reset). */
  reset(): void {
    this.standIns.clear();
    this.offerOrigins.clear();
    this.challengeOrigins.clear();
  }

  // ---- messages from the bus ------------------------------------------------------------------
  receive(message: BusMessage): void {
    const ctx = this.ctx();
    if (message.type === 'answer') {
      if (message.node !== this.node) return;
      const offer = ctx.offers.get(message.offerId);
      if (offer && offer.companionId === message.companionId) offer.resolve(message.answer);
      return;
    }
    if (message.type === 'codeResponse') {
      if (message.node !== this.node) return;
      const challenge = ctx.challenges.get(message.challengeId);
      if (challenge && challenge.companionId === message.companionId) challenge.resolve(message.confirm);
      return;
    }
    if (message.type === 'barrier') return;
    const { target } = message;
    if (target.node !== this.node) return;
    const conn = this.local.get(target.conn);
    if (!conn) return;
    const bound = target.kind === 'device' ? conn.deviceId === target.id : conn.companionId === target.id;
    if (!bound) return;
    if (message.type === 'kick') {
      conn.deviceId = undefined;
      conn.ws.close();
      return;
    }
    const frame = message.frame;
    if (message.type === 'send') {
      // A delivery goes through the connection's window (context.ts), behind any backlog still paged.
      if (frame.type === 'deliver') offerDelivery(ctx, conn, frame as unknown as { seq: number; payload?: unknown });
      else conn.send(frame);
      return;
    }
    // A control push, and the state change it stands for on this node.
    conn.push(frame);
    if (frame.type === 'signed_out') {
      conn.signedOutDevice = conn.deviceId;
      conn.deviceId = undefined;
      conn.phone = undefined;
      conn.sentSeqs.clear();
    } else if (frame.type === 'linked') {
      conn.companionId = undefined;
      conn.deviceId = frame.deviceId as string;
      conn.phone = frame.phone as string;
      conn.offlineRecorded = false;
      deliverPending(ctx, conn.deviceId);
    } else if (frame.type === 'link.offer') {
      this.offerOrigins.set(frame.offerId as string, { node: message.origin, companionId: target.id });
    } else if (frame.type === 'code.challenge') {
      this.challengeOrigins.set(frame.challengeId as string, { node: message.origin, companionId: target.id });
    }
  }
}
