/**
 * The reference server: WebSocket transport, frame validation, and dispatch to the handlers.
 *
 * Guarantees:
 * - Every text frame is validated against reference/protocol/frames.ts; whatever fails is answered
 *   with an `error` frame carrying a stable wire code (BAD_FRAME, UNKNOWN_TYPE, FRAME_TOO_LARGE)
 *   and the connection stays open. A handler that throws is answered INTERNAL; the server never
 *   crashes on input.
 * - Frames of one connection are handled one at a time, in arrival order.
 * - `stop()` is a restart, not a disconnect of every device: offline windows (EXP-01/04) and
 *   linking attempts are not touched, so a new server on the same Storage continues exactly
 *   (RESTART: nothing acknowledged is lost).
 * - Time is virtual (clock.ts); `advance(ms)` (or test control `tc.advance`) moves it.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { VirtualClock, type Clock } from '../clock.js';
import { NO_FAULTS, type FaultSet } from '../faults.js';
import { randomBytes, toBase64 } from '../crypto/keys.js';
import { HARD_FRAME_BYTES, MAX_FRAME_BYTES, CLOSE } from '../protocol/constants.js';
import { MAX_DEPTH, nestingDepth, readRequestId } from '../protocol/frameScan.js';
import { KNOWN_TYPES, PROTOCOL_VERSION, RequestSchemas, TEST_CONTROL_TYPES, AckSchema, type Request, type RequestType } from '../protocol/frames.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Storage } from '../storage/storage.js';
import { Connection, connectionOfDevice, fail, type HandlerResult, type PresenceHooks, type RelayLogEntry, type ServerContext } from './context.js';
import { Admission, closeAndCut } from './admission.js';
import { InboundQueue } from './backpressure.js';
import { advance } from './deadlines.js';
import { getDevices, signList, unlink } from './deviceLists.js';
import { lieAddressed, startLie } from './lyingServer.js';
import { answerOffer, approve, bind, cancel, enterCode, listCodes, precheck, requestCode, startQr } from './linking.js';
import { challengeCode, failCode, respondCode } from './codeExchange.js';
import { accountInfo, auth, disconnect, logout, recordOffline, register } from './registration.js';
import { ack, send } from './relay.js';
import { advanceClock, awaitQuiescence, inject, injectedReceived, inspect, quiescence, wakeQuiescenceWaiters, type InspectView } from './testControl.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './quotas.js';
import { ConnectionLimiter, DEFAULT_LIMITS, LINKING_STARTS, LOOKUPS, TEST_CONTROL_LIMITS, type Limits } from './limits.js';
import type { ClusterLink } from '../bus/cluster.js';
import { FanOutSender, VerificationOutbox, Verifications, type VerificationSender } from './verification.js';

export interface ServerOptions {
  /** Where state lives; default a fresh MemoryStorage. Reuse one across a restart. */
  readonly storage?: Storage;
  readonly profile?: Profile;
  /** Default: a VirtualClock at the time stored in the storage (meta 'clock'), else 0. */
  readonly clock?: Clock;
  /** Enable the test-control extension (tc.* frames). Off by default. */
  readonly testControl?: boolean;
  /** `tc.reset` replaces the store with this factory's result; default a new MemoryStorage. */
  readonly createStorage?: () => Storage;
  /** Keep the relayed-payload log across a restart (test control reads it, E2E-01). */
  readonly relayLog?: RelayLogEntry[];
  readonly host?: string;
  /** Known-bad switches (reference/faults.ts), for testing the conformance suite; none by default. */
  readonly faults?: FaultSet;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Abuse limits (limits.ts, real time); default DEFAULT_LIMITS. Tests lower them, benchmarks raise them. */
  readonly limits?: Partial<Limits>;
  /** Per-device queue quota and delivery window (quotas.ts); default DEFAULT_QUEUE_LIMITS. */
  readonly queueLimits?: Partial<QueueLimits>;
  /**
   * This server is one node of a cluster (reference/bus/cluster.ts): `storage` is the shared
   * PostgresStorage, `clock` a StoreClock on it; tc.reset empties the shared store.
   */
  readonly cluster?: ClusterLink;
  /**
   * Where number-verification codes go out of band (LIFE-03), besides the server's own outbox
   * (`verificationCode(phone)`, test control `tc.verificationCode`). `linkspec serve` writes them
   * to a file or stdout.
   */
  readonly verificationSender?: VerificationSender;
}

