/**
 * A tiny in-memory implementation of the linking semantics of model/events.ts: the worked
 * example of ADAPTERS.md. No crypto, no sockets, no storage - a "server" that is a few maps, a
 * clock that is a number. It shows what a team's adapter has to get right (refusal order, QR
 * rotation, pairing-code attempts, deadlines, delivery on reconnect) without any of the
 * cryptography a real implementation needs, so it says nothing about E2E-01 or AUTH-02: what it
 * "relays" is a toy-sealed envelope and an "injected" device simply never gets a message - stand-ins
 * that give the harness's own server checks a subject, no more (see inMemoryAdapter.ts).
 *
 * `bugs` (inMemoryBugs.ts, all off by default) switches in deliberate deviations so the harness's
 * tests have known-bad implementations to catch; each is marked `bugs.` where it acts.
 *
 * Written from events.ts by hand, not from the statechart: the harness compares it with the
 * model like any other implementation. Serves PAIR-01..07, LIMIT-*, AUTH-01/03, OFF-*, EXP-*,
 * E2E-02/03, HIST-01, LIFE-01, LIFE-03 (its state half), NOTE-01 at the level of observable state,
 * and the cross-account steps of events.ts.
 */
import { OK, refused, type OpResult } from '../../model/errors.js';
import {
  ACCOUNTS, accountOf, isPrimaryId, otherAccount, primaryOf,
  type AccountId, type CompanionId, type DeviceId, type IdCheckOutcome,
} from '../../model/events.js';
import type { AccountView, DeviceStatus, DeviceView, Observation, SignOutReason } from '../../model/observation.js';
import { qrAttemptMs, qrRefWindow, type Profile } from '../../model/profile.js';
import type { DeviceInfo, Outcome } from '../../conformance/contract.js';
import type { Bugs } from './inMemoryBugs.js';

type Delivery = { readonly kind: 'message' | 'notice'; readonly value: string };

interface QrAttempt {
  readonly startedAt: number;
  readonly refs: readonly string[];
  /** The companion's key and this attempt's linking secret, as the QR carries them. */
  readonly key: string;
  readonly secret: string;
  state: 'active' | 'used' | 'cancelled' | 'ended';
}

interface Device {
  readonly id: DeviceId;
  status: DeviceStatus;
  reason?: SignOutReason;
  online: boolean;
  /** When it last went offline (dormancy / idleness windows start here). */
  offlineSince?: number;
  messages: string[];
  notices: string[];
  /** Waiting for the device to come online, in order (OFF-02). */
  queue: Delivery[];
  info?: DeviceInfo;
  qr?: QrAttempt;
  /** Accounts whose primary key this device saw change, one entry per change (LIFE-03). */
  keyChanges: AccountId[];
}

/** A companion's own pairing-code request (PAIR-06): each linking companion holds its own. */
interface PairingCode {
  readonly value: string;
  readonly holder: CompanionId;
  readonly issuedAt: number;
  attempts: number;
  state: 'active' | 'used' | 'cancelled' | 'exhausted' | 'expired';
}

interface Account {
  registered: boolean;
  idCheck: boolean;
  version: number;
  /** The primary's dormancy sign-out already happened for its current offline spell. */
  dormancyDone: boolean;
  /** The latest code request of each companion of the account, whatever its state. */
  readonly codes: Map<CompanionId, PairingCode>;
  readonly devices: Map<DeviceId, Device>;
}

