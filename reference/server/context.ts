/**
 * What every server handler works with: the store, the profile, the virtual clock, the live
 * connections, and the few shared operations that must behave the same everywhere -
 * signing a device out (E2E-03, EXP-03: its queue is dropped, it is told if connected), the
 * server-asserted removal from a device list (LIFE-02, see PROTOCOL.md), and pushing queued
 * deliveries to a connected device in order (OFF-02).
 */
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../../model/errors.js';
import type { Profile } from '../../model/profile.js';
import type { Clock } from '../clock.js';
import type { FaultSet } from '../faults.js';
import type { QueueLimits } from './quotas.js';
import type { Verifications } from './verification.js';
import { CLOSE } from '../protocol/constants.js';
import { closeAndCut } from './admission.js';

/** How long a client closed for OUTBOUND_BACKLOG has to read its frames and the close frame before the socket is cut. */
const OUTBOUND_CLOSE_GRACE_MS = 5_000;
import type { DeviceRecord, QueuedDelivery, Storage, StoredSignOutReason } from '../storage/storage.js';

/** A handler's answer: the `result` frame's body. */
export type HandlerResult =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly code: ErrorCode; readonly message?: string };

export const done = (value?: unknown): HandlerResult => ({ ok: true, value });
export const fail = (code: ErrorCode, message?: string): HandlerResult => ({ ok: false, code, message });

/**
 * Told when a connection becomes or stops being a device's or a linking companion's: the
 * cluster (reference/bus/cluster.ts) records which node holds whom. Absent on a single node.
 */
export interface PresenceHooks {
  bound(kind: 'device' | 'companion', id: string, conn: Connection): void;
  unbound(kind: 'device' | 'companion', id: string, conn: Connection): void;
}

/** One WebSocket connection and what it is authenticated or bound as. */
export class Connection {
  private device: string | undefined;
  private companion: string | undefined;
  phone: string | undefined;
  /** Unique per server process: names this connection on the cluster bus. */
  readonly connId = token(9);
  /** Control pushes sent and not yet acked. */
  readonly unacked = new Set<number>();
  /** Delivery seqs sent on this connection and not yet acked. */
  readonly sentSeqs = new Set<number>();
  /**
   * The device this connection spoke for until the server signed it out. A request that was
   * already on its way is answered as the model answers a signed-out device (NOT_LINKED,
   * SIGNED_OUT), not OUT_OF_ORDER (race mode, conformance/race).
   */
  signedOutDevice: string | undefined;
  /** Set once its disconnect (orderly or not) has been recorded. */
  offlineRecorded = false;
  /**
   * Paged delivery (deliverPending): `cursor` is the highest seq read from the store for this
   * connection, `ahead` what was read and not sent yet (at most a page), `drained` true when the
   * last read found nothing more - a new delivery may then go straight out.
   */
  cursor = 0;
  ahead: QueuedDelivery[] = [];
  drained = false;
  /** A deliverPending is registered with onDrain (the socket was backed up). */
  awaitingDrain = false;
  /** Payload sizes of the deliveries in `sentSeqs` (the window's bytes). */
  private readonly sentSizes = new Map<number, number>();
  private sentBytes = 0;
  private nextPush = 1;

  /**
   * Outbound backpressure (backpressure.ts, limits.ts; the server sets it from its limits):
   * `send` closes the connection 1008 OUTBOUND_BACKLOG rather than buffer more than `capBytes`
   * unread by the client; `canSend()` is true below `lowWaterBytes`.
   */
  outbound: { readonly capBytes: number; readonly lowWaterBytes: number } = { capBytes: Infinity, lowWaterBytes: 1_048_576 };
  private drainWaiters: Array<() => void> = [];

  /** `index`: the server's deviceId -> connection map, kept in step with `deviceId` (O(1) lookups). */
  constructor(readonly ws: WebSocket, readonly nonce: Uint8Array, private readonly index: Map<string, Connection> = new Map(), private readonly hooks?: PresenceHooks) {}

