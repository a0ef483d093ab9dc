/**
 * Device lists and unlinking (LIFE-02, AUTH-02, AUTH-03, LIMIT-02). The server stores what the
 * primary signed and hands it out verbatim; it never signs. `devices.get` returns the list plus
 * the server's claimed device records (which a malicious server could pad: the client trusts
 * only what the list covers, AUTH-02). A companion's self-unlink is a server-asserted removal;
 * the primary re-signs the same version (`devices.sign`) when it next connects.
 */
import { tryFromBase64 } from '../crypto/keys.js';
import { verifyDeviceList } from '../crypto/linking.js';
import type { Request } from '../protocol/frames.js';
import { tellDevices } from './lyingServer.js';
import {
  assertRemoval, done, fail, linkedDevices, signOutCompanion, signOutDevice, wasSignedOut,
  type Connection, type HandlerResult, type ServerContext,
} from './context.js';

/** The linked device this connection is authenticated as, if any. */
export function authedDevice(ctx: ServerContext, conn: Connection) {
  const device = conn.deviceId ? ctx.storage.getDevice(conn.deviceId) : undefined;
  return device && device.status === 'linked' ? device : undefined;
}

export function getDevices(ctx: ServerContext, conn: Connection, req: Request<'devices.get'>): HandlerResult {
  if (!authedDevice(ctx, conn)) return fail('OUT_OF_ORDER', 'authenticate first');
  const account = ctx.storage.getAccount(req.phone);
  const list = ctx.storage.getDeviceList(req.phone);
  if (!account || !list) return fail('NOT_REGISTERED');
  const devices = linkedDevices(ctx, req.phone).map((d) => ({
    id: d.id, role: d.role, identityKey: d.identityKey, boxKey: d.boxKey, boxKeySignature: d.boxKeySignature,
    name: d.name, platform: d.platform, link: d.link ?? null,
  }));
  // Test control only: a lying server may answer otherwise (lyingServer.ts, capability 'lying-server').
  return done(tellDevices(ctx, req.phone, { registered: account.registered, primaryIdentityKey: account.primaryIdentityKey, list, devices }));
}

function checkSigned(ctx: ServerContext, phone: string, list: Request<'devices.sign'>['list']): HandlerResult | null {
  const account = ctx.storage.getAccount(phone)!;
  const sig = tryFromBase64(list.signature);
  const key = tryFromBase64(account.primaryIdentityKey ?? '');
  if (!sig || !key || !verifyDeviceList(key, { account: phone, version: list.version, devices: list.devices }, sig)) {
    return fail('BAD_SIGNATURE', 'device list signature');
  }
  return null;
}

const sameIds = (a: readonly { id: string }[], b: readonly { id: string }[]) =>
  a.length === b.length && a.every((d) => b.some((e) => e.id === d.id));

/** devices.sign: the primary signs the server-asserted list of the same version (removals only). */
export function signList(ctx: ServerContext, conn: Connection, req: Request<'devices.sign'>): HandlerResult {
  const device = authedDevice(ctx, conn);
  if (!device) return fail('OUT_OF_ORDER', 'authenticate first');
  if (device.role !== 'primary') return fail('NOT_PRIMARY');
  const current = ctx.storage.getDeviceList(device.phone)!;
  if (current.signature !== null || req.list.version !== current.version) return fail('STALE_DEVICE_LIST', 'only the current unsigned version can be signed');
  if (!sameIds(req.list.devices, current.devices)) return fail('BAD_FRAME', 'the list must be the current devices');
  const bad = checkSigned(ctx, device.phone, req.list);
  if (bad) return bad;
  const signed = { version: req.list.version, devices: req.list.devices, signature: req.list.signature };
  ctx.storage.putDeviceList({ ...current, ...signed, lastSigned: signed });
  return done();
}

/**
 * unlink (AUTH-03): PRIMARY_NOT_UNLINKABLE, NOT_PRIMARY (a companion unlinking another),
 * NOT_LINKED (target). The primary sends the new list (version + 1, without the target) signed;
 * a companion unlinking itself needs no list (server-asserted removal).
 */
