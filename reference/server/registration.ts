/**
 * Accounts and device sessions: registration by phone number, only with proof of owning it
 * (LIFE-03, verification.ts: an out-of-band code or the current primary's transfer signature),
 * re-registration and logout (LIFE-01), authentication by a
 * signature over the connection's fresh nonce (AUTH-01: no bearer secret ever crosses the wire),
 * and the online/offline bookkeeping that dormancy and idleness are measured from (EXP-01,
 * EXP-02, EXP-04).
 */
import { tryFromBase64, verify } from '../crypto/keys.js';
import { verifyDeviceList } from '../crypto/linking.js';
import { AUTH_PREFIX, boxKeyBytes, challengeBytes, CLOSE, transferBytes } from '../protocol/constants.js';
import type { Request } from '../protocol/frames.js';
import {
  assertRemoval, connectionOfDevice, deliverPending, done, fail, linkedDevices, signOutDevice,
  type Connection, type HandlerResult, type ServerContext,
} from './context.js';
import { cancelLinkingOf } from './linking.js';
import { authedDevice } from './deviceLists.js';

/**
 * account.info: whether a number is registered, and its list version. Authenticated devices only
 * (issue 10: nobody enumerates numbers without authenticating), rate-limited (limits.ts lookups).
 */
export function accountInfo(ctx: ServerContext, conn: Connection, req: Request<'account.info'>): HandlerResult {
  if (!authedDevice(ctx, conn)) return fail('OUT_OF_ORDER', 'authenticate first');
  const account = ctx.storage.getAccount(req.phone);
  return done({ registered: account?.registered ?? false, version: ctx.storage.getDeviceList(req.phone)?.version ?? 0 });
}

/** True when `signature` (base64) verifies over `message` under the base64 public key. */
export function verifyB64(message: Uint8Array, signature: string, publicKey: string): boolean {
  const sig = tryFromBase64(signature);
  const key = tryFromBase64(publicKey);
  return sig !== null && key !== null && verify(message, sig, key);
}

/**
 *   primary                         server
 *     | verify.request, verify.confirm {phone, code}   (verification.ts, LIFE-03)
 *     |------------------------------>|  this connection holds proof; registered? version v
 *     | register {keys, list v+1 [me], replace} |
 *     |------------------------------>|  checks, stores, authenticates the connection
 *     |<------------------------------|  result {deviceId}
 * Order: ALREADY_REGISTERED / NOT_REGISTERED (model/events.ts precedence), then
 * NUMBER_NOT_VERIFIED (no proof: nothing changes, LIFE-03), then the keys and the list.
 */
export function register(ctx: ServerContext, conn: Connection, req: Request<'register'>): HandlerResult {
  const { storage } = ctx;
  const account = storage.getAccount(req.phone);
  if (!req.replace && account?.registered) return fail('ALREADY_REGISTERED');
  if (req.replace && !account?.registered) return fail('NOT_REGISTERED');
  const identity = tryFromBase64(req.identityKey);
  if (!hasProof(ctx, conn, req, identity)) {
    return fail('NUMBER_NOT_VERIFIED', "prove the number first: verify.request and verify.confirm, or the current primary's transfer signature");
  }
  const box = tryFromBase64(req.boxKey);
  if (!identity || identity.length !== 32 || !box || box.length !== 32) return fail('BAD_FRAME', 'keys must be 32 bytes');
  if (!verifyB64(boxKeyBytes(box), req.boxKeySignature, req.identityKey)) return fail('BAD_SIGNATURE', 'box key signature');
  if (storage.getDevice(req.identityKey)) return fail('BAD_FRAME', 'identity key already in use');
  const current = storage.getDeviceList(req.phone);
  if (req.list.version !== (current?.version ?? 0) + 1) return fail('STALE_DEVICE_LIST', `version must be ${(current?.version ?? 0) + 1}`);
  if (req.list.devices.length !== 1 || req.list.devices[0].id !== req.identityKey || req.list.devices[0].identityKey !== req.identityKey) {
    return fail('BAD_FRAME', 'the first list of a primary holds exactly the primary');
  }
  const sig = tryFromBase64(req.list.signature);
  const content = { account: req.phone, version: req.list.version, devices: req.list.devices };
  if (!sig || !verifyDeviceList(identity, content, sig)) return fail('BAD_SIGNATURE', 'device list signature');

  storage.transaction(() => {
    storage.lockAccount?.(req.phone);
    if (req.replace && account) {
      // LIFE-01: a new phone invalidates every companion and the old primary.
      // Fault 'reregister-keeps-companions': only the old primary is signed out (LIFE-01).
      const keep = ctx.faults.has('reregister-keeps-companions');
      for (const d of linkedDevices(ctx, req.phone)) if (!keep || d.role === 'primary') signOutDevice(ctx, d.id, 'primary-reregistered');
    }
    storage.putDevice({
      id: req.identityKey, phone: req.phone, role: 'primary', identityKey: req.identityKey, boxKey: req.boxKey,
      boxKeySignature: req.boxKeySignature, name: req.name, platform: req.platform, status: 'linked',
      linkedAt: ctx.clock.now(), offlineSince: null, injected: false,
    });
    storage.putAccount({
      phone: req.phone, registered: true, primaryDeviceId: req.identityKey, primaryIdentityKey: req.identityKey,
      registrations: (account?.registrations ?? 0) + 1,
    });
    const signed = { version: req.list.version, devices: req.list.devices, signature: req.list.signature };
    storage.putDeviceList({ phone: req.phone, ...signed, lastSigned: signed });
  });
  ctx.verifications.spend(conn);
  authenticate(ctx, conn, req.identityKey, req.phone);
  return done({ deviceId: req.identityKey });
}

