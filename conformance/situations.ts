/**
 * Named situations: combinations of the model's context that statechart coverage cannot see
 * (who is online while a window runs, how long it has run, what is queued, how a slot was freed,
 * what a counter holds across a restart). "15/15 states, 147/147 transitions" was reported by
 * runs that never reached a deadline with a companion offline; this measure says which of these
 * combinations a run actually drove, and the walks' situation moves (situationMoves.ts) aim at
 * each one on purpose. Issue 9 "What the misses have in common", class 1 and 2.
 *
 * A situation is reached by ONE step, judged from the model's observations before and after it
 * plus a small tracker of what the observation leaves out (time in each window, what is queued,
 * how each slot was freed). The tracker follows the model, never the implementation: coverage
 * says what was exercised, not whether it passed.
 */
import {
  ACCOUNTS, accountOf, isPrimaryId, otherAccount, primaryOf,
  type AccountId, type CompanionId, type DeviceId, type LinkEvent,
} from '../model/events.js';
import type { Observation, SignOutReason } from '../model/observation.js';
import type { Profile } from '../model/profile.js';
import type { RequirementId } from '../model/requirements.js';
import type { Capability } from './contract.js';

/** How a companion's slot was freed: the five kinds of sign-out, with unlink split by who did it. */
export type FreedBy = 'unlink' | 'self-unlink' | 'primary-dormant' | 'idle' | 'primary-reregistered' | 'primary-logout';
export const FREED_BY: readonly FreedBy[] = ['unlink', 'self-unlink', 'primary-dormant', 'idle', 'primary-reregistered', 'primary-logout'];

export interface Situation {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly RequirementId[];
  /** Capabilities the steps that reach it need. */
  readonly needs: readonly Capability[];
}

const S = (id: string, title: string, requirements: RequirementId[], needs: Capability[]): Situation => ({ id, title, requirements, needs });

export const SITUATIONS: readonly Situation[] = [
  S('dormancy-deadline-companion-offline', 'dormancy deadline reached while a companion is offline', ['EXP-01'], ['clock', 'offline']),
  S('dormancy-deadline-companion-online', 'dormancy deadline reached while a companion is online', ['EXP-01'], ['clock', 'offline']),
  S('dormancy-just-before-deadline', 'primary dormant for exactly the limit − 1 ms with companions linked', ['EXP-01'], ['clock', 'offline']),
  S('companion-reconnects-in-window', 'a linked companion comes online while its primary is offline', ['EXP-02', 'OFF-01'], ['offline']),
  S('companion-sends-in-window', 'a companion sends while its primary is offline', ['OFF-01', 'EXP-02'], ['offline', 'messaging']),
  S('companion-receives-in-window', 'a companion receives while its primary is offline', ['OFF-01'], ['offline', 'messaging']),
  S('deadline-after-companion-activity', 'dormancy sign-out after companions were active inside the window', ['EXP-02'], ['clock', 'offline']),
  S('window-restarted-then-deadline', 'the primary came back inside a window, left again, and the new window ran out', ['EXP-02'], ['clock', 'offline']),
  S('restart-in-dormancy-window', 'server restart while a primary dormancy window runs', ['EXP-01'], ['restart', 'clock', 'offline']),
  S('restart-in-idle-window', 'server restart while a companion idleness window runs', ['EXP-04'], ['restart', 'clock', 'offline']),
  S('restart-mid-link', 'server restart while a companion is linking, then it links', ['PAIR-02'], ['restart']),
  S('restart-with-backlog', 'server restart while messages are queued for an offline device', ['OFF-02'], ['restart', 'offline', 'messaging']),
  ...FREED_BY.map((k) => S(`slot-reused-after-${k}`, `slots freed by ${k} reused up to the limit`, ['LIMIT-02'], k === 'primary-dormant' || k === 'idle' ? ['clock', 'offline'] : k.startsWith('primary-re') || k === 'primary-logout' ? ['lifecycle'] : [])),
  S('limit-refused-after-reuse', 'one link too many refused after a freed slot was reused', ['LIMIT-01'], []),
  S('signed-out-comes-online', 'a signed-out companion comes back online', ['EXP-03'], ['offline']),
  S('signed-out-tries-to-send', 'a signed-out companion tries to send', ['EXP-03'], ['messaging']),
  S('sent-after-sign-out', 'a message sent to an account after one of its companions was signed out', ['E2E-03'], ['messaging']),
  S('signed-out-with-backlog', 'a companion signed out while messages were queued for it', ['E2E-03'], ['offline', 'messaging']),
  S('long-history', 'a companion links to a primary holding 10 or more messages', ['HIST-01'], ['messaging', 'history']),
  S('history-from-every-device', 'history holds messages from the other account and from a companion of this one', ['HIST-01'], ['messaging', 'history']),
  S('send-link-send', 'send, link, send in one account', ['E2E-02', 'HIST-01'], ['messaging']),
  S('id-check-every-approval', 'a primary with an ID check approves a second time', ['PAIR-05'], ['id-check']),
  S('id-check-fails-after-pass', 'an ID check fails after an earlier one passed', ['PAIR-05'], ['id-check']),
  S('code-attempts-across-request', 'a wrong code entered after a new code was requested over a counted one', ['PAIR-06'], ['pairing-code']),
  S('code-attempts-across-restart', 'a wrong code entered after a restart, on a code with counted attempts', ['PAIR-06'], ['pairing-code', 'restart']),
  S('code-exhausted', 'a pairing code used up by wrong entries', ['PAIR-06'], ['pairing-code']),
  S('code-links-after-rival-request', "a companion's code still links after another companion asked for a code for the same number", ['PAIR-06'], ['pairing-code']),
  S('queued-across-14-days', 'a device offline 14 days or more gets its backlog', ['OFF-02'], ['offline', 'messaging', 'clock']),
  S('companion-backlog-primary-offline', 'a companion gets its backlog while its primary is offline', ['OFF-02', 'OFF-01'], ['offline', 'messaging']),
  S('notice-queued-for-offline-device', 'a companion links while another device of the account is offline', ['NOTE-01'], ['offline', 'notices']),
  S('qr-scanned-after-rotation', 'a live QR scanned after its reference rotated', ['PAIR-04'], ['qr-image', 'clock']),
  S('reregister-with-offline-companion', 'the primary re-registers while a companion is offline', ['LIFE-01'], ['lifecycle', 'offline']),
  S('register-again-after-logout', 'an account registers again after logging out', ['LIFE-01'], ['lifecycle']),
  S('cross-account-scan', 'a primary scans the QR code of another account\'s companion', ['PAIR-07'], ['qr-image']),
  S('cross-account-code', 'a primary enters a code while another account\'s companion holds one', ['PAIR-07', 'PAIR-06'], ['pairing-code']),
  S('cross-account-unlink', 'a device tries to unlink another account\'s device', ['AUTH-03'], []),
];