export class InMemoryWorld {
  private now = 0;
  private counter = 0;
  private readonly accounts = Object.fromEntries(ACCOUNTS.map((a): [AccountId, Account] =>
    [a, { registered: false, idCheck: false, version: 0, dormancyDone: false, codes: new Map(), devices: new Map() }])) as Record<AccountId, Account>;
  /** Every QR reference ever issued, to the companion and attempt that issued it. */
  private readonly refs = new Map<string, { device: CompanionId; attempt: QrAttempt; index: number }>();
  /** Which companion a QR identity key belongs to: a QR whose reference was altered still names it. */
  private readonly keys = new Map<string, CompanionId>();
  /** What the server relayed, as an operator would see it (capability 'traffic-inspection'). */
  private readonly relayed: string[] = [];
  /** Devices the server injected (`account/name`), with how many messages each could decrypt. */
  private readonly injected = new Map<string, number>();
  /** What the stand-in server received, as frames without secrets (capability 'server-traffic', PAIR-08). */
  private readonly received: string[] = [];
  /** Every delivery so far: only `bugs.duplicatesAfterRestart` replays it. */
  private readonly delivered: Array<{ readonly device: Device; readonly id: string }> = [];

  constructor(private readonly profile: Profile, private readonly bugs: Bugs = {}) {}

  register(account: AccountId, idCheck: boolean): OpResult {
    const acc = this.accounts[account];
    if (acc.registered) return refused('ALREADY_REGISTERED');
    Object.assign(acc, { registered: true, idCheck, dormancyDone: false });
    acc.devices.set(primaryOf(account), this.freshDevice(primaryOf(account), 'linked'));
    acc.version++;
    return OK;
  }

  /** LIFE-01, LIFE-03: without proof of owning the number, nothing changes. */
  reregister(account: AccountId, proof: boolean): OpResult {
    const acc = this.accounts[account];
    if (!acc.registered) return refused('NOT_REGISTERED');
    if (!proof) return refused('NUMBER_NOT_VERIFIED');
    this.signOutCompanions(account, 'primary-reregistered');
    // A new phone: online, no messages, nothing pending; the notices it was shown stay.
    Object.assign(this.device(primaryOf(account))!, { online: true, offlineSince: undefined, messages: [], queue: [] });
    if (this.bugs.forgetsNoticesOnReregister) this.device(primaryOf(account))!.notices = [];
    acc.dormancyDone = false;
    acc.version++;
    // LIFE-03: the other account's devices (its contacts) are told the primary key changed.
    for (const contact of this.accounts[otherAccount(account)].devices.values()) {
      if (contact.status === 'linked') contact.keyChanges.push(account);
    }
    return OK;
  }

  /** What `device` was told of changed primary keys (LIFE-03), oldest first. */
  keyChangeNotices(id: DeviceId): AccountId[] {
    return [...(this.device(id)?.keyChanges ?? [])];
  }

  logout(account: AccountId): OpResult {
    const acc = this.accounts[account];
    if (!acc.registered) return refused('NOT_REGISTERED');
    const primary = this.device(primaryOf(account))!;
    if (!primary.online) return refused('DEVICE_OFFLINE');
    this.signOutCompanions(account, 'primary-logout');
    this.signOut(primary, 'primary-logout');
    acc.registered = false;
    acc.version++;
    return OK;
  }

  setOnline(id: DeviceId, online: boolean): OpResult {
    const device = this.device(id);
    if (device === undefined) return refused('UNKNOWN_DEVICE');
    if (device.online === online) return OK;
    device.online = online;
    if (!online) {
      device.offlineSince = this.now;
      if (device.status === 'linking') this.stopLinking(device as Device & { id: CompanionId });
    } else {
      device.offlineSince = undefined;
      if (isPrimaryId(id)) this.accounts[accountOf(id)].dormancyDone = false;
      for (const item of device.queue.splice(0)) (item.kind === 'message' ? device.messages : device.notices).push(item.value);
    }
    return OK;
  }