  /** Authenticated device (after register, auth, or a completed link). */
  get deviceId(): string | undefined { return this.device; }
  set deviceId(id: string | undefined) {
    if (id === this.device) return;
    if (this.device !== undefined && this.index.get(this.device) === this) this.index.delete(this.device);
    if (this.device !== undefined) this.hooks?.unbound('device', this.device, this);
    this.device = id;
    // Another device's queue (or none): delivery starts again from the store.
    this.resetDelivery();
    if (id !== undefined) this.index.set(id, this);
    if (id !== undefined) this.hooks?.bound('device', id, this);
  }

  /** Bound linking companion (after link.bind), until it is linked. */
  get companionId(): string | undefined { return this.companion; }
  set companionId(id: string | undefined) {
    if (id === this.companion) return;
    if (this.companion !== undefined) this.hooks?.unbound('companion', this.companion, this);
    this.companion = id;
    if (id !== undefined) this.hooks?.bound('companion', id, this);
  }

  /** Forget what was sent and read: the next deliverPending starts from the device's first pending delivery. */
  resetDelivery(): void {
    this.sentSeqs.clear();
    this.sentSizes.clear();
    this.sentBytes = 0;
    this.cursor = 0;
    this.ahead = [];
    this.drained = false;
  }

  /** A delivery of `size` payload characters went out (its seq is in `sentSeqs`). */
  noteSent(seq: number, size: number): void {
    if (this.sentSizes.has(seq)) return;
    this.sentSizes.set(seq, size);
    this.sentBytes += size;
  }

  /** A delivery left the window (acked). */
  noteAcked(seq: number): void {
    this.sentBytes -= this.sentSizes.get(seq) ?? 0;
    this.sentSizes.delete(seq);
  }

  /** Payload characters sent and not acked; resynchronised when `sentSeqs` was cleared elsewhere. */
  bytesInFlight(): number {
    if (this.sentSeqs.size === 0 && this.sentSizes.size > 0) { this.sentSizes.clear(); this.sentBytes = 0; }
    return this.sentBytes;
  }

  /**
   * Send a frame, unless the client has left `outbound.capBytes` unread: then the connection is
   * closed (1008, reason OUTBOUND_BACKLOG) and nothing more is buffered for it. Nothing is lost:
   * a delivery stays queued until acked, and the device gets it again when it reconnects.
   */
  send(frame: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.unsent() > this.outbound.capBytes) {
      // A client that reads nothing will not read the close frame either: cut after a grace.
      closeAndCut(this.ws, CLOSE.POLICY, `OUTBOUND_BACKLOG: more than ${this.outbound.capBytes} bytes unread`, OUTBOUND_CLOSE_GRACE_MS);
      return;
    }
    const text = JSON.stringify(frame);
    // While at or above the low-water mark every frame reports its flush, so the last one flushed
    // finds the buffer drained and wakes the onDrain waiters.
    if (this.unsent() + text.length >= this.outbound.lowWaterBytes) this.ws.send(text, (error) => this.flushed(error));
    else this.ws.send(text);
  }

  /** Few enough bytes wait unsent that more may be pushed (paged delivery asks before each page). */
  canSend(): boolean {
    return this.unsent() < this.outbound.lowWaterBytes;
  }

  /**
   * `fn` runs once, when `canSend()` is true again (soon, if it already is); never if the
   * connection closes first.
   */
  onDrain(fn: () => void): void {
    if (this.canSend()) { setImmediate(fn); return; }
    this.drainWaiters.push(fn);
  }

  private unsent(): number { return this.ws.bufferedAmount ?? 0; }

  private flushed(error?: Error): void {
    if (error) { this.drainWaiters = []; return; }
    if (this.drainWaiters.length === 0 || !this.canSend()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of waiters) fn();
  }

  /** A control push: numbered, tracked until the client acks it (quiescence). */
  push(frame: { type: string } & Record<string, unknown>): void {
    const push = this.nextPush++;
    this.unacked.add(push);
    this.send({ ...frame, push });
  }
}

export interface RelayLogEntry {
  readonly to: string;
  readonly from: string;
  readonly payload: string;
}