/**
 * LIFE-03: this connection confirmed a verification code for the number, or the request carries
 * the current primary's transfer signature over the new identity key (a registered number only).
 */
function hasProof(ctx: ServerContext, conn: Connection, req: Request<'register'>, identity: Uint8Array | null): boolean {
  if (ctx.verifications.holds(conn, req.phone)) return true;
  if (!req.proof || !identity) return false;
  const account = ctx.storage.getAccount(req.phone);
  if (!account?.registered || !account.primaryIdentityKey) return false;
  return verifyB64(transferBytes(req.phone, identity), req.proof.transfer, account.primaryIdentityKey);
}

/** auth {deviceId, signature over AUTH_PREFIX || nonce}. */
export function auth(ctx: ServerContext, conn: Connection, req: Request<'auth'>): HandlerResult {
  const device = ctx.storage.getDevice(req.deviceId);
  if (!device || device.injected) return fail('AUTH_FAILED', 'unknown device');
  if (!verifyB64(challengeBytes(AUTH_PREFIX, conn.nonce), req.signature, device.identityKey)) return fail('AUTH_FAILED', 'challenge signature');
  // Fault 'dormant-companion-revives': dormancy treated as a suspension, lifted once the primary is back (EXP-03).
  const revive = device.status === 'signed-out' && device.signOutReason === 'primary-dormant' && ctx.faults.has('dormant-companion-revives') && !primaryOffline(ctx, device.phone);
  if (revive) ctx.storage.putDevice({ ...device, status: 'linked', signOutReason: undefined, offlineSince: null });
  else if (device.status === 'signed-out') return fail('SIGNED_OUT', device.signOutReason);
  authenticate(ctx, conn, device.id, device.phone);
  return done({ deviceId: device.id, phone: device.phone, role: device.role });
}

/** The connection now speaks for `deviceId`: it is online, and gets what was queued (OFF-02, EXP-02). */
export function authenticate(ctx: ServerContext, conn: Connection, deviceId: string, phone: string): void {
  const previous = connectionOfDevice(ctx, deviceId);
  if (previous && previous !== conn) {
    previous.deviceId = undefined;
    previous.ws.close(CLOSE.NORMAL, 'authenticated on another connection');
  }
  // The device this connection spoke for until now leaves the network here (EXP-01/04: its
  // offline window starts), exactly as if its socket had closed.
  if (conn.deviceId && conn.deviceId !== deviceId) stampOffline(ctx, conn.deviceId);
  conn.deviceId = deviceId;
  conn.signedOutDevice = undefined;
  conn.phone = phone;
  conn.companionId = undefined;
  conn.offlineRecorded = false;
  const device = ctx.storage.getDevice(deviceId);
  // Fault 'companion-reconnect-restarts-window': any device of the account counts as activity (EXP-01).
  if (device?.role === 'companion' && ctx.faults.has('companion-reconnect-restarts-window')) restartPrimaryWindow(ctx, phone);
  // Fault 'primary-activity-ignored': the primary's offline stamp is never cleared (EXP-02).
  const keepStamp = ctx.faults.has('primary-activity-ignored') && device?.role === 'primary';
  if (device && device.offlineSince !== null && !keepStamp) {
    // Under the account's lock, re-read: on a cluster the dormancy deadline may be processed on
    // another node at this moment (EXP-01/02 serialise per account).
    ctx.storage.transaction(() => {
      ctx.storage.lockAccount?.(phone);
      const now = ctx.storage.getDevice(deviceId);
      if (now && now.offlineSince !== null) ctx.storage.putDevice({ ...now, offlineSince: null });
    });
  }
  // Fault 'backlog-dropped-without-primary': with the primary away the backlog is taken for stale and cleared (OFF-02).
  if (device?.role === 'companion' && ctx.faults.has('backlog-dropped-without-primary') && primaryOffline(ctx, phone)) ctx.storage.dropQueue(deviceId);
  deliverPending(ctx, deviceId);
  // Fault 'offline-duplicate': the backlog is flushed, then sent again as if never sent (OFF-02).
  if (ctx.faults.has('offline-duplicate')) { conn.resetDelivery(); deliverPending(ctx, deviceId); }
}