type Handler = (ctx: ServerContext, conn: Connection, req: any) => HandlerResult | Promise<HandlerResult>;

const HANDLERS: { [T in RequestType]: Handler } = {
  'account.info': accountInfo,
  register, auth, logout: (ctx, c) => logout(ctx, c), disconnect: (ctx, c) => disconnect(ctx, c),
  'devices.get': getDevices, 'devices.sign': signList,
  'link.bind': bind, 'link.start': startQr, 'link.cancel': (ctx, c) => cancel(ctx, c),
  'code.request': requestCode, 'code.list': (ctx, c) => listCodes(ctx, c), 'link.precheck': precheck, 'code.enter': enterCode,
  'code.challenge': challengeCode, 'code.response': respondCode, 'code.fail': failCode,
  'link.approve': approve, 'link.answer': answerOffer, unlink, send,
  'tc.reset': () => { throw new Error('handled by the server'); },
  'tc.advance': (ctx, _c, r) => advanceClock(ctx, r),
  'tc.inspect': (ctx) => ({ ok: true, value: inspect(ctx) }),
  'tc.quiescent': (ctx, _c, r) => awaitQuiescence(ctx, r),
  'tc.inject': (ctx, _c, r) => inject(ctx, r),
  'tc.injectedReceived': (ctx, _c, r) => injectedReceived(ctx, r),
  'tc.payloads': (ctx) => ({ ok: true, value: ctx.relayLog.map((e) => e.payload) }),
  'tc.lie': (ctx, _c, r) => startLie(ctx, r),
  'tc.lieAddressed': (ctx, _c, r) => lieAddressed(ctx, r),
  'verify.request': (ctx, c, r) => ctx.verifications.request(ctx, c, r),
  'verify.confirm': (ctx, c, r) => ctx.verifications.confirm(ctx, c, r),
  'tc.verificationCode': () => { throw new Error('handled by the server'); },
  'tc.traffic': () => { throw new Error('handled by the server'); },
};

/** STORAGE_FULL for a write the disk had no room for (SQLite SQLITE_FULL, errno ENOSPC), else INTERNAL. */
export function storageErrorCode(error: unknown): 'STORAGE_FULL' | 'INTERNAL' {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' ? 'STORAGE_FULL' : 'INTERNAL';
}

/** Loopback only: 127.0.0.0/8, ::1, localhost (never 0.0.0.0 or :: - every interface). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export class TestControlNotLoopback extends Error {
  readonly code = 'TEST_CONTROL_NOT_LOOPBACK';
  constructor(host: string) { super(`test control needs a loopback host (127.0.0.1, ::1, localhost), not '${host}'`); }
}

/** Received text frames, oldest first, at most TRAFFIC_LOG_BYTES in all (older ones dropped first). */
class TrafficLog {
  private readonly log: string[] = [];
  private bytes = 0;
  record(data: Buffer): void {
    const text = data.toString('utf8');
    if (text.startsWith('{"type":"tc.')) return;
    this.log.push(text);
    this.bytes += text.length;
    while (this.bytes > TRAFFIC_LOG_BYTES && this.log.length > 0) this.bytes -= this.log.shift()!.length;
  }
  frames(): readonly string[] { return [...this.log]; }
  clear(): void { this.log.length = 0; this.bytes = 0; }
}
const TRAFFIC_LOG_BYTES = 64 * 1_048_576;

/** The relay log of a server without test control: nothing is kept (nobody may read it). */
class DiscardedLog extends Array<RelayLogEntry> {
  override push(): number { return 0; }
}