export interface ServerContext {
  readonly storage: Storage;
  readonly profile: Profile;
  readonly clock: Clock;
  readonly connections: Set<Connection>;
  /** Every E2E payload relayed (messages and history), for test control (E2E-01). */
  readonly relayLog: RelayLogEntry[];
  /** Link offers pushed to companions and awaiting their `link.answer` (in memory: a restart drops them). */
  readonly offers: Map<string, PendingOffer>;
  /** Connections by authenticated device id (Connection keeps it in step); absent: scan `connections`. */
  readonly byDevice?: Map<string, Connection>;
  /** Pairing-code link tokens handed to a primary by code.enter: token -> codeId. */
  readonly codeTokens: Map<string, string>;
  /** Pairing-code challenges relayed to holders (in memory): challengeId -> waiting primary. */
  readonly challenges: Map<string, PendingChallenge>;
  /** Known-bad switches (reference/faults.ts); empty in the conformant reference. */
  readonly faults: FaultSet;
  /** Present when this server is one node of a cluster (reference/bus/cluster.ts). */
  readonly cluster?: ClusterView;
  /** Proof of number ownership (LIFE-03): verification codes and the connections that proved a number. */
  readonly verifications: Verifications;
  /** Per-device queue quota and delivery window (quotas.ts). */
  readonly queueLimits: QueueLimits;
}

/** What the handlers need from the cluster: connections held by OTHER nodes, as stand-ins. */
export interface ClusterView {
  /** A stand-in for the device's or companion's connection on another node, or undefined. */
  remote(kind: 'device' | 'companion', id: string): Connection | undefined;
  /** A link offer this node's companion was pushed by another node: forward the answer there. */
  forwardAnswer(offerId: string, companionId: string, answer: { deviceSignature?: string; refuse?: string }): boolean;
  /** A pairing-code challenge this node's holder was pushed by another node: forward the response there. */
  forwardCodeResponse(challengeId: string, companionId: string, confirm: string): boolean;
  /** Devices with a connection on any node. */
  onlineDevices(): Set<string>;
}

/** A `code.challenge` relayed to the holder, awaiting its `code.response`. */
export interface PendingChallenge {
  readonly companionId: string;
  readonly resolve: (confirm: string | null) => void;
}

export interface PendingOffer {
  readonly companionId: string;
  readonly resolve: (answer: { deviceSignature?: string; refuse?: string }) => void;
}

/** The open connection authenticated as this device, if any. */
export function connectionOfDevice(ctx: ServerContext, deviceId: string): Connection | undefined {
  if (ctx.byDevice) {
    // O(1): every delivery and authentication asks this; a server holds thousands of connections.
    const c = ctx.byDevice.get(deviceId);
    if (c && c.deviceId === deviceId && ctx.connections.has(c)) return c;
    return ctx.cluster?.remote('device', deviceId);
  }
  for (const c of ctx.connections) if (c.deviceId === deviceId) return c;
  return ctx.cluster?.remote('device', deviceId);
}

/** The open connection bound as this linking companion, if any (on a cluster: on any node). */
export function connectionOfCompanion(ctx: ServerContext, companionId: string): Connection | undefined {
  for (const c of ctx.connections) if (c.companionId === companionId) return c;
  return ctx.cluster?.remote('companion', companionId);
}

/** Deliveries read from the store at once while paging a backlog. */
const PAGE = 32;

/**
 * Whether the connection speaks for a device the server signed out: this node told it so
 * (`signedOutDevice`), or - on a cluster, before another node's `signed_out` push has crossed
 * the bus - the store already says so. Its requests are answered as the model answers a
 * signed-out device (NOT_LINKED, SIGNED_OUT), not OUT_OF_ORDER (race mode, conformance/race).
 */
export function wasSignedOut(ctx: ServerContext, conn: Connection): boolean {
  if (conn.signedOutDevice !== undefined) return true;
  return conn.deviceId !== undefined && ctx.storage.getDevice(conn.deviceId)?.status === 'signed-out';
}

