/**
 * Deliberately broken copies of the statechart, one per invariant of invariants.ts: each breaks
 * exactly one rule or effect (a guard off by one, a sign-out that forgets a companion, a version
 * that does not increase...), so that the exhaustive check (explore.ts) must report a violation
 * of that invariant, with a short path. Used by explore.test.ts; they show the check can fail.
 */
import { accountOf, otherAccount, type AccountId, type CompanionId, type DeviceId, type LinkEvent } from '../events.js';
import { EFFECTS } from '../effects.js';
import { createLinkMachine } from '../linkMachine.js';
import { qrAttemptMs } from '../profile.js';
import { ACCOUNTS, companionOf, deviceOf, linkedCompanions, slotOf, type World } from '../world.js';
import * as fx from '../worldEffects.js';

type Overrides = Parameters<typeof createLinkMachine>[0];

/** Change one device of a world that an effect already copied (effects return fresh worlds). */
function edit(w: World, device: DeviceId, change: (d: NonNullable<ReturnType<typeof deviceOf>>) => void): World {
  const copy = fx.draft(w);
  const d = deviceOf(copy, device);
  if (d) change(d);
  return { ...copy, result: w.result };
}

function everyDevice(w: World): DeviceId[] {
  return ACCOUNTS.flatMap((a) => [`${a}.primary` as DeviceId, ...Object.keys(w.accounts[a].companions).map((s) => `${a}.${s}` as DeviceId)])
    .filter((d) => deviceOf(w, d) !== undefined);
}

const field = (e: LinkEvent, key: string) => (e as unknown as Record<string, string>)[key]!;

/**
 * `shortest`: the length of the shortest path that shows the break, in the tests' configuration
 * (limit 1, one message, one time step); breadth first, the check must find exactly that length.
 * `crossAccount`: the break shows only in the cross-account pass's abstraction (explore.ts).
 */
