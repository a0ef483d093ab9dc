/**
 * The statechart's guards, by name: each is one condition of model/events.ts (a refusal, or the
 * case an accepted step falls in). The statechart lists them per event in the normative
 * precedence order, so a guard may assume the earlier ones of its list did not hold. Every guard
 * first checks that the event concerns the region's account (`accountOfEvent`).
 *
 * Serves the refusal rules of PAIR-01..07, LIMIT-01, AUTH-01, AUTH-03, EXP-03, OFF-01.
 */
import { accountOf, isPrimaryId, otherAccount, primaryOf, type AccountId, type CompanionId, type DeviceId, type LinkEvent } from './events.js';
import { dueDeadline, type Deadline } from './deadlines.js';
import { companionOf, deviceOf, isLinked, linkedCompanions, shownRef, type World } from './world.js';

type Rule = (w: World, e: LinkEvent, account: AccountId) => boolean;

const on = <T extends LinkEvent['type']>(type: T, f: (w: World, e: Extract<LinkEvent, { type: T }>, account: AccountId) => boolean): Rule =>
  (w, e, account) => e.type === type && f(w, e as Extract<LinkEvent, { type: T }>, account);

const exists = (w: World, d: DeviceId) => deviceOf(w, d) !== undefined;
const offline = (w: World, d: DeviceId) => deviceOf(w, d)?.online === false;
const limitReached = (w: World, account: AccountId) => linkedCompanions(w, account).length >= w.profile.maxCompanions;
const idCheckFails = (w: World, account: AccountId, outcome: 'pass' | 'fail') => outcome === 'fail' && w.accounts[account].idCheck;

function photoUsed(w: World, device: CompanionId): boolean {
  const qr = companionOf(w, device)!.qr!;
  return qr.outcome === 'cancelled' || (qr.outcome === 'used' && qr.usedRef === 0);
}
function photoExpired(w: World, device: CompanionId): boolean {
  return shownRef(w.profile, companionOf(w, device)!.qr!, w.now) !== 0;
}
/**
 * The code the primary picked: `device`'s own latest code, if `device` is a companion of the
 * judging account (a companion of the other account never has a request there). Null: none.
 */
const pickedCode = (w: World, e: { device: CompanionId }, account: AccountId) =>
  (accountOf(e.device) === account ? companionOf(w, e.device)?.code ?? null : null);

function due(kind: Deadline['kind']): Rule {
  return (w, _e, account) => {
    const d = dueDeadline(w);
    return d !== null && d.kind === kind && d.account === account;
  };
}

