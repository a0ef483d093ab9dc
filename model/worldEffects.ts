/**
 * Every change the spec allows to the world, as pure functions: each takes a world and returns a
 * new one (the input is never mutated). The statechart's actions call exactly these, so a
 * transition's effect can be read here in one place. Refusals change nothing except the wrong-code
 * counter of the picked companion's code (PAIR-06), which is `countWrongCode`.
 *
 * Serves PAIR-01..07, LIMIT-02, AUTH-03, OFF-01/02, EXP-01..04, E2E-02/03, HIST-01, LIFE-01/02,
 * NOTE-01 (each function names its own).
 */
import { OK, refused, type ErrorCode } from './errors.js';
import { accountOf, isPrimaryId, otherAccount, type AccountId, type CompanionId, type DeviceId } from './events.js';
import type { SignOutReason } from './observation.js';
import {
  companionOf, deviceOf, freshDevice, linkedCompanions, linkedDevices, slotOf, shownRef,
  type AccountState, type CompanionState, type DeviceState, type World,
} from './world.js';

function cloneDevice<T extends DeviceState>(d: T): T {
  return {
    ...d,
    messages: [...d.messages], notices: [...d.notices],
    pendingMessages: [...d.pendingMessages], pendingNotices: [...d.pendingNotices],
    ...('qr' in d && d.qr ? { qr: { ...(d as unknown as CompanionState).qr! } } : {}),
    ...('code' in d && d.code ? { code: { ...(d as unknown as CompanionState).code! } } : {}),
  };
}

function cloneAccount(a: AccountState): AccountState {
  const companions: AccountState['companions'] = {};
  for (const [slot, c] of Object.entries(a.companions)) companions[slot as keyof typeof companions] = cloneDevice(c!);
  return { ...a, primary: a.primary ? cloneDevice(a.primary) : null, companions };
}

/** A deep copy to change; the profile is shared (it never changes). */
export function draft(world: World): World {
  return { ...world, accounts: { A: cloneAccount(world.accounts.A), B: cloneAccount(world.accounts.B) }, result: OK };
}

export function refuse(world: World, code: ErrorCode): World {
  return { ...world, result: refused(code) };
}

export function accept(world: World): World {
  return { ...world, result: OK };
}

// ---- delivery ---------------------------------------------------------------------------------

/** Online: now; offline: queued for reconnect (OFF-02). */
function deliverMessage(d: DeviceState, id: string): void {
  if (d.online) d.messages.push(id); else d.pendingMessages.push(id);
}

function deliverNotice(d: DeviceState, name: string): void {
  if (d.online) d.notices.push(name); else d.pendingNotices.push(name);
}

function flushQueues(d: DeviceState): void {
  d.messages.push(...d.pendingMessages);
  d.notices.push(...d.pendingNotices);
  d.pendingMessages = [];
  d.pendingNotices = [];
}

// ---- sign-out and slots -----------------------------------------------------------------------

/** Sign-out of a companion: nothing queued is delivered any more (E2E-03), slot freed (LIMIT-02). */
function signOut(d: DeviceState, reason: SignOutReason): void {
  d.status = 'signed-out';
  d.signOutReason = reason;
  d.pendingMessages = [];
  d.pendingNotices = [];
  d.offlineSince = d.online ? null : d.offlineSince;
}

function signOutLinkedCompanions(w: World, account: AccountId, reason: SignOutReason): number {
  const ids = linkedCompanions(w, account);
  for (const id of ids) signOut(companionOf(w, id)!, reason);
  return ids.length;
}

/** Stop whatever linking attempt the companion has: QR refs and its own code count as cancelled. */
function stopLinking(w: World, device: CompanionId): void {
  const c = companionOf(w, device)!;
  if (c.qr && c.qr.outcome === 'showing') c.qr.outcome = 'cancelled';
  if (c.code && c.code.state === 'active') c.code.state = 'cancelled';
  c.linkingBy = null;
  if (c.status === 'linking') c.status = 'idle';
}

