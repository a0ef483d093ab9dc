/**
 * Per-device queue bounds (issue 10; OFF-02): what one device's queue may hold, and how much of
 * it is on its way to the device at once.
 *
 * Quota: a recipient device's queue of unacknowledged deliveries is bounded in count and in
 * payload bytes, so one sender cannot make the server hold an unbounded backlog (measured
 * before: 400 MB queued for one device). A `send` whose envelopes would take ANY recipient over
 * its quota is refused QUEUE_FULL (model/errors.ts, kind 'wire') and nothing is stored for any
 * recipient: the sender learns the message was not accepted, as for every other refusal of
 * `send`, and may retry later. Each sender device may fill only its share of a recipient's queue
 * (a quarter by default: red team F6, 4 stranger connections filled a device's queue in 7-9 s and
 * a friend then got QUEUE_FULL): one sender cannot lock the others out; it takes 4 sender devices,
 * each a verified number or a linked companion. Server-originated deliveries (a link's history and notices) are
 * not counted against it: the linking itself bounds them.
 *
 * Window: a connection is sent at most `windowCount` deliveries / `windowBytes` payload bytes
 * that it has not acked yet; each ack lets the next ones go, read page by page from the store
 * (context.ts deliverPending). A reconnect with a large backlog therefore never loads it whole
 * (measured before: RSS 1.71 GB when a device with 400 MB queued reconnected). Order and
 * exactly-once are unchanged (OFF-02, E2E-02): the window only delays what is sent.
 *
 * WARNING: like the abuse limits (limits.ts) these are the reference server's protection, not
 * spec behaviour: the model never predicts QUEUE_FULL, and the defaults are far above what the
 * conformance harness queues or leaves unacked, so no verdict depends on them. Tests pass smaller ones.
 */
import type { QueueUsage } from '../storage/storage.js';

export interface QueueLimits {
  /** Unacknowledged deliveries one device's queue may hold (QUEUE_FULL beyond). */
  readonly maxCount: number;
  /** UTF-8 payload bytes one device's queue may hold (QUEUE_FULL beyond). */
  readonly maxBytes: number;
  /** Of those, deliveries from any ONE sender device (QUEUE_FULL beyond)... */
  readonly maxCountPerSender: number;
  /** ...and their payload bytes. */
  readonly maxBytesPerSender: number;
  /** Deliveries sent to one connection and not yet acked, at most. */
  readonly windowCount: number;
  /** Their payload bytes, at most (one delivery is always let through, however large). */
  readonly windowBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  maxCount: 20_000, maxBytes: 128 * 1_048_576, maxCountPerSender: 5_000, maxBytesPerSender: 32 * 1_048_576, windowCount: 256, windowBytes: 4 * 1_048_576,
};

/** Whether adding `count` deliveries of `bytes` payload bytes keeps the queue within its quota. */
export function fits(limits: QueueLimits, usage: QueueUsage, count: number, bytes: number): boolean {
  return usage.count + count <= limits.maxCount && usage.bytes + bytes <= limits.maxBytes;
}

/** Whether adding them keeps one sender's part of the queue (`fromSender`) within its share. */
export function fitsShare(limits: QueueLimits, fromSender: QueueUsage, count: number, bytes: number): boolean {
  return fromSender.count + count <= limits.maxCountPerSender && fromSender.bytes + bytes <= limits.maxBytesPerSender;
}