export class ReferenceServer {
  private ctx: ServerContext;
  private wss: WebSocketServer | undefined;
  private stopping = false;
  private readonly queues = new WeakMap<Connection, Promise<void>>();
  private readonly limiters = new WeakMap<Connection, ConnectionLimiter>();
  /** deviceId -> connection, shared by every world of this server (tc.reset keeps the caller's connection). */
  private readonly byDevice = new Map<string, Connection>();
  private readonly limits: Limits;
  /** Every verification code sent, latest per number (LIFE-03; tests and test control read it). */
  private readonly outbox = new VerificationOutbox();
  private readonly sender: VerificationSender;
  /** Server-visible traffic, kept only with test control (capability 'server-traffic'). */
  private readonly traffic = new TrafficLog();
  /** Outbound backpressure of every connection (context.ts Connection.send), from the limits. */
  private readonly outbound: Connection['outbound'];
  /** Caps, deadline and read limit of connections not authenticated as a device (admission.ts). */
  private readonly admission: Admission;
  /**
   * Told whenever a connection becomes or stops being a device's or a companion's: the cluster
   * records where it is held, admission its standing. When a binding ends, the field that ended
   * still holds its old value (context.ts setters), hence the standing from the other field.
   */
  private readonly presence: PresenceHooks = {
    bound: (kind, id, conn) => {
      this.options.cluster?.bound(kind, id, conn);
      this.admission.stand(conn, kind === 'device' || conn.deviceId ? 'device' : 'companion');
    },
    unbound: (kind, id, conn) => {
      this.options.cluster?.unbound(kind, id, conn);
      this.admission.stand(conn, kind === 'device' ? (conn.companionId ? 'companion' : 'fresh') : (conn.deviceId ? 'device' : 'fresh'));
    },
  };

  constructor(private readonly options: ServerOptions = {}) {
    // Only test control reads relayed payloads; without it keeping them would grow without bound.
    const relayLog = options.relayLog ?? (options.testControl ? [] : new DiscardedLog());
    this.limits = { ...DEFAULT_LIMITS, ...(options.testControl ? TEST_CONTROL_LIMITS : {}), ...options.limits };
    this.admission = new Admission(this.limits);
    this.outbound = { capBytes: this.limits.outboundBufferBytes, lowWaterBytes: this.limits.outboundLowWaterBytes };
    this.sender = options.verificationSender ? new FanOutSender([this.outbox, options.verificationSender]) : this.outbox;
    this.ctx = { ...this.context(options.storage ?? new MemoryStorage(), options.profile ?? DEFAULT_PROFILE, options.clock, relayLog, options.faults), byDevice: this.byDevice, cluster: options.cluster };
    options.cluster?.attach(() => this.ctx);
    bootRecovery(this.ctx);
  }

  private context(storage: Storage, profile: Profile, clock?: Clock, relayLog: RelayLogEntry[] = [], faults: FaultSet = NO_FAULTS): ServerContext {
    const stored = Number(storage.getMeta('clock') ?? '0');
    return {
      storage, profile, clock: clock ?? new VirtualClock(Number.isFinite(stored) ? stored : 0),
      connections: new Set(), relayLog, offers: new Map(), codeTokens: new Map(), challenges: new Map(), faults,
      verifications: new Verifications(this.sender, this.limits, (conn) => this.admission.addressOf(conn)),
      queueLimits: { ...DEFAULT_QUEUE_LIMITS, ...this.options.queueLimits },
    };
  }

  /** The verification code last sent out of band to `phone` (LIFE-03), or null. */
  verificationCode(phone: string): string | null { return this.outbox.latest(phone); }

  /** Every text frame received (test control only; PAIR-08: the pairing code must never be among them). */
  receivedFrames(): readonly string[] { return this.traffic.frames(); }

  /** The relayed-payload log, to hand to the next server on the same storage (restart). */
  get relayLog(): RelayLogEntry[] { return this.ctx.relayLog; }

  get storage(): Storage { return this.ctx.storage; }
  get profile(): Profile { return this.ctx.profile; }
  get now(): number { return this.ctx.clock.now(); }