  startQr(id: CompanionId, info: DeviceInfo): OpResult {
    const existing = this.device(id);
    if (existing?.status === 'linked') return refused('ALREADY_LINKED');
    if (existing !== undefined && !existing.online) return refused('DEVICE_OFFLINE');
    const device = this.companionAfresh(id, info);
    const n = ++this.counter;
    const attempt: QrAttempt = {
      startedAt: this.now, state: 'active',
      refs: Array.from({ length: this.profile.qr.refCount }, (_, i) => `ref-${n}-${i}`),
      key: b64(`identity:${id}:${n}`), secret: b64(`secret:${n}`),
    };
    attempt.refs.forEach((ref, index) => this.refs.set(ref, { device: id, attempt, index }));
    this.keys.set(attempt.key, id);
    device.qr = attempt;
    device.status = 'linking';
    return OK;
  }

  /** The QR text the companion shows now: `ref,noise-pub,identity-pub,adv-secret,platform`. */
  qrText(id: CompanionId): Outcome<string> {
    const device = this.device(id);
    const attempt = device?.qr;
    if (device?.status !== 'linking' || attempt?.state !== 'active') return { ok: false, code: 'NO_QR' };
    const index = this.shownIndex(attempt);
    return { ok: true, value: [attempt.refs[index], b64(`noise:${id}`), attempt.key, attempt.secret, device.info?.platform ?? 'web'].join(',') };
  }

  scanQr(by: DeviceId, text: string, idCheck: IdCheckOutcome): OpResult {
    const who = this.approverIdentity(by);
    if (!who.ok) return who;
    const [ref = '', , key, secret] = text.split(',');
    // PAIR-07: a companion links only to its own account. Which companion a QR is from: its
    // reference, or (the reference altered) its identity key.
    const shownBy = this.refs.get(ref)?.device ?? this.keys.get(key ?? '');
    if (shownBy !== undefined && accountOf(shownBy) !== accountOf(by)) return refused('WRONG_ACCOUNT');
    const gate = this.approverGate(by, idCheck);
    if (!gate.ok) return gate;
    const found = this.refs.get(ref);
    if (found === undefined) return refused('QR_INVALID');
    const { attempt } = found;
    if (this.bugs.reusableQr && attempt.state === 'used') return this.relinkWithUsedQr(found.device, key, secret, attempt);
    if (attempt.state === 'used' || attempt.state === 'cancelled') return refused('QR_USED');
    if (attempt.state === 'ended' || this.shownIndex(attempt) !== found.index) return refused('QR_EXPIRED');
    if (key !== attempt.key || secret !== attempt.secret) return refused('QR_INVALID');
    attempt.state = 'used';
    this.link(found.device);
    return OK;
  }

  /** `bugs.reusableQr`: a used reference with the right key links its companion again. */
  private relinkWithUsedQr(id: CompanionId, key: string | undefined, secret: string | undefined, attempt: QrAttempt): OpResult {
    if (key !== attempt.key || secret !== attempt.secret) return refused('QR_INVALID');
    if (this.device(id)!.status !== 'linked') this.link(id);
    return OK;
  }

  cancelLinking(id: CompanionId): OpResult {
    const device = this.device(id);
    if (device?.status !== 'linking') return refused('NOT_LINKING');
    this.stopLinking(device as Device & { id: CompanionId });
    return OK;
  }

  requestCode(id: CompanionId, info: DeviceInfo): Outcome<string> {
    // The code stays on the device (PAIR-08): the server is told who asks, for which account.
    this.received.push(JSON.stringify({ type: 'code.request', device: id, account: accountOf(id) }));
    const existing = this.device(id);
    if (existing?.status === 'linked') return { ok: false, code: 'ALREADY_LINKED' };
    if (existing !== undefined && !existing.online) return { ok: false, code: 'DEVICE_OFFLINE' };
    const acc = this.accounts[accountOf(id)];
    if (!acc.registered) return { ok: false, code: 'NOT_REGISTERED' };
    // Only this companion's own earlier attempt ends (companionAfresh): nobody else's code is touched.
    const device = this.companionAfresh(id, info);
    const { alphabet, length } = this.profile.pairingCode;
    const value = Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    acc.codes.set(id, { value, holder: id, issuedAt: this.now, attempts: 0, state: 'active' });
    device.status = 'linking';
    return { ok: true, value };
  }