export function situationsFor(capabilities: ReadonlySet<Capability>): Situation[] {
  return SITUATIONS.filter((s) => s.needs.every((c) => capabilities.has(c)));
}

type Accounts = Observation['accounts'];

const linkedCompanions = (a: Accounts, account: AccountId) =>
  Object.entries(a[account].devices).filter(([id, d]) => !isPrimaryId(id as DeviceId) && d?.status === 'linked').map(([id]) => id as DeviceId);

/**
 * Follows one walk (one fresh world) and names the situations each step reaches. Feed every step
 * with the model's observations before and after it.
 */
export class SituationTracker {
  private now = 0;
  private readonly offlineSince = new Map<DeviceId, number>();
  /** Messages queued per device (model: sent while it was offline and linked). */
  private readonly queued = new Map<DeviceId, number>();
  private readonly freed = new Map<AccountId, Set<FreedBy>>();
  private readonly reused = new Map<AccountId, Set<FreedBy>>();
  private readonly activeInWindow = new Set<AccountId>();
  private readonly returnedInWindow = new Set<AccountId>();
  private readonly sentBy = new Map<AccountId, Set<'primary' | 'companion' | 'other'>>();
  private readonly approvals = new Map<AccountId, { idCheck: boolean; ok: number; passed: boolean }>();
  private readonly sendLinkSend = new Map<AccountId, 0 | 1 | 2>();
  private readonly restartedWhileLinking = new Set<DeviceId>();
  private readonly qrStartedAt = new Map<DeviceId, number>();
  /** Per companion: each holds its own code (PAIR-06). */
  private codeAttempts = new Map<CompanionId, number>();
  private carriedAttempts = new Set<CompanionId>();
  private restartedWithAttempts = new Set<CompanionId>();
  /** The order codes were requested in, per companion: a later request by another companion is a rival. */
  private codeRequests = new Map<CompanionId, number>();
  private requestCount = 0;
  private loggedOut = new Set<AccountId>();

  constructor(private readonly profile: Profile) {}