  /**
   * Listen; resolves with the ws:// URL. Test control lets any client read and change everything,
   * so it is refused (TEST_CONTROL_NOT_LOOPBACK) unless the server listens on loopback only.
   */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    if (this.options.testControl && !isLoopback(host)) throw new TestControlNotLoopback(host);
    const wss = new WebSocketServer({ host, port: this.options.port ?? 0, maxPayload: HARD_FRAME_BYTES });
    this.wss = wss;
    await new Promise<void>((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
    wss.on('connection', (ws, request) => this.accept(ws, request.socket.remoteAddress));
    return this.url;
  }

  get url(): string {
    const address = this.wss?.address();
    if (!address || typeof address === 'string') throw new Error('server not listening');
    return `ws://${address.address}:${address.port}`;
  }

  /** Stop listening and drop every socket, WITHOUT recording anyone offline (a restart). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of this.ctx.connections) c.ws.terminate();
    this.ctx.connections.clear();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    this.wss = undefined;
  }

  /** Virtual time passes (same as tc.advance). */
  advance(ms: number): void { advance(this.ctx, ms); }
  inspect(): InspectView { return inspect(this.ctx); }
  quiescence() { return quiescence(this.ctx); }
  /** Every E2E payload relayed so far (E2E-01 checks); kept only with test control or a given relayLog. */
  relayedPayloads(): readonly string[] { return this.ctx.relayLog.map((e) => e.payload); }

  private accept(ws: WebSocket, remoteAddress: string | undefined): void {
    if (this.admission.refuse(ws, remoteAddress)) return;
    const nonce = randomBytes(32);
    const cluster = this.options.cluster;
    const conn = new Connection(ws, nonce, this.byDevice, this.presence);
    this.admission.enter(conn, remoteAddress);
    conn.outbound = this.outbound;
    cluster?.opened(conn);
    const limiter = new ConnectionLimiter(this.limits);
    const inbound = new InboundQueue(ws, this.limits);
    this.limiters.set(conn, limiter);
    this.ctx.connections.add(conn);
    conn.send({ type: 'challenge', nonce: toBase64(nonce), protocol: PROTOCOL_VERSION });
    ws.on('message', (data, isBinary) => {
      if (this.options.testControl && !isBinary) this.traffic.record(data as Buffer);
      // A closing connection's frames could not be answered: dropped unread.
      if (ws.readyState !== ws.OPEN) return;
      const size = (data as Buffer).length;
      // Before authenticating as a device a connection has small budgets of its own, and one over
      // them is closed: refusing a flood frame by frame cost the server more than reconnecting
      // costs the attacker (bench/abuse.ts).
      if (!conn.deviceId && (limiter.unauthenticatedFrames.take() === 'limited' || limiter.unauthenticatedBytes.take(size) === 'limited')) {
        closeAndCut(ws, CLOSE.POLICY, `RATE_LIMITED: before authenticating at most ${this.limits.unauthenticatedFramesPerSecond} frames/s, ${this.limits.unauthenticatedBytesPerSecond} bytes/s`);
        return;
      }
      // Judged on arrival (real time): a flood is refused before it is parsed. Two budgets:
      // frames, and bytes (parsing costs what the bytes cost). A refused frame waits for its
      // turn (answers keep the frame order) as its id only, not its bytes.
      const limited = limiter.frames.take() === 'limited' || (conn.deviceId !== undefined && limiter.bytes.take(size) === 'limited');
      const kept = limited ? 0 : size;
      const id = limited && !isBinary ? readRequestId(data as Buffer) : null;
      // Backpressure (backpressure.ts): above the marks the socket is not read until handlers catch up.
      inbound.queued(kept);
      const previous = this.queues.get(conn) ?? Promise.resolve();
      // Built apart, so that no closure of this listener keeps a refused frame's bytes.
      const work = limited ? this.refusal(conn, id) : this.handling(conn, data as Buffer, isBinary);
      const next = previous.then(work).catch(() => undefined)
        .then(() => { inbound.handled(kept); wakeQuiescenceWaiters(this.ctx); });
      this.queues.set(conn, next);
    });
    ws.on('close', () => {
      this.admission.left(conn);
      cluster?.closed(conn);
      if (this.stopping) return;
      try { recordOffline(this.ctx, conn); } catch { /* store failure: nothing more to do for a closed socket */ }
      this.ctx.connections.delete(conn);
      wakeQuiescenceWaiters(this.ctx);
    });
    ws.on('error', () => undefined);
  }

  private handling(conn: Connection, data: Buffer, isBinary: boolean): () => Promise<void> {
    return () => this.handle(conn, data, isBinary);
  }

  private refusal(conn: Connection, id: string | number | null): () => void {
    return () => this.refuseLimited(conn, id);
  }

  private async handle(conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    const error = (code: string, message: string, id: unknown = null) =>
      conn.send({ type: 'error', id: typeof id === 'string' || typeof id === 'number' ? id : null, code, message });
    if (isBinary) return error('BAD_FRAME', 'text frames only');
    // Size and nesting are judged on the bytes, before JSON.parse (frameScan.ts): a connection
    // not authenticated as a device needs no large frame (ws reads none above the limit,
    // admission.ts, unless its device was signed out meanwhile), and deep nesting is what makes parsing slow.
    const limit = conn.deviceId ? MAX_FRAME_BYTES : this.limits.unauthenticatedFrameBytes;
    if (data.length > limit) return error('FRAME_TOO_LARGE', `frames are at most ${limit} bytes${limit < MAX_FRAME_BYTES ? ' before authentication' : ''}`, readRequestId(data));
    if (nestingDepth(data) > MAX_DEPTH) return error('BAD_FRAME', `nesting deeper than ${MAX_DEPTH}`, readRequestId(data));
    let raw: unknown;
    try { raw = JSON.parse(data.toString('utf8')); } catch { return error('BAD_FRAME', 'not JSON'); }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return error('BAD_FRAME', 'a frame is a JSON object');
    const { type, id } = raw as { type?: unknown; id?: unknown };
    if (typeof type !== 'string') return error('BAD_FRAME', 'missing "type"', id);
    if (!KNOWN_TYPES.has(type) || (TEST_CONTROL_TYPES.has(type) && !this.options.testControl)) {
      return error('UNKNOWN_TYPE', `unknown frame type "${type.slice(0, 40)}"`, id);
    }
    if (TEST_CONTROL_TYPES.has(type)) this.admission.controls(conn);
    if (type === 'ack') {
      const parsed = AckSchema.safeParse(raw);
      if (!parsed.success) return error('BAD_FRAME', parsed.error.issues[0]?.message ?? 'bad ack');
      ack(this.ctx, conn, parsed.data);
      return;
    }
    const schema = RequestSchemas[type as RequestType];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return error('BAD_FRAME', `${issue?.path.join('.') || type}: ${issue?.message ?? 'invalid'}`, id);
    }
    const req = parsed.data as Request;
    let result: HandlerResult;
    try {
      const refusal = this.overLimit(conn, req);
      // On a cluster, quiescence is judged only after every bus message published so far has arrived.
      if (type === 'tc.quiescent' && this.options.cluster) await this.options.cluster.bus.barrier(this.options.cluster.node);
      result = refusal ? refusal
        : type === 'tc.reset' ? this.reset(conn, req as Request<'tc.reset'>)
        : type === 'tc.verificationCode' ? { ok: true, value: this.outbox.latest((req as Request<'tc.verificationCode'>).phone) }
        : type === 'tc.traffic' ? { ok: true, value: this.traffic.frames() }
        : await HANDLERS[type as RequestType](this.ctx, conn, req);
    } catch (e) {
      // A full disk refuses the write (STORAGE_FULL); the server keeps serving.
      result = fail(storageErrorCode(e), e instanceof Error ? e.message : String(e));
    }
    // On a cluster, answer only once the broker has every bus message this request caused (bus.ts settled).
    if (this.options.cluster) await this.options.cluster.bus.settled();
    conn.send(result.ok
      ? { type: 'result', id: req.id, ok: true, ...(result.value === undefined ? {} : { value: result.value }) }
      : { type: 'result', id: req.id, ok: false, code: result.code, ...(result.message ? { message: result.message } : {}) });
  }