  /** `by` picked the request of `companion` and typed `entered`: judged against that request only. */
  enterCode(by: DeviceId, companion: CompanionId, entered: string, idCheck: IdCheckOutcome): OpResult {
    const gate = this.approverGate(by, idCheck);
    if (!gate.ok) return gate;
    const acc = this.accounts[accountOf(by)];
    // Another account's companion has no request here: the same answer as one that never asked.
    const code = acc.codes.get(companion);
    if (code === undefined) return refused('CODE_INVALID');
    if (code.state === 'exhausted') return refused('ATTEMPTS_EXHAUSTED');
    if (code.state === 'expired') return refused('CODE_EXPIRED');
    if (code.state !== 'active') return refused('CODE_INVALID');
    if (entered.replace('-', '').toUpperCase() !== code.value) {
      if (++code.attempts >= this.profile.pairingCode.maxAttempts) this.endCode(code, 'exhausted');
      return refused('CODE_INVALID');
    }
    code.state = 'used';
    this.link(code.holder);
    return OK;
  }

  unlink(by: DeviceId, target: DeviceId): OpResult {
    const acc = this.accounts[accountOf(by)];
    if (!acc.registered) return refused('NOT_REGISTERED');
    const actor = this.device(by);
    if (actor?.status !== 'linked') return refused('NOT_LINKED');
    if (!actor.online) return refused('DEVICE_OFFLINE');
    // AUTH-03: a device of the other account (its primary too) is not one of this account's; a
    // companion unlinks only itself, whatever the target's account.
    if (isPrimaryId(by) && accountOf(target) !== accountOf(by)) return refused('NOT_LINKED');
    if (target === primaryOf(accountOf(by))) return refused('PRIMARY_NOT_UNLINKABLE');
    if (!isPrimaryId(by) && by !== target) return refused('NOT_PRIMARY');
    const victim = this.device(target);
    if (victim?.status !== 'linked') return refused('NOT_LINKED');
    this.signOut(victim, 'unlinked');
    acc.version++;
    return OK;
  }

  send(from: DeviceId, id: string): OpResult {
    const sender = this.device(from);
    if (sender === undefined) return refused('UNKNOWN_DEVICE');
    const to = otherAccount(accountOf(from));
    if (!this.accounts[accountOf(from)].registered || !this.accounts[to].registered) return refused('NOT_REGISTERED');
    if (sender.status === 'signed-out') return refused('SIGNED_OUT');
    if (sender.status !== 'linked') return refused('NOT_LINKED');
    if (!sender.online) return refused('DEVICE_OFFLINE');
    sender.messages.push(id);
    this.relayed.push(this.bugs.plaintextRelay ? JSON.stringify({ id }) : this.seal(id));
    for (const account of [accountOf(from), to]) {
      for (const device of this.accounts[account].devices.values()) {
        const reached = device.status === 'linked' || (this.bugs.deliversToUnlinked === true && device.reason === 'unlinked');
        if (device !== sender && reached) {
          this.deliver(device, { kind: 'message', value: id });
          this.delivered.push({ device, id });
        }
      }
    }
    // Clients encrypt only to the devices their primary linked; an injected one gets nothing.
    if (this.bugs.trustsInjected) for (const [name, count] of this.injected) this.injected.set(name, count + 1);
    return OK;
  }

  /** RESTART: nothing is held outside memory, so nothing is lost and nothing is redelivered. */
  restart(): void {
    if (!this.bugs.duplicatesAfterRestart) return;
    for (const { device, id } of this.delivered) if (device.online && device.status === 'linked') device.messages.push(id);
  }