export function unlink(ctx: ServerContext, conn: Connection, req: Request<'unlink'>): HandlerResult {
  const by = authedDevice(ctx, conn);
  if (!by) return wasSignedOut(ctx, conn) ? fail('NOT_LINKED', 'this device was signed out') : fail('OUT_OF_ORDER', 'authenticate first');
  const account = ctx.storage.getAccount(by.phone)!;
  // For the primary, a device of another account (its primary too) is not linked here: NOT_LINKED
  // before anything else about the target. A companion unlinks only itself: any other target is
  // NOT_PRIMARY, whoever's it is (model/events.ts UNLINK, AUTH-03).
  const target = ctx.storage.getDevice(req.target);
  // Fault 'unlink-any-account': the primary's unlink checks the target exists, not whose it is (AUTH-03).
  const anyAccount = ctx.faults.has('unlink-any-account') && by.role === 'primary' && target?.role === 'companion';
  if (by.role === 'primary' && target && target.phone !== by.phone && !anyAccount) return fail('NOT_LINKED', 'the target is not a device of this account');
  if (req.target === account.primaryDeviceId) return fail('PRIMARY_NOT_UNLINKABLE');
  if (by.role !== 'primary' && req.target !== by.id) return fail('NOT_PRIMARY');
  if (!target || target.status !== 'linked') return fail('NOT_LINKED');
  if (by.role === 'companion') {
    // Under the account's lock, re-read: on a cluster another node may have signed it out meanwhile.
    // Race fault 'unlink-unlocked': no lock, no re-read; the check above decides (AUTH-03, LIFE-02).
    const unlocked = ctx.faults.has('unlink-unlocked');
    return ctx.storage.transaction(() => {
      if (!unlocked) ctx.storage.lockAccount?.(by.phone);
      const now = unlocked ? target : ctx.storage.getDevice(target.id);
      if (now?.status !== 'linked') return fail('NOT_LINKED');
      signOutCompanion(ctx, now, 'unlinked');
      return done();
    });
  }
  if (!req.list) return fail('BAD_FRAME', 'the primary sends the new signed list');
  const current = ctx.storage.getDeviceList(by.phone)!;
  if (req.list.version !== current.version + 1) {
    // On a cluster the target may have been signed out on another node since it was read above
    // (its own unlink steps the version): then it is NOT_LINKED, as the model answers, not a stale list.
    if (ctx.storage.getDevice(target.id)?.status !== 'linked') return fail('NOT_LINKED');
    return fail('STALE_DEVICE_LIST', `version must be ${current.version + 1}`);
  }
  if (!sameIds(req.list.devices, current.devices.filter((d) => d.id !== target.id))) return fail('BAD_FRAME', 'the list must be the current devices without the target');
  const bad = checkSigned(ctx, by.phone, req.list);
  if (bad) return bad;
  // The removal, its queue drop and the new list in one transaction holding the account's lock,
  // re-checked there: on a cluster a send or another change may run on another node (E2E-03, LIFE-02).
  const unlocked = ctx.faults.has('unlink-unlocked');
  return ctx.storage.transaction(() => {
    if (!unlocked) {
      ctx.storage.lockAccount?.(by.phone);
      if (ctx.storage.getDevice(target.id)?.status !== 'linked') return fail('NOT_LINKED');
      if (ctx.storage.getDeviceList(by.phone)?.version !== current.version) return fail('STALE_DEVICE_LIST', 'the device list changed meanwhile');
    }
    signOutDevice(ctx, target.id, 'unlinked');
    if (target.phone !== by.phone) assertRemoval(ctx, target.phone, [target.id]);
    const signed = { version: req.list!.version, devices: req.list!.devices, signature: req.list!.signature };
    ctx.storage.putDeviceList({ ...current, ...signed, lastSigned: signed });
    return done();
  });
}