  /**
   * RATE_LIMITED for a frame over the connection's budget, WITHOUT parsing it (a flood must cost
   * no parse): the request id is read by the byte scan when it can be (frameScan.ts).
   */
  private refuseLimited(conn: Connection, id: string | number | null): void {
    conn.send({ type: 'error', id, code: 'RATE_LIMITED', message: `more than ${this.limits.framesPerSecond} frames/s or ${this.limits.bytesPerSecond} bytes/s` });
  }

  /** The per-request limits (limits.ts): lookups, linking starts per window, connections per account. */
  private overLimit(conn: Connection, req: Request): HandlerResult | null {
    // Before authenticating a lookup is refused OUT_OF_ORDER by its handler, spending no budget.
    if (LOOKUPS.has(req.type) && conn.deviceId && this.limiters.get(conn)?.lookups.take() === 'limited') {
      return fail('RATE_LIMITED', `at most ${this.limits.lookupBurst} account.info/devices.get at once, ${this.limits.lookupsPerSecond} / s after`);
    }
    if (LINKING_STARTS.has(req.type) && this.limiters.get(conn)?.linking.take() === 'limited') {
      return fail('RATE_LIMITED', `at most ${this.limits.linkingStartsPerWindow} link.start/code.request per ${this.limits.linkingWindowMs / 1000} s`);
    }
    if (req.type === 'auth' || req.type === 'register') {
      const deviceId = req.type === 'auth' ? (req as Request<'auth'>).deviceId : (req as Request<'register'>).identityKey;
      const phone = req.type === 'auth' ? this.ctx.storage.getDevice(deviceId)?.phone : (req as Request<'register'>).phone;
      if (phone === undefined) return null;
      let held = 0;
      for (const d of this.ctx.storage.listDevices(phone)) {
        const c = d.id === deviceId ? undefined : connectionOfDevice(this.ctx, d.id);
        if (c && c !== conn) held++;
      }
      if (held >= this.limits.connectionsPerAccount) return fail('TOO_MANY_CONNECTIONS', `at most ${this.limits.connectionsPerAccount} connections per account`);
    }
    return null;
  }