  /** The server adds a device to the account's list that no primary signed. */
  inject(account: AccountId, name: string): void { this.injected.set(`${account}/${name}`, 0); }
  injectedReceived(account: AccountId, name: string): number { return this.injected.get(`${account}/${name}`) ?? 0; }
  relayedPayloads(): readonly string[] { return [...this.relayed]; }
  serverTraffic(): readonly string[] { return [...this.received, ...this.relayed]; }

  /** Deadlines are processed in time order, each at its own instant (now >= deadline). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = this.nextDeadline(until);
      if (next === undefined) break;
      this.now = next.at;
      next.fire();
    }
    this.now = until;
  }

  observe(): Observation['accounts'] {
    const view = (acc: Account): AccountView => ({
      registered: acc.registered,
      deviceListVersion: acc.version,
      devices: Object.fromEntries([...acc.devices].map(([id, d]): [DeviceId, DeviceView] => [id, {
        role: isPrimaryId(id) ? 'primary' : 'companion', status: d.status,
        ...(d.status === 'signed-out' ? { signOutReason: d.reason } : {}),
        online: d.online, messages: [...d.messages], notices: [...d.notices],
      }])),
    });
    return { A: view(this.accounts.A), B: view(this.accounts.B) };
  }

  // ---- the steps' shared pieces --------------------------------------------------------------

  /** SCAN_QR / ENTER_CODE: who approves, judged first (NOT_REGISTERED, NOT_PRIMARY, DEVICE_OFFLINE). */
  private approverIdentity(by: DeviceId): OpResult {
    if (!this.accounts[accountOf(by)].registered) return refused('NOT_REGISTERED');
    if (!isPrimaryId(by)) return refused('NOT_PRIMARY');
    if (!this.device(by)!.online) return refused('DEVICE_OFFLINE');
    return OK;
  }

  /** SCAN_QR / ENTER_CODE refusals before the QR or code itself is looked at, in events.ts order. */
  private approverGate(by: DeviceId, idCheck: IdCheckOutcome): OpResult {
    const who = this.approverIdentity(by);
    if (!who.ok) return who;
    const acc = this.accounts[accountOf(by)];
    const linked = [...acc.devices.values()].filter((d) => !isPrimaryId(d.id) && d.status === 'linked').length;
    if (linked >= this.profile.maxCompanions + (this.bugs.extraCompanion ? 1 : 0)) return refused('LIMIT_REACHED');
    if (idCheck === 'fail' && acc.idCheck) return refused('ID_CHECK_FAILED');
    return OK;
  }

  /** Linking (PAIR-02, HIST-01, NOTE-01). */
  private link(id: CompanionId): void {
    const acc = this.accounts[accountOf(id)];
    const device = this.device(id)!;
    Object.assign(device, { status: 'linked', online: true, offlineSince: undefined });
    device.messages = [...this.device(primaryOf(accountOf(id)))!.messages];
    for (const other of acc.devices.values()) {
      if (other !== device && other.status === 'linked') this.deliver(other, { kind: 'notice', value: device.info?.name ?? id });
    }
    acc.version++;
  }

  private deliver(device: Device, item: Delivery): void {
    if (!device.online) device.queue.push(item);
    else (item.kind === 'message' ? device.messages : device.notices).push(item.value);
  }

  private signOut(device: Device, reason: SignOutReason): void {
    Object.assign(device, { status: 'signed-out', reason, queue: [] });
    if (device.qr?.state === 'active') device.qr.state = 'cancelled';
  }

  private signOutCompanions(account: AccountId, reason: SignOutReason): void {
    for (const device of this.accounts[account].devices.values()) {
      if (!isPrimaryId(device.id) && device.status === 'linked') this.signOut(device, reason);
    }
  }

  /** The companion stops linking: its QR refs count as cancelled, its pairing code too. */
  private stopLinking(device: Device & { id: CompanionId }): void {
    if (device.qr?.state === 'active') device.qr.state = 'cancelled';
    const code = this.accounts[accountOf(device.id)].codes.get(device.id);
    if (code?.state === 'active') code.state = 'cancelled';
    device.status = 'idle';
  }