/**
 * Delivery to a connected device (OFF-02, E2E-02): in seq order, once per connection, through a
 * window (quotas.ts): at most `windowCount` deliveries / `windowBytes` payload bytes sent and not
 * yet acked, and nothing while the socket's own buffer is backed up (Connection.canSend; the
 * next page goes on its onDrain). The queue is read PAGE deliveries at a time after the last seq read, so a
 * reconnect with a large backlog never loads all of it, and each ack lets the next go
 * (relay.ts ack).
 *
 *   device                      server (store: seq 1..N queued)
 *     |-- auth ------------------>|  window: deliver 1..k (k = what fits)
 *     |<-- deliver 1 .. k --------|
 *     |-- ack 1 ----------------->|  1 deleted; room for one more: deliver k+1
 *     |<-- deliver k+1 -----------|  ... until the queue is drained
 */
export function deliverPending(ctx: ServerContext, deviceId: string): void {
  const conn = connectionOfDevice(ctx, deviceId);
  if (!conn) return;
  if (!ctx.connections.has(conn)) {
    // A stand-in for another cluster node's connection: the first window goes over the bus; that
    // node pages the rest from the store itself (offerDelivery).
    for (const item of ctx.storage.pendingAfter(deviceId, 0, ctx.queueLimits.windowCount)) sendDelivery(ctx, conn, item);
    return;
  }
  for (;;) {
    if (!hasRoom(ctx, conn)) {
      conn.drained = false;
      // The socket itself is backed up (the client reads slowly): the next page when it drains.
      if (!conn.canSend() && !conn.awaitingDrain) {
        conn.awaitingDrain = true;
        conn.onDrain(() => { conn.awaitingDrain = false; if (conn.deviceId === deviceId) deliverPending(ctx, deviceId); });
      }
      return;
    }
    if (conn.ahead.length === 0) {
      const page = ctx.storage.pendingAfter(deviceId, conn.cursor, PAGE);
      if (page.length === 0) { conn.drained = true; return; }
      conn.cursor = page.at(-1)!.seq;
      conn.ahead = page;
    }
    sendDelivery(ctx, conn, conn.ahead.shift()!);
  }
}

/**
 * A delivery just stored by `send`: pushed at once if its device is connected, has room in its
 * window and has been sent everything older (`drained`); otherwise it waits in the store for
 * the window to move. No store read on the direct path, so relaying does not cost more as a
 * backlog grows.
 */
export function deliverNew(ctx: ServerContext, item: QueuedDelivery): void {
  const conn = connectionOfDevice(ctx, item.recipientDeviceId);
  if (!conn) return;
  if (!ctx.connections.has(conn)) { sendDelivery(ctx, conn, item); return; }
  if (conn.drained && hasRoom(ctx, conn)) {
    sendDelivery(ctx, conn, item);
    conn.cursor = Math.max(conn.cursor, item.seq);
  } else {
    deliverPending(ctx, item.recipientDeviceId);
  }
}

/**
 * A `deliver` frame another cluster node sent for this node's connection (reference/bus): it
 * goes through the same window, so it never overtakes a backlog still being paged. One whose
 * seq is below what was already read (assigned before, committed after, a later one on another
 * node) and not sent goes out at once: it would otherwise wait for the next reconnect.
 */
export function offerDelivery(ctx: ServerContext, conn: Connection, frame: { seq: number; payload?: unknown }): void {
  if (conn.sentSeqs.has(frame.seq) || conn.ahead.some((a) => a.seq === frame.seq)) return;
  // Late, and still queued (not one this connection was sent and has acked since).
  const late = frame.seq <= conn.cursor && conn.deviceId !== undefined && ctx.storage.pendingAfter(conn.deviceId, frame.seq - 1, 1)[0]?.seq === frame.seq;
  if (late || (frame.seq > conn.cursor && conn.drained && hasRoom(ctx, conn))) {
    conn.sentSeqs.add(frame.seq);
    conn.noteSent(frame.seq, typeof frame.payload === 'string' ? frame.payload.length : 0);
    conn.send(frame);
    conn.cursor = Math.max(conn.cursor, frame.seq);
  } else if (conn.deviceId) {
    deliverPending(ctx, conn.deviceId);
  }
}