export const BROKEN_COPIES: Record<string, { readonly shortest: number; readonly how: string; readonly overrides: Overrides; readonly crossAccount?: boolean }> = {
  'limit': { shortest: 5, how: 'the QR limit guard is off by one', overrides: { rules: {
    scanLimitReached: (w, e, a) => e.type === 'SCAN_QR' && linkedCompanions(w, a).length > w.profile.maxCompanions,
  } } },
  'dormant-none-linked': { shortest: 5, how: 'the dormancy sign-out forgets one companion', overrides: { effects: {
    primaryDormant: (w) => {
      const after = EFFECTS.primaryDormant(w);
      const forgotten = linkedCompanions(w, 'A')[0];
      return forgotten ? edit(after, forgotten, (d) => Object.assign(d, structuredClone(companionOf(w, forgotten)))) : after;
    },
  } } },
  'unregistered-none-linked': { shortest: 4, how: 'logout forgets to sign out the companions', overrides: { effects: {
    logout: (w, e) => {
      const after = fx.logout(w, field(e, 'account') as AccountId);
      return linkedCompanions(w, field(e, 'account') as AccountId).reduce((x, id) => edit(x, id, (d) => Object.assign(d, structuredClone(companionOf(w, id)))), after);
    },
  } } },
  'signed-out-nothing-queued': { shortest: 7, how: 'unlink keeps what was queued for the device', overrides: { effects: {
    unlink: (w, e) => {
      const target = field(e, 'target') as CompanionId;
      return edit(fx.unlink(w, target), target, (d) => { d.pendingMessages = [...companionOf(w, target)!.pendingMessages]; d.pendingNotices = [...companionOf(w, target)!.pendingNotices]; });
    },
  } } },
  'only-linked-queued': { shortest: 4, how: 'a message is also queued for companions still linking', overrides: { effects: {
    send: (w, e) => Object.entries(w.accounts.A.companions).filter(([, c]) => c!.status === 'linking')
      .reduce((x, [slot]) => edit(x, `A.${slot}` as CompanionId, (d) => d.pendingMessages.push(field(e, 'id'))), fx.send(w, field(e, 'from') as DeviceId, field(e, 'id'))),
  } } },
  'online-nothing-queued': { shortest: 5, how: 'reconnecting does not hand over what was queued', overrides: { effects: {
    goOnline: (w, e) => {
      const device = field(e, 'device') as DeviceId;
      return edit(fx.goOnline(w, device), device, (d) => { d.pendingMessages = [...deviceOf(w, device)!.pendingMessages]; d.pendingNotices = [...deviceOf(w, device)!.pendingNotices]; });
    },
  } } },
  'each-message-once': { shortest: 3, how: 'the sender keeps its own message twice', overrides: { effects: {
    send: (w, e) => edit(fx.send(w, field(e, 'from') as DeviceId, field(e, 'id')), field(e, 'from') as DeviceId, (d) => d.messages.push(field(e, 'id'))),
  } } },
  'no-overdue-deadline': { shortest: 1, how: 'a new QR attempt starts already over (its deadline in the past)', overrides: { effects: {
    showQr: (w, e) => {
      const after = fx.showQr(w, field(e, 'device') as CompanionId);
      const copy = fx.draft(after);
      companionOf(copy, field(e, 'device') as CompanionId)!.qr!.startedAt = w.now - qrAttemptMs(w.profile);
      return copy;
    },
  } } },
  'code-attempts-bounded': { shortest: 7, how: 'a wrong code is counted but the code is never exhausted', overrides: { effects: {
    countWrongCode: (w, e) => {
      const copy = fx.draft(w);
      companionOf(copy, field(e, 'device') as CompanionId)!.code!.attempts += 1;
      return fx.refuse(copy, 'CODE_INVALID');
    },
  } } },
  'code-steps-touch-only-the-picked-companion': { shortest: 3, crossAccount: true, how: "the latest request wins: a code request cancels every other companion's code of the number (issue 10)", overrides: { effects: {
    requestCode: (w, e) => {
      const device = field(e, 'device') as CompanionId;
      const copy = fx.draft(fx.requestCode(w, device));
      for (const slot of Object.keys(copy.accounts[accountOf(device)].companions)) {
        const c = copy.accounts[accountOf(device)].companions[slot as 'c1']!;
        if (`${accountOf(device)}.${slot}` === device || c.code?.state !== 'active') continue;
        c.code.state = 'cancelled';
        if (c.linkingBy === 'code') { c.linkingBy = null; c.status = 'idle'; }
      }
      return copy;
    },
  } } },
  'chart-mirrors-world': { shortest: 1, how: 'REGISTER moves the chart but leaves the account unregistered in the world', overrides: { effects: {
    register: (w, e) => {
      const after = EFFECTS.register(w, e);
      const account = field(e, 'account') as AccountId;
      return { ...after, accounts: { ...after.accounts, [account]: { ...after.accounts[account], registered: false } } };
    },
  } } },
  'version-increases-on-device-change': { shortest: 4, how: 'unlink does not increase the version', overrides: { effects: {
    unlink: (w, e) => {
      const account = accountOf(field(e, 'target') as CompanionId);
      const after = fx.unlink(w, field(e, 'target') as CompanionId);
      return { ...after, accounts: { ...after.accounts, [account]: { ...after.accounts[account], version: w.accounts[account].version } } };
    },
  } } },
  'only-primary-approved-linked': { shortest: 3, how: 'a failed ID check on a QR scan is ignored', overrides: { rules: { scanIdCheckFailed: () => false } } },
  'refusal-changes-nothing': { shortest: 3, how: 'a wrong code also bumps the version', overrides: { effects: {
    countWrongCode: (w, e) => {
      const a = accountOf(field(e, 'device') as CompanionId);
      const after = fx.countWrongCode(w, field(e, 'device') as CompanionId);
      return { ...after, accounts: { ...after.accounts, [a]: { ...after.accounts[a], version: after.accounts[a].version + 1 } } };
    },
  } } },
  'signed-out-receives-nothing': { shortest: 6, how: 'a message is delivered to signed-out devices too', overrides: { effects: {
    send: (w, e) => everyDevice(w).filter((d) => deviceOf(w, d)!.status === 'signed-out')
      .reduce((x, d) => edit(x, d, (s) => s.messages.push(field(e, 'id'))), fx.send(w, field(e, 'from') as DeviceId, field(e, 'id'))),
  } } },
  'messages-append-only': { shortest: 4, how: 'going offline loses the messages held', overrides: { effects: {
    goOffline: (w, e) => edit(fx.goOffline(w, field(e, 'device') as DeviceId), field(e, 'device') as DeviceId, (d) => { d.messages = []; }),
  } } },
  'send-reaches-every-linked-device': { shortest: 4, how: 'a message for an offline device is dropped instead of queued', overrides: { effects: {
    send: (w, e) => everyDevice(w).reduce((x, d) => edit(x, d, (s) => { s.pendingMessages = s.pendingMessages.filter((m) => m !== field(e, 'id')); }), fx.send(w, field(e, 'from') as DeviceId, field(e, 'id'))),
  } } },
  'link-brings-history-and-notices': { shortest: 3, how: 'linking by QR does not tell the other devices', overrides: { effects: {
    linkByQr: (w, e) => {
      const device = field(e, 'device') as CompanionId;
      const after = EFFECTS.linkByQr(w, e);
      return everyDevice(after).reduce((x, d) => edit(x, d, (s) => { s.notices = s.notices.filter((n) => n !== device); s.pendingNotices = s.pendingNotices.filter((n) => n !== device); }), after);
    },
  } } },
  'primary-change-signs-out-companions': { shortest: 4, how: 're-registration keeps the companions linked', overrides: { effects: {
    reregister: (w, e) => {
      const account = field(e, 'account') as AccountId;
      const after = fx.reregister(w, account);
      return linkedCompanions(w, account).reduce((x, id) => edit(x, id, (d) => Object.assign(d, structuredClone(companionOf(w, id)))), after);
    },
  } } },
  'cross-account-step-refused': { shortest: 2, crossAccount: true, how: "a primary unlinking the other account's primary is answered PRIMARY_NOT_UNLINKABLE (the other account's device judged as its own) instead of NOT_LINKED", overrides: { rules: {
    unlinkOtherAccount: () => false,
    unlinkPrimary: (_w: World, e: LinkEvent) => e.type === 'UNLINK' && e.target.endsWith('.primary'),
  } } },
  'reregister-needs-proof': { shortest: 2, how: 'REREGISTER without proof is accepted as with it', overrides: { rules: {
    reregisterWithoutProof: () => false,
  } } },
  'only-own-account-devices': { shortest: 2, how: "showing a QR on one account's companion also starts (or, the second time, signs out) the other account's companion in that slot", overrides: { effects: {
    showQr: (w, e) => {
      const device = field(e, 'device') as CompanionId;
      const mirror = `${otherAccount(accountOf(device))}.${slotOf(device)}` as CompanionId;
      const after = fx.showQr(w, device);
      if (!companionOf(after, mirror)) return { ...fx.showQr(after, mirror), result: after.result };
      return edit(after, mirror, (d) => { d.status = 'signed-out'; });
    },
  } } },
};

export const brokenMachine = (invariant: string) => createLinkMachine(BROKEN_COPIES[invariant]!.overrides);