  /** tc.reset: a fresh, empty world (new store, clock 0, optional profile); other sockets are closed. */
  private reset(conn: Connection, req: Request<'tc.reset'>): HandlerResult {
    const p = (req.profile ?? {}) as Partial<Profile>;
    const profile: Profile = { ...DEFAULT_PROFILE, ...p, qr: { ...DEFAULT_PROFILE.qr, ...p.qr }, pairingCode: { ...DEFAULT_PROFILE.pairingCode, ...p.pairingCode } };
    for (const c of this.ctx.connections) {
      if (c === conn) continue;
      c.deviceId = undefined;
      c.companionId = undefined;
      c.ws.close(CLOSE.NORMAL, 'world reset');
    }
    const cluster = this.options.cluster;
    // A cluster's nodes share one store: every node's tc.reset empties it (idempotent; the
    // cluster adapter resets every node before any device connects) and keeps its StoreClock.
    const storage = cluster ? this.ctx.storage : (this.options.createStorage ?? (() => new MemoryStorage()))();
    if (cluster) { (storage as { clear?: () => void }).clear?.(); cluster.reset(); }
    const connections = new Set([conn]);
    this.outbox.clear();
    this.traffic.clear();
    this.ctx = { ...this.context(storage, profile, cluster ? this.options.clock : new VirtualClock(0), [], this.options.faults), connections, byDevice: this.byDevice, cluster };
    conn.deviceId = undefined;
    conn.companionId = undefined;
    return { ok: true };
  }
}

/**
 * What the server does with the state it finds at boot. Nothing observable for a device that comes
 * back (model RESTART), but a device that was connected when the server stopped has no offline
 * time in the store: without a stamp no dormancy or idleness deadline would ever be due for it,
 * and a primary that never reconnects would keep its companions linked for good (red-team F1,
 * EXP-01/EXP-04). Its window starts at the server's last stored time (meta 'clock', the last tick
 * before the stop: downtime counts); reconnecting clears it as any reconnect does. Devices already
 * offline keep their stamp (re-stamping them is the known-bad 'restart-restarts-window'); injected
 * devices never connect. A cluster node skips this: the shared store's devices may be connected to
 * other nodes (reference/CLUSTER.md). Two known-bad "recoveries" a team could write live here too.
 */
function bootRecovery(ctx: ServerContext): void {
  const now = ctx.clock.now();
  if (!ctx.cluster) {
    ctx.storage.transaction(() => {
      for (const account of ctx.storage.listAccounts()) {
        for (const d of ctx.storage.listDevices(account.phone)) {
          if (d.status === 'linked' && d.offlineSince === null && !d.injected) ctx.storage.putDevice({ ...d, offlineSince: now });
        }
      }
    });
  }
  // Fault 'restart-restarts-window': every offline device is stamped offline as of the boot (EXP-01).
  if (ctx.faults.has('restart-restarts-window')) {
    for (const account of ctx.storage.listAccounts()) {
      for (const d of ctx.storage.listDevices(account.phone)) if (d.offlineSince !== null) ctx.storage.putDevice({ ...d, offlineSince: now });
    }
  }
  // Fault 'restart-cancels-linking': QR attempts and codes found at boot are cancelled as stale (PAIR-02).
  if (ctx.faults.has('restart-cancels-linking')) {
    for (const attempt of ctx.storage.listActiveQrAttempts()) ctx.storage.putQrAttempt({ ...attempt, state: 'cancelled' });
    for (const code of ctx.storage.listActiveCodes()) ctx.storage.putCode({ ...code, state: 'cancelled' });
  }
}
