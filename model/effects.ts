/**
 * The statechart's actions, by name: each binds an event's fields to one pure change of
 * worldEffects.ts. A transition's `effect` names one of these; the time effects read the
 * deadline being processed (deadlines.ts) rather than the event.
 */
import type { AccountId, CompanionId, LinkEvent } from './events.js';
import { dueDeadline } from './deadlines.js';
import * as fx from './worldEffects.js';
import type { World } from './world.js';

export type Effect = (w: World, e: LinkEvent, account: AccountId | null) => World;

function field<K extends string>(e: LinkEvent, key: K): string {
  return (e as unknown as Record<K, string>)[key];
}

function dueOf(w: World) {
  const d = dueDeadline(w);
  if (!d) throw new Error('model bug: a time transition fired with no deadline due');
  return d;
}

export const EFFECTS = {
  accept: (w) => fx.accept(w),
  register: (w, e) => fx.register(w, field(e, 'account') as AccountId, (e as Extract<LinkEvent, { type: 'REGISTER' }>).idCheck),
  reregister: (w, e) => fx.reregister(w, field(e, 'account') as AccountId),
  logout: (w, e) => fx.logout(w, field(e, 'account') as AccountId),
  goOffline: (w, e) => fx.goOffline(w, field(e, 'device') as CompanionId),
  goOnline: (w, e) => fx.goOnline(w, field(e, 'device') as CompanionId),
  showQr: (w, e) => fx.showQr(w, field(e, 'device') as CompanionId),
  requestCode: (w, e) => fx.requestCode(w, field(e, 'device') as CompanionId),
  cancelLinking: (w, e) => fx.cancelLinking(w, field(e, 'device') as CompanionId),
  linkByQr: (w, e) => fx.linkByQr(w, field(e, 'device') as CompanionId, (e as Extract<LinkEvent, { type: 'SCAN_QR' }>).source),
  linkByCode: (w, e) => fx.linkByCode(w, field(e, 'device') as CompanionId),
  countWrongCode: (w, e) => fx.countWrongCode(w, field(e, 'device') as CompanionId),
  unlink: (w, e) => fx.unlink(w, field(e, 'target') as CompanionId),
  send: (w, e) => fx.send(w, field(e, 'from') as CompanionId, field(e, 'id')),
  beginAdvance: (w, e) => fx.beginAdvance(w, (e as Extract<LinkEvent, { type: 'ADVANCE' }>).ms),
  finishAdvance: (w) => fx.finishAdvance(w),
  primaryDormant: (w) => { const d = dueOf(w); return fx.primaryDormant(w, d.account, d.at); },
  companionIdle: (w) => { const d = dueOf(w); return fx.companionIdle(w, (d as { device: CompanionId }).device, d.at); },
  codeExpired: (w) => { const d = dueOf(w); return fx.codeExpired(w, (d as { device: CompanionId }).device, d.at); },
  qrAttemptEnded: (w) => { const d = dueOf(w); return fx.qrAttemptEnded(w, (d as { device: CompanionId }).device, d.at); },
} satisfies Record<string, Effect>;

export type EffectName = keyof typeof EFFECTS;