  /** A companion's active code ends; the companion, if still linking by code, becomes idle. */
  private endCode(code: PairingCode, state: 'cancelled' | 'exhausted' | 'expired'): void {
    code.state = state;
    const holder = this.device(code.holder);
    if (holder?.status === 'linking' && holder.qr?.state !== 'active') holder.status = 'idle';
  }

  /** SHOW_QR / REQUEST_CODE: create the companion, or start a signed-out/idle one afresh. */
  private companionAfresh(id: CompanionId, info: DeviceInfo): Device {
    const existing = this.device(id);
    if (existing?.status === 'linking') {
      this.stopLinking(existing as Device & { id: CompanionId });
      existing.info = info;
      return existing;
    }
    // A signed-out or idle companion comes back as a new device: its old code is not its own any more.
    if (existing) this.accounts[accountOf(id)].codes.delete(id);
    const device = this.freshDevice(id, 'idle');
    device.info = info;
    this.accounts[accountOf(id)].devices.set(id, device);
    return device;
  }

  private freshDevice(id: DeviceId, status: DeviceStatus): Device {
    return { id, status, online: true, messages: [], notices: [], queue: [], keyChanges: [] };
  }

  private device(id: DeviceId): Device | undefined {
    return this.accounts[accountOf(id)].devices.get(id);
  }

  private shownIndex(attempt: QrAttempt): number {
    const elapsed = this.now - attempt.startedAt;
    return attempt.refs.findIndex((_, i) => elapsed < qrRefWindow(this.profile, i).untilMs);
  }

  /** The earliest deadline at or before `until`, with what happens when it is reached. */
  private nextDeadline(until: number): { at: number; fire: () => void } | undefined {
    const candidates: Array<{ at: number; fire: () => void }> = [];
    for (const account of ACCOUNTS) {
      const acc = this.accounts[account];
      const primary = this.device(primaryOf(account));
      if (acc.registered && primary !== undefined && !primary.online && !acc.dormancyDone) {
        const late = this.bugs.dormancyOffByOne ? 1 : 0;
        candidates.push({ at: primary.offlineSince! + this.profile.primaryDormancyMs + late, fire: () => {
          acc.dormancyDone = true;
          for (const d of acc.devices.values()) {
            if (!isPrimaryId(d.id) && d.status === 'linked') { this.signOut(d, 'primary-dormant'); acc.version++; }
          }
        } });
      }
      for (const code of acc.codes.values()) {
        if (code.state === 'active') candidates.push({ at: code.issuedAt + this.profile.pairingCode.lifetimeMs, fire: () => this.endCode(code, 'expired') });
      }
      for (const d of acc.devices.values()) {
        if (!isPrimaryId(d.id) && d.status === 'linked' && !d.online) {
          candidates.push({ at: d.offlineSince! + this.profile.companionIdleMs, fire: () => { this.signOut(d, 'idle'); acc.version++; } });
        }
        const qr = d.qr;
        if (d.status === 'linking' && qr?.state === 'active') {
          candidates.push({ at: qr.startedAt + qrAttemptMs(this.profile), fire: () => { qr.state = 'ended'; d.status = 'idle'; } });
        }
      }
    }
    return candidates.filter((c) => c.at <= until).sort((a, b) => a.at - b.at)[0];
  }

  /**
   * A toy seal, standing in for encryption so the relay never carries a message id in any
   * reading (as is, base64, hex): each byte XORed with a non-zero keystream byte. Not crypto.
   */
  private seal(id: string): string {
    const nonce = ++this.counter;
    let x = Math.imul(nonce, 2654435761) >>> 0;
    const sealed = Buffer.from(id, 'utf8').map((b) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return b ^ ((x >>> 24) | 1); });
    return JSON.stringify({ nonce: b64(`nonce:${nonce}`), ciphertext: Buffer.from(sealed).toString('base64') });
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
