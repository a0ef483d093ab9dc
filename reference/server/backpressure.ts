/**
 * Backpressure on every connection (issue 10: "while link.approve waits, a connection can buffer
 * without bound", 326 MB in 9 s). Frames of one connection are handled one at a time (server.ts),
 * so a handler that waits (link.approve waits up to LINK_ANSWER_TIMEOUT_MS for the companion)
 * leaves every later frame queued. Guarantees, with the default limits (limits.ts):
 * - inbound: once `inboundQueueFrames` (256) frames or `inboundQueueBytes` (4 MiB) are received
 *   and not yet handled, the server stops reading the socket (ws `pause()`: TCP flow control
 *   holds the client back, nothing is refused or lost) and reads again once both are down to
 *   half. What a connection holds unhandled is bounded by the marks plus one message in ws's
 *   receiver (its read limit, admission.ts) plus what ws had already read from the socket;
 * - budget: a connection not authenticated as a device that goes over its frame or byte budget
 *   (limits.ts) gets RATE_LIMITED for that frame, and the server stops reading its socket for
 *   half the byte burst's refill time, at most 2 s (2 s by default): a flood costs the server
 *   nothing more than the frames it already read (bench/abuse.ts). A paused socket's close frame
 *   is read when the pause ends;
 * - outbound: see Connection.send / canSend / onDrain (context.ts): a client that does not read
 *   its frames is closed 1008 OUTBOUND_BACKLOG once `outboundBufferBytes` wait unsent, instead of
 *   the server buffering without bound.
 *
 *   client                          server
 *     |-- frames ------------------->|  queued += 1 (bytes += size)
 *     |        ...                   |  queued >= high mark: ws.pause() - the kernel buffers fill,
 *     |   (writes block: TCP window) |  the client's writes wait
 *     |                              |  a handler finishes: queued -= 1; <= half: ws.resume()
 *
 * WARNING: real time and abuse protection only; the model knows nothing of it (limits.ts).
 */
import type { WebSocket } from 'ws';

export interface InboundMarks {
  readonly inboundQueueFrames: number;
  readonly inboundQueueBytes: number;
}

type Reason = 'queue' | 'budget';

/** Whether a socket is read: it is not while any reason holds it (ws pause/resume). */
export class ReadGate {
  private readonly held = new Set<Reason>();

  constructor(private readonly ws: WebSocket) {}

  hold(reason: Reason): void {
    if (this.held.has(reason)) return;
    if (this.held.size === 0) this.ws.pause();
    this.held.add(reason);
  }

  release(reason: Reason): void {
    if (!this.held.delete(reason)) return;
    if (this.held.size === 0) this.ws.resume();
  }

  /** Not read for this reason now. */
  holds(reason: Reason): boolean { return this.held.has(reason); }

  /** Not read for `ms` (unless it already is not, for this reason). */
  holdFor(reason: Reason, ms: number): void {
    if (this.held.has(reason)) return;
    this.hold(reason);
    setTimeout(() => this.release(reason), ms).unref();
  }
}

/** Frames of one connection received and not yet handled; reading pauses above the marks. */
export class InboundQueue {
  private frames = 0;
  private bytes = 0;

  constructor(private readonly gate: ReadGate, private readonly marks: InboundMarks) {}

  /** A frame was received and queued for its handler; `bytes`: what the queue keeps of it. */
  queued(bytes: number): void {
    this.frames++;
    this.bytes += bytes;
    if (this.frames >= this.marks.inboundQueueFrames || this.bytes >= this.marks.inboundQueueBytes) this.gate.hold('queue');
  }

  /** The frame's handler finished (answered or refused). */
  handled(bytes: number): void {
    this.frames--;
    this.bytes -= bytes;
    if (this.frames <= this.marks.inboundQueueFrames / 2 && this.bytes <= this.marks.inboundQueueBytes / 2) this.gate.release('queue');
  }
}
