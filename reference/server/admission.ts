/**
 * Admission of connections (issue 10, bounded resources): what a socket that has not proved a key
 * may hold on the server. Guarantees, with the default limits (limits.ts):
 * - at most `unauthenticatedConnections` (1,000) connections not authenticated as a device, and at
 *   most `unauthenticatedPerAddress` (64) from one remote address; one more is closed at accept
 *   with 1013 and reason `TOO_MANY_UNAUTHENTICATED …`, before the server allocates anything for it
 *   (no nonce, no Connection, no limiter);
 * - a socket that has neither authenticated (`auth`, `register`) nor bound as a linking companion
 *   (`link.bind`) within `authDeadlineMs` (30 s, real time) of opening is closed with 1008 and
 *   reason `AUTH_DEADLINE …`;
 * - until it is authenticated as a device, ws reads a socket's messages up to
 *   `unauthenticatedFrameBytes` (64 KiB) only and closes it with 1009 above: the fragments of an
 *   unfinished message pin at most that much, not the 4 MiB hard frame size (bench/fragmentMemory.ts).
 *
 * "Not authenticated as a device" is a fresh socket or a bound companion (binding costs nothing
 * but a fresh key, so it must not lift the caps), and a connection whose device was signed out.
 * Standing follows Connection's presence hooks (context.ts PresenceHooks), so a link completed by
 * the primary's handler or a sign-out by a tick moves the companion's connection too.
 *
 * WARNING: real time and abuse protection only; the model knows nothing of it (limits.ts).
 */
import type { WebSocket } from 'ws';
import { CLOSE, HARD_FRAME_BYTES } from '../protocol/constants.js';
import type { Connection } from './context.js';
import type { Limits } from './limits.js';

/** A fresh socket, a bound linking companion, or an authenticated device. */
export type Standing = 'fresh' | 'companion' | 'device';

interface Entry {
  readonly address: string;
  /** Counted against the caps (standing is not 'device'). */
  counted: boolean;
  deadline: NodeJS.Timeout | undefined;
}

/** How long a socket closed for abuse may take to finish the closing handshake before it is cut. */
const ABUSE_CLOSE_MS = 1_000;

/**
 * Close with `code` and `reason` (the client learns why), and cut the socket if the client has
 * not completed the closing handshake within `graceMs`: a client that never answers the close
 * frame does not keep the socket (and what is buffered for it) for ws's 30 s.
 */
export function closeAndCut(ws: WebSocket, code: number, reason: string, graceMs = ABUSE_CLOSE_MS): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), graceMs).unref();
}

export class Admission {
  private unauthenticated = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly entries = new WeakMap<Connection, Entry>();

  constructor(private readonly limits: Limits) {}

  /** Sockets not authenticated as a device, in all and from `address` (tests, inspection). */
  counts(address?: string): { total: number; address: number } {
    return { total: this.unauthenticated, address: address === undefined ? 0 : this.byAddress.get(normalise(address)) ?? 0 };
  }

  /** The remote address `conn` was accepted from (normalised; 'unknown' for an in-process connection). */
  addressOf(conn: Connection): string { return this.entries.get(conn)?.address ?? 'unknown'; }

  /**
   * At accept: close the socket (1013) if one more unauthenticated connection would pass a cap.
   * Returns whether it was refused; a refused socket must get no per-connection state.
   */
  refuse(ws: WebSocket, remoteAddress: string | undefined): boolean {
    const address = normalise(remoteAddress);
    let reason: string | null = null;
    if (this.unauthenticated >= this.limits.unauthenticatedConnections) reason = `TOO_MANY_UNAUTHENTICATED: at most ${this.limits.unauthenticatedConnections} in all`;
    else if ((this.byAddress.get(address) ?? 0) >= this.limits.unauthenticatedPerAddress) reason = `TOO_MANY_UNAUTHENTICATED: at most ${this.limits.unauthenticatedPerAddress} per address`;
    if (reason === null) return false;
    ws.on('error', () => undefined);
    closeAndCut(ws, CLOSE.TRY_AGAIN_LATER, reason);
    return true;
  }

  /** A new connection: counted, read-limited, and on the clock until it authenticates or binds. */
  enter(conn: Connection, remoteAddress: string | undefined): void {
    const entry: Entry = { address: normalise(remoteAddress), counted: false, deadline: undefined };
    this.entries.set(conn, entry);
    this.count(entry, true);
    setReadLimit(conn.ws, this.limits.unauthenticatedFrameBytes);
    entry.deadline = setTimeout(() => {
      entry.deadline = undefined;
      closeAndCut(conn.ws, CLOSE.POLICY, `AUTH_DEADLINE: authenticate or bind within ${this.limits.authDeadlineMs / 1000} s`);
    }, this.limits.authDeadlineMs);
    entry.deadline.unref();
  }

  /** The connection now stands as `standing` (from the presence hooks). */
  stand(conn: Connection, standing: Standing): void {
    const entry = this.entries.get(conn);
    if (!entry) return;
    // The deadline is met once, by the first authentication or binding; it is not re-armed by a sign-out.
    if (standing !== 'fresh' && entry.deadline) { clearTimeout(entry.deadline); entry.deadline = undefined; }
    this.count(entry, standing !== 'device');
    setReadLimit(conn.ws, standing === 'device' ? HARD_FRAME_BYTES : this.limits.unauthenticatedFrameBytes);
  }

  /**
   * The harness's test-control connection (a loopback-only server with test control: it sent an
   * accepted tc.* frame) never authenticates and lives as long as a world does, minutes on a slow
   * adapter: its deadline is met. It still counts against the caps.
   */
  controls(conn: Connection): void {
    const entry = this.entries.get(conn);
    if (entry?.deadline) { clearTimeout(entry.deadline); entry.deadline = undefined; }
  }

  /** The socket closed. */
  left(conn: Connection): void {
    const entry = this.entries.get(conn);
    if (!entry) return;
    if (entry.deadline) clearTimeout(entry.deadline);
    this.count(entry, false);
    this.entries.delete(conn);
  }

  private count(entry: Entry, counted: boolean): void {
    if (entry.counted === counted) return;
    entry.counted = counted;
    const step = counted ? 1 : -1;
    this.unauthenticated += step;
    const n = (this.byAddress.get(entry.address) ?? 0) + step;
    if (n > 0) this.byAddress.set(entry.address, n);
    else this.byAddress.delete(entry.address);
  }
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is the IPv4 address. */
function normalise(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The largest message ws reads from this socket from now on. ws (8.x, receiver.js `haveLength`)
 * compares each frame header's running message length with the receiver's `_maxPayload` and
 * closes 1009 above it, before buffering the payload; the server-wide `maxPayload` option is the
 * only public way to set it, so the per-connection value is set here. admission.test.ts fails if
 * a ws upgrade moves it.
 */
function setReadLimit(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}