  step(event: LinkEvent, before: Accounts, after: Observation): string[] {
    const hit: string[] = [];
    const ok = after.result.ok;
    const code = after.result.ok ? undefined : after.result.code;
    const accounts = after.accounts;
    const windowRunning = (a: AccountId, obs: Accounts) => obs[a].registered && obs[a].devices[primaryOf(a)]?.online === false && linkedCompanions(obs, a).length > 0;

    // Sign-outs this step, by kind.
    for (const account of ACCOUNTS) {
      for (const [id, d] of Object.entries(accounts[account].devices) as Array<[DeviceId, NonNullable<Accounts[AccountId]['devices'][DeviceId]>]>) {
        if (isPrimaryId(id) || d.status !== 'signed-out' || before[account].devices[id]?.status !== 'linked') continue;
        const reason = d.signOutReason as SignOutReason;
        const kind: FreedBy = reason === 'unlinked' ? (event.type === 'UNLINK' && event.by === id ? 'self-unlink' : 'unlink') : reason;
        this.set(this.freed, account).add(kind);
        if (reason === 'primary-dormant') {
          hit.push(before[account].devices[id]?.online ? 'dormancy-deadline-companion-online' : 'dormancy-deadline-companion-offline');
          if (this.activeInWindow.has(account)) hit.push('deadline-after-companion-activity');
          if (this.returnedInWindow.has(account)) hit.push('window-restarted-then-deadline');
        }
        if ((this.queued.get(id) ?? 0) > 0) hit.push('signed-out-with-backlog');
        this.queued.delete(id);
        if (reason === 'primary-reregistered' && !before[account].devices[id]?.online) hit.push('reregister-with-offline-companion');
      }
    }

    switch (event.type) {
      case 'REGISTER':
        if (ok && this.loggedOut.has(event.account)) hit.push('register-again-after-logout');
        if (ok) this.approvals.set(event.account, { idCheck: event.idCheck, ok: 0, passed: false });
        break;
      case 'LOGOUT':
        if (ok) this.loggedOut.add(event.account);
        break;
      case 'GO_OFFLINE':
        if (ok && before[accountOf(event.device)].devices[event.device]?.online) this.offlineSince.set(event.device, this.now);
        break;
      case 'GO_ONLINE': {
        const a = accountOf(event.device);
        const was = before[a].devices[event.device];
        if (!ok || !was || was.online) break;
        const gotBacklog = (accounts[a].devices[event.device]?.messages.length ?? 0) > was.messages.length;
        const since = this.offlineSince.get(event.device);
        if (was.status === 'signed-out') hit.push('signed-out-comes-online');
        if (isPrimaryId(event.device)) {
          if (windowRunning(a, before)) this.returnedInWindow.add(a);
        } else if (was.status === 'linked' && windowRunning(a, before)) {
          hit.push('companion-reconnects-in-window');
          this.activeInWindow.add(a);
          if (gotBacklog) hit.push('companion-backlog-primary-offline');
        }
        if (gotBacklog && since !== undefined && this.now - since >= this.profile.primaryDormancyMs) hit.push('queued-across-14-days');
        this.offlineSince.delete(event.device);
        this.queued.delete(event.device);
        break;
      }
      case 'SEND': {
        const from = accountOf(event.from);
        if (code === 'SIGNED_OUT') hit.push('signed-out-tries-to-send');
        if (!ok) break;
        if (!isPrimaryId(event.from) && windowRunning(from, before)) { hit.push('companion-sends-in-window'); this.activeInWindow.add(from); }
        const to = otherAccount(from);
        if (windowRunning(to, before) && linkedCompanions(before, to).some((c) => before[to].devices[c]?.online)) { hit.push('companion-receives-in-window'); this.activeInWindow.add(to); }
        if (Object.values(before[to].devices).some((d) => d?.status === 'signed-out')) hit.push('sent-after-sign-out');
        this.set(this.sentBy, from).add(isPrimaryId(event.from) ? 'primary' : 'companion');
        this.set(this.sentBy, to).add('other');
        for (const account of ACCOUNTS) {
          for (const id of [primaryOf(account), ...linkedCompanions(before, account)]) {
            if (id !== event.from && before[account].devices[id]?.status === 'linked' && before[account].devices[id]?.online === false) this.queued.set(id, (this.queued.get(id) ?? 0) + 1);
          }
        }
        const phase = this.sendLinkSend.get(from) ?? 0;
        if (phase === 2) hit.push('send-link-send');
        if (phase === 0) this.sendLinkSend.set(from, 1);
        break;
      }
      case 'ADVANCE': {
        this.now += event.ms;
        for (const account of ACCOUNTS) {
          const since = this.offlineSince.get(primaryOf(account));
          if (since !== undefined && windowRunning(account, accounts) && this.now - since === this.profile.primaryDormancyMs - 1) hit.push('dormancy-just-before-deadline');
        }
        break;
      }
      case 'RESTART':
        for (const [c, n] of this.codeAttempts) if (n > 0) this.restartedWithAttempts.add(c);
        for (const account of ACCOUNTS) {
          if (windowRunning(account, before)) hit.push('restart-in-dormancy-window');
          if (linkedCompanions(before, account).some((c) => before[account].devices[c]?.online === false)) hit.push('restart-in-idle-window');
          for (const [id, d] of Object.entries(before[account].devices)) if (d?.status === 'linking') this.restartedWhileLinking.add(id as DeviceId);
        }
        if ([...this.queued.values()].some((n) => n > 0)) hit.push('restart-with-backlog');
        break;
      case 'SHOW_QR':
        if (ok) this.qrStartedAt.set(event.device, this.now);
        break;
      case 'REQUEST_CODE': {
        const c = event.device;
        if (ok) {
          if ((this.codeAttempts.get(c) ?? 0) > 0) this.carriedAttempts.add(c);
          this.codeAttempts.set(c, 0);
          this.restartedWithAttempts.delete(c);
          this.codeRequests.set(c, ++this.requestCount);
        }
        break;
      }
      case 'SCAN_QR': case 'ENTER_CODE': {
        const byAccount = accountOf(event.by);
        const cross = byAccount !== accountOf(event.device);
        if (cross) hit.push(event.type === 'SCAN_QR' ? 'cross-account-scan' : 'cross-account-code');
        const approval = this.approvals.get(byAccount);
        const reachedCheck = ok || code === 'ID_CHECK_FAILED' || (code !== undefined && code.startsWith('QR_')) || code === 'CODE_INVALID' || code === 'CODE_EXPIRED' || code === 'ATTEMPTS_EXHAUSTED';
        if (approval?.idCheck && reachedCheck && isPrimaryId(event.by)) {
          if (approval.ok > 0) hit.push('id-check-every-approval');
          if (code === 'ID_CHECK_FAILED' && approval.passed) hit.push('id-check-fails-after-pass');
          if (event.idCheck === 'pass' && code !== 'ID_CHECK_FAILED') approval.passed = true;
          if (ok) approval.ok += 1;
        }
        if (event.type === 'ENTER_CODE' && code === 'CODE_INVALID' && !cross) {
          if (this.carriedAttempts.has(event.device)) hit.push('code-attempts-across-request');
          if (this.restartedWithAttempts.has(event.device)) hit.push('code-attempts-across-restart');
          this.codeAttempts.set(event.device, (this.codeAttempts.get(event.device) ?? 0) + 1);
        }
        if (code === 'ATTEMPTS_EXHAUSTED' || (event.type === 'ENTER_CODE' && !ok && this.codeAttempts.get(event.device) === this.profile.pairingCode.maxAttempts && code === 'CODE_INVALID')) hit.push('code-exhausted');
        if (ok && event.type === 'ENTER_CODE') {
          const mine = this.codeRequests.get(event.device) ?? 0;
          const rival = [...this.codeRequests].some(([other, at]) => other !== event.device && accountOf(other) === byAccount && at > mine);
          if (rival) hit.push('code-links-after-rival-request');
        }
        if (ok) hit.push(...this.linked(event.device, before, after));
        if (ok && event.type === 'SCAN_QR' && event.source === 'live' && this.now - (this.qrStartedAt.get(event.device) ?? this.now) >= this.profile.qr.firstRefMs) hit.push('qr-scanned-after-rotation');
        break;
      }
      case 'UNLINK':
        if (accountOf(event.by) !== accountOf(event.target)) hit.push('cross-account-unlink');
        break;
      default:
        break;
    }
    if (code === 'LIMIT_REACHED') {
      const a = event.type === 'SCAN_QR' || event.type === 'ENTER_CODE' ? accountOf(event.by) : undefined;
      if (a && (this.reused.get(a)?.size ?? 0) > 0) hit.push('limit-refused-after-reuse');
    }
    return [...new Set(hit)];
  }

  /** A companion just linked: history, slot reuse, notices, send-link-send. */
  private linked(device: DeviceId, before: Accounts, after: Observation): string[] {
    const hit: string[] = [];
    const a = accountOf(device);
    const primary = before[a].devices[primaryOf(a)];
    if ((primary?.messages.length ?? 0) >= 10) hit.push('long-history');
    const senders = this.sentBy.get(a);
    if (senders?.has('other') && senders.has('companion')) hit.push('history-from-every-device');
    if ([primaryOf(a), ...linkedCompanions(before, a)].some((d) => before[a].devices[d]?.online === false)) hit.push('notice-queued-for-offline-device');
    if (this.restartedWhileLinking.has(device)) hit.push('restart-mid-link');
    if ((this.sendLinkSend.get(a) ?? 0) >= 1) this.sendLinkSend.set(a, 2);
    if (linkedCompanions(after.accounts, a).length >= this.profile.maxCompanions) {
      for (const kind of this.freed.get(a) ?? []) { hit.push(`slot-reused-after-${kind}`); this.set(this.reused, a).add(kind); }
    }
    return hit;
  }

  private set<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
    let s = map.get(key);
    if (!s) { s = new Set(); map.set(key, s); }
    return s;
  }
}
