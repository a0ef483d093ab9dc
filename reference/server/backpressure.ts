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

/** Frames of one connection received and not yet handled; reading pauses above the marks. */
export class InboundQueue {
  private frames = 0;
  private bytes = 0;
  private paused = false;

  constructor(private readonly ws: WebSocket, private readonly marks: InboundMarks) {}

  /** A frame was received and queued for its handler; `bytes`: what the queue keeps of it. */
  queued(bytes: number): void {
    this.frames++;
    this.bytes += bytes;
    if (!this.paused && (this.frames >= this.marks.inboundQueueFrames || this.bytes >= this.marks.inboundQueueBytes)) {
      this.paused = true;
      this.ws.pause();
    }
  }

  /** The frame's handler finished (answered or refused). */
  handled(bytes: number): void {
    this.frames--;
    this.bytes -= bytes;
    if (this.paused && this.frames <= this.marks.inboundQueueFrames / 2 && this.bytes <= this.marks.inboundQueueBytes / 2) {
      this.paused = false;
      this.ws.resume();
    }
  }
}