export const RULES = {
  // ---- account lifecycle
  register: on('REGISTER', () => true),
  reregister: on('REREGISTER', () => true),
  reregisterWithoutProof: on('REREGISTER', (_w, e) => !e.proof),
  logout: on('LOGOUT', () => true),
  logoutPrimaryOffline: on('LOGOUT', (w, e) => offline(w, primaryOf(e.account))),
  // ---- connectivity
  connectivityUnknownDevice: (w, e) => (e.type === 'GO_OFFLINE' || e.type === 'GO_ONLINE') && !exists(w, e.device),
  connectivityUnchanged: (w, e) => (e.type === 'GO_OFFLINE' || e.type === 'GO_ONLINE') && deviceOf(w, e.device)!.online === (e.type === 'GO_ONLINE'),
  primaryGoesOffline: on('GO_OFFLINE', (w, e) => isPrimaryId(e.device) && !offline(w, e.device)),
  primaryGoesOnline: on('GO_ONLINE', (w, e) => isPrimaryId(e.device) && offline(w, e.device)),
  linkingCompanionGoesOffline: on('GO_OFFLINE', (w, e) => !isPrimaryId(e.device) && deviceOf(w, e.device)!.status === 'linking'),
  linkedCompanionGoesOffline: on('GO_OFFLINE', (w, e) => !isPrimaryId(e.device) && isLinked(w, e.device)),
  linkedCompanionGoesOnline: on('GO_ONLINE', (w, e) => !isPrimaryId(e.device) && isLinked(w, e.device)),
  otherDeviceGoesOffline: on('GO_OFFLINE', () => true),
  otherDeviceGoesOnline: on('GO_ONLINE', () => true),
  // ---- SHOW_QR, REQUEST_CODE, CANCEL_LINKING
  showQrAlreadyLinked: on('SHOW_QR', (w, e) => isLinked(w, e.device)),
  showQrOffline: on('SHOW_QR', (w, e) => offline(w, e.device)),
  showQr: on('SHOW_QR', () => true),
  cancelNotLinking: on('CANCEL_LINKING', (w, e) => companionOf(w, e.device)?.status !== 'linking'),
  cancelLinking: on('CANCEL_LINKING', () => true),
  requestCodeAlreadyLinked: on('REQUEST_CODE', (w, e) => isLinked(w, e.device)),
  requestCodeOffline: on('REQUEST_CODE', (w, e) => offline(w, e.device)),
  requestCode: on('REQUEST_CODE', () => true),
  // ---- SCAN_QR, in precedence order
  scanNoQr: on('SCAN_QR', (w, e) => {
    const c = companionOf(w, e.device);
    return e.source === 'live' ? !(c?.linkingBy === 'qr') : !c?.qr;
  }),
  scanNotRegistered: on('SCAN_QR', () => true),
  scanNotPrimary: on('SCAN_QR', (_w, e) => !isPrimaryId(e.by)),
  scanByOffline: on('SCAN_QR', (w, e) => offline(w, e.by)),
  scanWrongAccount: on('SCAN_QR', (_w, e, account) => accountOf(e.device) !== account),
  scanLimitReached: on('SCAN_QR', (w, _e, account) => limitReached(w, account)),
  scanIdCheckFailed: on('SCAN_QR', (w, e, account) => idCheckFails(w, account, e.idCheck)),
  scanTamperedRef: on('SCAN_QR', (_w, e) => e.tamper === 'ref'),
  scanPhotoUsed: on('SCAN_QR', (w, e) => e.source === 'photo' && photoUsed(w, e.device)),
  scanPhotoExpired: on('SCAN_QR', (w, e) => e.source === 'photo' && photoExpired(w, e.device)),
  scanTamperedKeyOrSecret: on('SCAN_QR', (_w, e) => e.tamper === 'key' || e.tamper === 'secret'),
  scanAccepted: on('SCAN_QR', () => true),
  // ---- ENTER_CODE, in precedence order
  codeNotRegistered: on('ENTER_CODE', () => true),
  codeNotPrimary: on('ENTER_CODE', (_w, e) => !isPrimaryId(e.by)),
  codeByOffline: on('ENTER_CODE', (w, e) => offline(w, e.by)),
  codeLimitReached: on('ENTER_CODE', (w, _e, account) => limitReached(w, account)),
  codeIdCheckFailed: on('ENTER_CODE', (w, e, account) => idCheckFails(w, account, e.idCheck)),
  codeNone: on('ENTER_CODE', (w, e, account) => pickedCode(w, e, account) === null),
  codeExhausted: on('ENTER_CODE', (w, e, account) => pickedCode(w, e, account)!.state === 'exhausted'),
  codeExpired: on('ENTER_CODE', (w, e, account) => pickedCode(w, e, account)!.state === 'expired'),
  codeSpent: on('ENTER_CODE', (w, e, account) => pickedCode(w, e, account)!.state !== 'active'),
  codeWrongLastAttempt: on('ENTER_CODE', (w, e, account) => !e.correct && pickedCode(w, e, account)!.attempts + 1 >= w.profile.pairingCode.maxAttempts),
  codeWrong: on('ENTER_CODE', (_w, e) => !e.correct),
  codeAccepted: on('ENTER_CODE', () => true),
  // ---- UNLINK, in precedence order
  unlinkNotRegistered: on('UNLINK', () => true),
  unlinkByNotLinked: on('UNLINK', (w, e) => !isLinked(w, e.by)),
  unlinkByOffline: on('UNLINK', (w, e) => offline(w, e.by)),
  // A companion unlinks only itself: another device of any account is NOT_PRIMARY, never judged
  // by the target's account (a server cannot tell the account of an id it never saw).
  unlinkOtherAccount: on('UNLINK', (_w, e, account) => isPrimaryId(e.by) && accountOf(e.target) !== account),
  unlinkPrimary: on('UNLINK', (_w, e, account) => e.target === primaryOf(account)),
  unlinkOtherByCompanion: on('UNLINK', (_w, e) => !isPrimaryId(e.by) && e.by !== e.target),
  unlinkTargetNotLinked: on('UNLINK', (w, e) => !isLinked(w, e.target)),
  unlinkAccepted: on('UNLINK', () => true),
  // ---- SEND, in precedence order
  sendUnknownDevice: on('SEND', (w, e) => !exists(w, e.from)),
  sendNotRegistered: on('SEND', () => true),
  sendRecipientNotRegistered: on('SEND', (w, e) => !w.accounts[otherAccount(accountOf(e.from))].registered),
  sendSignedOut: on('SEND', (w, e) => deviceOf(w, e.from)!.status === 'signed-out'),
  sendNotLinked: on('SEND', (w, e) => !isLinked(w, e.from)),
  sendOffline: on('SEND', (w, e) => offline(w, e.from)),
  sendAccepted: on('SEND', () => true),
  // ---- time
  primaryDormancyReached: due('primary-dormant'),
  companionIdleReached: due('companion-idle'),
  codeLifetimeReached: due('code-expired'),
  qrAttemptOver: due('qr-ended'),
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;
