/**
 * Message relay with store-and-forward (OFF-01, OFF-02, E2E-01, E2E-02, E2E-03). The sender
 * encrypts one envelope per recipient device (the other account's devices and its own other
 * devices); the server checks each recipient is a linked device of one of the two accounts,
 * stores every envelope (acknowledged = stored), pushes to connected devices, and deletes an
 * envelope only when its recipient acks it. Per recipient the store's seq order is the send
 * order, so delivery is in order, once each (the client also ignores a repeated id).
 * A send that would take a recipient's queue over its quota, or over the sender device's share of
 * it, is refused QUEUE_FULL, with nothing stored for anyone (quotas.ts).
 */
import type { Request } from '../protocol/frames.js';
import { connectionOfDevice, deliverNew, deliverPending, done, fail, wasSignedOut, type Connection, type HandlerResult, type ServerContext } from './context.js';
import { restartPrimaryWindow } from './registration.js';
import { noteAddressed } from './lyingServer.js';
import { fits, fitsShare } from './quotas.js';

export function send(ctx: ServerContext, conn: Connection, req: Request<'send'>): HandlerResult {
  const sender = conn.deviceId ? ctx.storage.getDevice(conn.deviceId) : undefined;
  if (!sender || sender.status !== 'linked') return wasSignedOut(ctx, conn) ? fail('SIGNED_OUT', 'this device was signed out') : fail('OUT_OF_ORDER', 'authenticate first');
  if (!ctx.storage.getAccount(sender.phone)?.registered || !ctx.storage.getAccount(req.toPhone)?.registered) return fail('NOT_REGISTERED');
  if (req.toPhone === sender.phone) return fail('BAD_FRAME', 'the conversation is with another account');
  // Fault 'companions-need-primary': a companion's message goes through its primary (OFF-01).
  if (ctx.faults.has('companions-need-primary') && sender.role === 'companion') {
    const primaryId = ctx.storage.getAccount(sender.phone)?.primaryDeviceId;
    if (!primaryId || !connectionOfDevice(ctx, primaryId)) return fail('DEVICE_OFFLINE', 'the primary is offline');
  }
  noteAddressed(ctx, req.envelopes);
  // Fault 'companion-send-restarts-window': a companion's message counts as account activity (EXP-01).
  if (sender.role === 'companion' && ctx.faults.has('companion-send-restarts-window')) restartPrimaryWindow(ctx, sender.phone);
  const recipientsOk = (): HandlerResult | null => {
    const seen = new Set<string>();
    for (const { to } of req.envelopes) {
      const device = ctx.storage.getDevice(to);
      // Fault 'unlinked-still-receives': the relay checks the account only (E2E-03).
      const live = device?.status === 'linked' || (device !== undefined && ctx.faults.has('unlinked-still-receives'));
      const allowed = device && live && (device.phone === sender.phone || device.phone === req.toPhone) && to !== sender.id;
      if (!allowed || seen.has(to)) return fail('UNTRUSTED_DEVICE', `not a linked recipient: ${to}`);
      seen.add(to);
    }
    return null;
  };
  const refused = recipientsOk();
  if (refused) return refused;
  // Fault 'offline-loses-message': only recipients with an open connection get the envelope (OFF-02).
  const dropOffline = ctx.faults.has('offline-loses-message');
  // Stored under both accounts' locks (in one order: no deadlock), the recipients checked again
  // there: on a cluster an unlink or sign-out on another node cannot slip between (E2E-03).
  const stored = ctx.storage.transaction(() => {
    for (const phone of [sender.phone, req.toPhone].sort()) ctx.storage.lockAccount?.(phone);
    const again = ctx.storage.lockAccount ? recipientsOk() : null;
    if (again) return again;
    const payloads = req.envelopes.map(({ envelope }) => JSON.stringify(envelope));
    // Quotas (quotas.ts): checked for every recipient before anything is stored, so a refusal
    // stores nothing for anyone. Recipients are distinct (recipientsOk), under their accounts' locks.
    const quota = ctx.queueLimits;
    const full = req.envelopes.find(({ to }, i) => !fits(quota, ctx.storage.queueUsage(to), 1, Buffer.byteLength(payloads[i]!)));
    if (full) return fail('QUEUE_FULL', `the queue of ${full.to} is over its quota (${quota.maxCount} deliveries, ${quota.maxBytes} bytes)`);
    // One sender device's share (quotas.ts): a stranger cannot fill the queue and lock friends out.
    const share = req.envelopes.find(({ to }, i) => !fitsShare(quota, ctx.storage.queueUsageFrom(to, sender.id), 1, Buffer.byteLength(payloads[i]!)));
    if (share) return fail('QUEUE_FULL', `the queue of ${share.to} holds this device's share (${quota.maxCountPerSender} deliveries, ${quota.maxBytesPerSender} bytes from one sender device)`);
    return req.envelopes.map(({ to }, i) => {
      const payload = payloads[i]!;
      ctx.relayLog.push({ to, from: sender.id, payload });
      if (dropOffline && !connectionOfDevice(ctx, to)) return null;
      return ctx.storage.enqueue({ recipientDeviceId: to, kind: 'message', senderDeviceId: sender.id, payload });
    });
  });
  if (!Array.isArray(stored)) return stored;
  for (const item of stored) if (item) deliverNew(ctx, item);
  return done({ seqs: stored.map((item) => item?.seq ?? 0) });
}

/** ack: a delivery (`seq`) is deleted from the store and leaves the window; a control push (`push`) stops being outstanding. */
export function ack(ctx: ServerContext, conn: Connection, frame: { seq?: number; push?: number }): void {
  if (frame.push !== undefined) conn.unacked.delete(frame.push);
  if (frame.seq !== undefined && conn.deviceId) {
    ctx.storage.ack(conn.deviceId, frame.seq);
    const wasInWindow = conn.sentSeqs.delete(frame.seq);
    conn.noteAcked(frame.seq);
    // The window moved: the next page of the backlog, if any (context.ts deliverPending).
    if (wasInWindow && !conn.drained) deliverPending(ctx, conn.deviceId);
  }
}