/** Whether the connection takes one more delivery: its socket is not backed up, and its window has room (always, when nothing is in flight). */
function hasRoom(ctx: ServerContext, conn: Connection): boolean {
  const { windowCount, windowBytes } = ctx.queueLimits;
  if (!conn.canSend()) return false; // outbound backpressure (backpressure.ts)
  if (conn.sentSeqs.size === 0) return true;
  return conn.sentSeqs.size < windowCount && conn.bytesInFlight() < windowBytes;
}

function sendDelivery(ctx: ServerContext, conn: Connection, item: QueuedDelivery): void {
  if (conn.sentSeqs.has(item.seq)) return;
  conn.sentSeqs.add(item.seq);
  conn.noteSent(item.seq, item.payload.length);
  const from = ctx.storage.getDevice(item.senderDeviceId);
  const sender = from ? {
    id: from.id, role: from.role, identityKey: from.identityKey, boxKey: from.boxKey, boxKeySignature: from.boxKeySignature,
    name: from.name, platform: from.platform, link: from.link ?? null,
  } : null;
  conn.send({ type: 'deliver', seq: item.seq, kind: item.kind, from: item.senderDeviceId, fromPhone: from?.phone ?? '', sender, payload: item.payload });
}

export function linkedDevices(ctx: ServerContext, phone: string): DeviceRecord[] {
  return ctx.storage.listDevices(phone).filter((d) => d.status === 'linked');
}

/** Linked companions that count against the limit (LIMIT-01); injected ones are the attack, not a slot. */
export function linkedCompanions(ctx: ServerContext, phone: string): DeviceRecord[] {
  return linkedDevices(ctx, phone).filter((d) => d.role === 'companion' && !d.injected);
}

/**
 * Sign a device out (any reason): status 'signed-out', nothing queued for it is delivered any
 * more (E2E-03), its connection (if any) is told and drops back to unauthenticated.
 * Does NOT touch the device list; callers decide how the list changes.
 */
export function signOutDevice(ctx: ServerContext, deviceId: string, reason: StoredSignOutReason): void {
  const device = ctx.storage.getDevice(deviceId);
  if (!device || device.status !== 'linked') return;
  ctx.storage.putDevice({ ...device, status: 'signed-out', signOutReason: reason });
  ctx.storage.dropQueue(deviceId);
  const conn = connectionOfDevice(ctx, deviceId);
  // Fault 'unlinked-still-receives': the session outlives the sign-out.
  if (conn && ctx.faults.has('unlinked-still-receives')) return;
  if (conn) {
    conn.push({ type: 'signed_out', reason });
    conn.signedOutDevice = conn.deviceId;
    conn.deviceId = undefined;
    conn.phone = undefined;
    conn.sentSeqs.clear();
  }
}

/**
 * A server-asserted removal (LIFE-02): the server may only REMOVE devices on its own. It writes
 * version + 1 with the remaining devices and no signature, keeping the last primary-signed list
 * so clients can check the new list is a subset of it; the primary re-signs the same version
 * when it next connects (devices.sign).
 */
export function assertRemoval(ctx: ServerContext, phone: string, removedIds: readonly string[]): void {
  const list = ctx.storage.getDeviceList(phone);
  if (!list) return;
  const removed = new Set(removedIds);
  ctx.storage.putDeviceList({
    ...list,
    // Fault 'list-version-stuck': the removal reuses the current version (LIFE-02).
    version: ctx.faults.has('list-version-stuck') ? list.version : list.version + 1,
    devices: list.devices.filter((d) => !removed.has(d.id)),
    signature: null,
  });
}

/** Sign out one companion and record it as a server-asserted removal: one version step. */
export function signOutCompanion(ctx: ServerContext, device: DeviceRecord, reason: StoredSignOutReason): void {
  signOutDevice(ctx, device.id, reason);
  assertRemoval(ctx, device.phone, [device.id]);
}

/** A random opaque token (base64url, so never a comma: it can be a QR reference). */
export function token(bytes = 16): string {
  const raw = new Uint8Array(bytes);
  crypto.getRandomValues(raw);
  return Buffer.from(raw).toString('base64url');
}