function primaryOffline(ctx: ServerContext, phone: string): boolean {
  const id = ctx.storage.getAccount(phone)?.primaryDeviceId;
  return !id || !connectionOfDevice(ctx, id);
}

/** Faults 'companion-*-restarts-window': the primary's dormancy window starts again now (a bug: EXP-01). */
export function restartPrimaryWindow(ctx: ServerContext, phone: string): void {
  const id = ctx.storage.getAccount(phone)?.primaryDeviceId;
  const primary = id ? ctx.storage.getDevice(id) : undefined;
  if (primary && primary.offlineSince !== null) ctx.storage.putDevice({ ...primary, offlineSince: ctx.clock.now() });
}

/** LOGOUT (LIFE-01): every device of the account signed out, the account unregistered, version + 1. */
export function logout(ctx: ServerContext, conn: Connection): HandlerResult {
  const device = conn.deviceId ? ctx.storage.getDevice(conn.deviceId) : undefined;
  if (!device) return fail('OUT_OF_ORDER', 'authenticate first');
  if (device.role !== 'primary') return fail('NOT_PRIMARY');
  const account = ctx.storage.getAccount(device.phone);
  if (!account?.registered) return fail('NOT_REGISTERED');
  ctx.storage.transaction(() => {
    ctx.storage.lockAccount?.(device.phone);
    const all = linkedDevices(ctx, device.phone);
    for (const d of all) if (d.id !== device.id) signOutDevice(ctx, d.id, 'primary-logout');
    signOutDevice(ctx, device.id, 'primary-logout');
    assertRemoval(ctx, device.phone, all.map((d) => d.id));
    ctx.storage.putAccount({ ...account, registered: false });
  });
  return done();
}

/**
 * The device is gone from the network (orderly `disconnect` or the socket closing): a linked
 * device's offline window starts (EXP-01 primary, EXP-04 companion); a linking companion's QR
 * attempt and pairing code are cancelled (PAIR-03). Recorded once per connection.
 */
export function recordOffline(ctx: ServerContext, conn: Connection): void {
  if (conn.offlineRecorded) return;
  conn.offlineRecorded = true;
  if (conn.deviceId) stampOffline(ctx, conn.deviceId);
  if (conn.companionId) cancelLinkingOf(ctx, conn.companionId, undefined);
  conn.deviceId = undefined;
  conn.companionId = undefined;
  conn.sentSeqs.clear();
  conn.unacked.clear();
}

/** A linked device's offline window starts now (EXP-01 primary, EXP-04 companion). */
function stampOffline(ctx: ServerContext, deviceId: string): void {
  const device = ctx.storage.getDevice(deviceId);
  const stamped = ctx.faults.has('primary-activity-ignored') && device?.offlineSince != null;
  if (device && device.status === 'linked' && !stamped) {
    // Under the account's lock (a cluster's shared store): re-read, stamp only a still-linked device.
    ctx.storage.transaction(() => {
      ctx.storage.lockAccount?.(device.phone);
      const now = ctx.storage.getDevice(device.id);
      if (now && now.status === 'linked') ctx.storage.putDevice({ ...now, offlineSince: ctx.clock.now() });
    });
  }
}

export function disconnect(ctx: ServerContext, conn: Connection): HandlerResult {
  recordOffline(ctx, conn);
  return done();
}