/** SHOW_QR and REQUEST_CODE: create the companion, or start it afresh as a new device. */
function startAfresh(w: World, device: CompanionId): CompanionState {
  const account = w.accounts[accountOf(device)];
  const existing = account.companions[slotOf(device)];
  if (existing) stopLinking(w, device);
  // A signed-out or idle companion comes back as a new device (a new identity): no code of the old
  // one is its (an entry for it answers CODE_INVALID, none ever). One still linking is the same
  // device: its code, just cancelled by stopLinking, stays its record. (Walk seed 2082934365: an
  // idle companion's expired code was kept across starting afresh, CODE_EXPIRED predicted where an
  // implementation with the new identity has no code.) An idle companion that does not start again
  // keeps its spent or expired code, which is what an entry for it answers.
  const code = existing && existing.status === 'linking' ? existing.code : null;
  const fresh: CompanionState = { ...freshDevice('linking'), linkingBy: null, qr: existing?.qr ?? null, code };
  account.companions[slotOf(device)] = fresh;
  return fresh;
}

// ---- account lifecycle (LIFE-01, LIFE-02) -----------------------------------------------------

export function register(world: World, account: AccountId, idCheck: boolean): World {
  const w = draft(world);
  const a = w.accounts[account];
  a.registered = true;
  a.idCheck = idCheck;
  a.primary = freshDevice('linked');
  a.dormancyReached = false;
  a.version += 1;
  return w;
}

export function reregister(world: World, account: AccountId): World {
  const w = draft(world);
  const a = w.accounts[account];
  signOutLinkedCompanions(w, account, 'primary-reregistered');
  const p = a.primary!;
  // New phone, new identity key: online, no messages, nothing pending (received notices stay).
  p.online = true;
  p.offlineSince = null;
  p.messages = [];
  p.pendingMessages = [];
  p.pendingNotices = [];
  a.dormancyReached = false;
  a.version += 1;
  return w;
}

export function logout(world: World, account: AccountId): World {
  const w = draft(world);
  const a = w.accounts[account];
  signOutLinkedCompanions(w, account, 'primary-logout');
  signOut(a.primary!, 'primary-logout');
  a.registered = false;
  a.dormancyReached = false;
  a.version += 1;
  return w;
}

// ---- connectivity (OFF-01, OFF-02, EXP-01, EXP-02, EXP-04) -----------------------------------

export function goOffline(world: World, device: DeviceId): World {
  const w = draft(world);
  const d = deviceOf(w, device)!;
  if (!isPrimaryId(device) && d.status === 'linking') stopLinking(w, device);
  d.online = false;
  d.offlineSince = w.now;
  return w;
}

export function goOnline(world: World, device: DeviceId): World {
  const w = draft(world);
  const d = deviceOf(w, device)!;
  d.online = true;
  d.offlineSince = null;
  flushQueues(d);
  if (isPrimaryId(device)) w.accounts[accountOf(device)].dormancyReached = false;
  return w;
}

// ---- linking (PAIR-01..07, HIST-01, NOTE-01, LIFE-02) -----------------------------------------

export function showQr(world: World, device: CompanionId): World {
  const w = draft(world);
  const c = startAfresh(w, device);
  c.linkingBy = 'qr';
  c.qr = { startedAt: w.now, outcome: 'showing', usedRef: null };
  return w;
}

/** The companion's own new code; only its own earlier attempt is cancelled (PAIR-06). */
export function requestCode(world: World, device: CompanionId): World {
  const w = draft(world);
  const c = startAfresh(w, device);
  c.linkingBy = 'code';
  c.code = { issuedAt: w.now, attempts: 0, state: 'active' };
  return w;
}

export function cancelLinking(world: World, device: CompanionId): World {
  const w = draft(world);
  stopLinking(w, device);
  return w;
}

/** The companion joins the device list: history copied, every other device told, version up. */
function link(w: World, device: CompanionId): void {
  const account = accountOf(device);
  const a = w.accounts[account];
  const others = linkedDevices(w, account);
  const c = companionOf(w, device)!;
  c.status = 'linked';
  c.linkingBy = null;
  c.online = true;
  c.offlineSince = null;
  c.messages = [...a.primary!.messages];
  for (const id of others) deliverNotice(deviceOf(w, id)!, device);
  a.version += 1;
}

export function linkByQr(world: World, device: CompanionId, source: 'live' | 'photo'): World {
  const w = draft(world);
  const c = companionOf(w, device)!;
  const qr = c.qr!;
  qr.usedRef = source === 'photo' ? 0 : shownRef(w.profile, qr, w.now);
  qr.outcome = 'used';
  link(w, device);
  return w;
}

export function linkByCode(world: World, device: CompanionId): World {
  const w = draft(world);
  companionOf(w, device)!.code!.state = 'used';
  link(w, device);
  return w;
}

/**
 * A wrong code for the picked companion: refused CODE_INVALID, yet the attempt counts against
 * that companion's code; at the limit the code is spent and the companion stops linking.
 */
export function countWrongCode(world: World, device: CompanionId): World {
  const w = draft(world);
  const code = companionOf(w, device)!.code!;
  code.attempts += 1;
  if (code.attempts >= w.profile.pairingCode.maxAttempts) {
    stopLinking(w, device);
    code.state = 'exhausted';
  }
  return refuse(w, 'CODE_INVALID');
}

// ---- unlinking (AUTH-03, LIMIT-02, E2E-03) ----------------------------------------------------

export function unlink(world: World, target: CompanionId): World {
  const w = draft(world);
  signOut(companionOf(w, target)!, 'unlinked');
  w.accounts[accountOf(target)].version += 1;
  return w;
}

// ---- messaging (E2E-02, OFF-01, OFF-02) -------------------------------------------------------

export function send(world: World, from: DeviceId, id: string): World {
  const w = draft(world);
  const mine = accountOf(from);
  deviceOf(w, from)!.messages.push(id);
  for (const account of [mine, otherAccount(mine)]) {
    for (const target of linkedDevices(w, account)) {
      if (target !== from) deliverMessage(deviceOf(w, target)!, id);
    }
  }
  return w;
}

// ---- time (PAIR-04, PAIR-06, EXP-01, EXP-04) -------------------------------------------------

export function beginAdvance(world: World, ms: number): World {
  return { ...world, advanceTo: world.now + ms, result: OK };
}

export function finishAdvance(world: World): World {
  return { ...world, now: world.advanceTo ?? world.now, advanceTo: null };
}

/** The primary stayed offline for the whole window: every linked companion signed out (EXP-01). */
export function primaryDormant(world: World, account: AccountId, at: number): World {
  const w = draft(world);
  w.now = at;
  const a = w.accounts[account];
  const count = signOutLinkedCompanions(w, account, 'primary-dormant');
  a.dormancyReached = true;
  a.version += count > 0 ? 1 : 0;
  return w;
}

export function companionIdle(world: World, device: CompanionId, at: number): World {
  const w = draft(world);
  w.now = at;
  signOut(companionOf(w, device)!, 'idle');
  w.accounts[accountOf(device)].version += 1;
  return w;
}

export function qrAttemptEnded(world: World, device: CompanionId, at: number): World {
  const w = draft(world);
  w.now = at;
  const c = companionOf(w, device)!;
  c.qr!.outcome = 'ended';
  c.linkingBy = null;
  c.status = 'idle';
  return w;
}

export function codeExpired(world: World, device: CompanionId, at: number): World {
  const w = draft(world);
  w.now = at;
  const holder = companionOf(w, device)!;
  holder.code!.state = 'expired';
  if (holder.linkingBy === 'code') { holder.linkingBy = null; holder.status = 'idle'; }
  return w;
}
