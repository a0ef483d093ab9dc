/**
 * One reference device (a primary phone or a companion): its own keys, its own server
 * connection (OFF-01), its messages and link notices, and the client-side duties of the spec:
 * - PAIR-01: a companion shows `ref,box,identity,secret,platform` (text, PNG, terminal);
 * - PAIR-02/07: it counter-signs only after the HMAC of its linking secret and the primary's
 *   account signature over ITS key verify (a tampered QR links nothing);
 * - PAIR-05: the primary's ID check runs before it approves anything (a failed check links nothing);
 * - PAIR-06/08: pairing codes by the key exchange of crypto/codeExchange.ts (the code never leaves the device);
 * - AUTH-02/LIFE-02: it encrypts only to devices a primary-signed device list covers (trust.ts);
 * - E2E-01/02, HIST-01: one sealed envelope per recipient device; history as one sealed blob;
 * - OFF-02: deliveries are processed one at a time in arrival order, acked after, deduplicated.
 * Operation results are OpResult unions carrying the model's codes (model/errors.ts).
 */
import { OK, refused, type OpResult } from '../../model/errors.js';
import type { IdCheckOutcome } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';
import { openFrom, sealFor } from '../crypto/envelope.js';
import { generateDeviceKeys, randomBytes, sign, toBase64, tryFromBase64, type DeviceKeys } from '../crypto/keys.js';
import { signDeviceList } from '../crypto/linking.js';
import { formatPairingCode, generatePairingCode } from '../crypto/pairingCode.js';
import { companionLinkKey, companionWrap, confirmation, type Ephemeral } from '../crypto/codeExchange.js';
import { encodeQrText, parseQrText } from '../qr/qrText.js';
import { renderQrPng, renderQrTerminal } from '../qr/render.js';
import { AUTH_PREFIX, BIND_PREFIX, boxKeyBytes, challengeBytes, transferBytes } from '../protocol/constants.js';
import { NO_FAULTS, type FaultSet } from '../faults.js';
import { approveLink, type LinkTarget } from './approve.js';
import { answerLinkOffer, type LinkOffer } from './offer.js';
import { TrustStore, type KeyChange, type TrustedDevice, type WireDeviceInfo, type WireDevicesAnswer } from './trust.js';
import { WireConnection, type ServerPush, type WireResult } from './wire.js';

export type ClientStatus = 'idle' | 'linking' | 'linked' | 'signed-out';

/** One pending pairing-code request of the primary's number, as `code.list` answers it (PAIR-06). */
export interface CodeRequest {
  /** The requesting companion's identity key (base64): what `enterCode` names. */
  readonly companion: string;
  readonly name: string;
  readonly platform: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface DeviceClientOptions {
  /** ws:// URL of the server; may be changed (restart on another port) via `url`. */
  readonly url: string;
  readonly role: 'primary' | 'companion';
  /** Shown to the account's other devices when this one links (NOTE-01). */
  readonly name: string;
  readonly platform: string;
  /** Pairing-code shape (length, alphabet) comes from here. */
  readonly profile: Profile;
  /** Known-bad switches (reference/faults.ts), for testing the conformance suite; none by default. */
  readonly faults?: FaultSet;
  /**
   * How the user reads the number-verification code that reached the phone out of band (LIFE-03):
   * an SMS in production; tests read the server's outbox. Without it, registering sends no code.
   */
  readonly verificationCode?: (phone: string) => Promise<string | null> | string | null;
}

/** How a registration proves the number (LIFE-03). */
export type RegistrationProof =
  /** Request a verification code and confirm it (read through `verificationCode`). */
  | { readonly kind: 'code' }
  /** Request a code but confirm this one instead (a stranger guessing; tests). */
  | { readonly kind: 'guess'; readonly code: string }
  /** No proof at all. */
  | { readonly kind: 'none' }
  /** The current primary's transfer signature (`DeviceClient.transferSignature`) and the list version it read. */
  | { readonly kind: 'transfer'; readonly signature: string; readonly version: number };

type Linking =
  | { kind: 'qr'; secret: Uint8Array; ref: string | null }
  /** PAIR-06/08: the code stays here; the server got only `blob`. `linkKey` once a primary's challenge arrived. */
  | { kind: 'code'; code: string; codeKey: Uint8Array; ephemeral: Ephemeral; blob: Uint8Array; linkKey: Uint8Array | null };

export class DeviceClient {
  url: string;
  readonly role: 'primary' | 'companion';
  readonly name: string;
  readonly platform: string;
  keys: DeviceKeys = generateDeviceKeys();
  status: ClientStatus = 'idle';
  /** Set once registered (primary) or linked (companion). */
  deviceId: string | undefined;
  phone: string | undefined;
  /** Message ids this device holds, in the order it got them. */
  readonly messages: string[] = [];
  /** Names of devices this device was told were linked to its account (NOTE-01). */
  readonly notices: string[] = [];
  /** PAIR-05: whether this primary has an ID check (PIN, biometric) set up. */
  idCheck = false;
  /** Deliveries this device could not open (forged or from an untrusted sender): dropped, counted. */
  undecryptable = 0;

  private readonly profile: Profile;
  private readonly faults: FaultSet;
  private readonly readVerificationCode: DeviceClientOptions['verificationCode'];
  private wire: WireConnection | undefined;
  private linking: Linking | null = null;
  private bound = false;
  private readonly trust = new TrustStore();
  private work: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Known-bad state only (faults 'history-omits-own-companions', 'history-snapshot-cached', 'id-check-once-per-session'). */
  private readonly ownCopies = new Set<string>();
  private historySnapshot: string[] | undefined;
  private idCheckedOn: WireConnection | undefined;

  constructor(options: DeviceClientOptions) {
    this.url = options.url;
    this.role = options.role;
    this.name = options.name;
    this.platform = options.platform;
    this.profile = options.profile;
    this.faults = options.faults ?? NO_FAULTS;
    this.readVerificationCode = options.verificationCode;
    this.trust.trustServer = this.faults.has('trusts-server-devices');
    this.trust.faults = this.faults;
  }

  get online(): boolean { return this.wire?.isOpen ?? false; }
  /** True while pushed frames are still being processed (the adapter's quiescence wait). */
  get busy(): boolean { return this.inFlight > 0; }
  /** Resolves once the client is not busy (the adapter waits on it instead of polling). */
  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }
  get identityKey(): string { return toBase64(this.keys.signing.publicKey); }
  /** LIFE-03: every change of another account's primary key this device noticed (safety-number changes), oldest first. */
  get keyChanges(): readonly KeyChange[] { return this.trust.keyChanges; }
  /** The QR reference shown now, or null. */
  get currentRef(): string | null { return this.linking?.kind === 'qr' ? this.linking.ref : null; }

  // ---- connection -------------------------------------------------------------------------

  /** Open a connection; a registered/linked device authenticates, a linking companion re-binds. */
  async connect(): Promise<OpResult> {
    if (this.online) return OK;
    const wire = await WireConnection.open(this.url);
    this.wire = wire;
    wire.onFrame = (frame) => this.onPush(frame);
    wire.onClose = () => { if (this.wire === wire) this.wire = undefined; };
    if (this.status === 'linked' && this.deviceId) {
      const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, wire.nonce), this.keys.signing.secretKey));
      const r = await wire.request('auth', { deviceId: this.deviceId, signature });
      if (!r.ok) {
        if (r.code === 'SIGNED_OUT') this.status = 'signed-out';
        return r.code === 'SIGNED_OUT' ? OK : refused(r.code);
      }
      if (this.role === 'primary') await this.resignIfNeeded();
    } else if (this.bound && this.status === 'linking') {
      this.bound = false;
      const r = await this.bind();
      if (!r.ok) return r;
    }
    this.bound = this.bound && this.status === 'linking';
    return OK;
  }

  /** Orderly disconnect: the server records this device offline, then the socket closes. */
  async disconnect(): Promise<void> {
    const wire = this.wire;
    if (!wire) return;
    try { await wire.request('disconnect'); } catch { /* the socket is closing anyway */ }
    await wire.close();
    this.wire = undefined;
    this.goneOffline();
  }

  /** The socket dropped without a goodbye (server restart): keep every state; reconnect later. */
  async dropConnection(): Promise<void> {
    const wire = this.wire;
    this.wire = undefined;
    if (wire) await wire.close();
  }

  async close(): Promise<void> { await this.dropConnection(); }

  private goneOffline(): void {
    // The server cancelled this companion's attempt or code when it left (model: GO_OFFLINE).
    if (this.status === 'linking') { this.status = 'idle'; this.linking = null; }
    this.bound = false;
  }

  private get w(): WireConnection {
    if (!this.wire) throw new Error(`${this.name}: not connected`);
    return this.wire;
  }

  // ---- primary: registration and lifecycle (LIFE-01) -----------------------------------

  /**
   * Register this device as the primary of `phone` (`replace`: re-register a new phone), proving
   * the number (LIFE-03) with a verification code by default. A refused proof still sends
   * `register` (version 1, no proof): the server's answer follows the model's precedence
   * (NOT_REGISTERED / ALREADY_REGISTERED before NUMBER_NOT_VERIFIED).
   */
  async register(phone: string, options: { idCheck: boolean; replace?: boolean; proof?: RegistrationProof }): Promise<OpResult> {
    await this.connect();
    const proof = options.proof ?? { kind: 'code' };
    let version = 1;
    let transfer: { transfer: string } | undefined;
    if (proof.kind === 'transfer') {
      version = proof.version + 1;
      transfer = { transfer: proof.signature };
    } else if (proof.kind !== 'none') {
      const sent = await this.w.request('verify.request', { phone });
      if (!sent.ok) return refused(sent.code);
      const code = proof.kind === 'guess' ? proof.code : await this.readVerificationCode?.(phone) ?? null;
      const confirmed = code === null ? null : await this.w.request<{ version: number }>('verify.confirm', { phone, code });
      if (confirmed?.ok) version = confirmed.value.version + 1;
    }
    const devices = [{ id: this.identityKey, identityKey: this.identityKey }];
    const signature = toBase64(signDeviceList(this.keys.signing.secretKey, { account: phone, version, devices }));
    const r = await this.w.request('register', {
      phone, replace: options.replace ?? false, ...this.announcement(), list: { version, devices, signature }, ...(transfer ? { proof: transfer } : {}),
    });
    if (!r.ok) return refused(r.code);
    this.deviceId = this.identityKey;
    this.phone = phone;
    this.status = 'linked';
    this.idCheck = options.idCheck;
    return OK;
  }

  /** LIFE-03, transfer: this primary hands its number to a new phone's identity key (base64). */
  transferSignature(newIdentityKey: string): string {
    const key = tryFromBase64(newIdentityKey);
    if (!key || !this.phone) throw new Error('transferSignature: a registered primary and a base64 key');
    return toBase64(sign(transferBytes(this.phone, key), this.keys.signing.secretKey));
  }

  async logout(): Promise<OpResult> {
    const r = await this.w.request('logout');
    if (r.ok) this.status = 'signed-out';
    return r.ok ? OK : refused(r.code);
  }

  private announcement(keys: DeviceKeys = this.keys) {
    return {
      identityKey: toBase64(keys.signing.publicKey), boxKey: toBase64(keys.box.publicKey),
      boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)),
      name: this.name, platform: this.platform,
    };
  }

  /** After server-asserted removals the primary signs the same version again (PROTOCOL.md). */
  private async resignIfNeeded(): Promise<void> {
    const answer = await this.w.request<WireDevicesAnswer>('devices.get', { phone: this.phone });
    if (!answer.ok || answer.value.list.signature !== null) return;
    const check = this.trust.accept(this.phone!, answer.value);
    if (!check.ok) return;
    const { version, devices } = answer.value.list;
    const signature = toBase64(signDeviceList(this.keys.signing.secretKey, { account: this.phone!, version, devices }));
    await this.w.request('devices.sign', { list: { version, devices, signature } });
  }

  // ---- companion: linking (PAIR-01, PAIR-03, PAIR-06) ------------------------------------

  /** A signed-out or idle companion starts afresh as a new device: new keys, no messages. */
  startAfresh(): void {
    this.keys = generateDeviceKeys();
    this.status = 'idle';
    this.deviceId = undefined;
    this.phone = undefined;
    this.linking = null;
    this.bound = false;
    this.messages.length = 0;
    this.notices.length = 0;
    this.trust.clear();
  }

  private async bind(): Promise<OpResult> {
    if (this.bound) return OK;
    const r = await this.bindKeys(this.keys);
    if (r.ok) this.bound = true;
    return r;
  }

  /** link.bind this connection with `keys` (this device's, or fresh ones it has not adopted yet). */
  private async bindKeys(keys: DeviceKeys): Promise<OpResult> {
    const signature = toBase64(sign(challengeBytes(BIND_PREFIX, this.w.nonce), keys.signing.secretKey));
    const r = await this.w.request('link.bind', { ...this.announcement(keys), signature });
    return r.ok ? OK : refused(r.code);
  }

  /**
   * Start a QR attempt to link to the account of `phone` (the number the user says this device is
   * for, PAIR-07: another account's primary scanning it is refused WRONG_ACCOUNT); the first
   * reference arrives (pushed) before this resolves.
   */
  async startQr(phone: string): Promise<OpResult> {
    if (this.status === 'linked') return refused('ALREADY_LINKED');
    if (!this.online) return refused('DEVICE_OFFLINE');
    const bound = await this.bind();
    if (!bound.ok) return bound;
    const previous = this.linking;
    this.linking = { kind: 'qr', secret: randomBytes(32), ref: null };
    const r = await this.w.request('link.start', { phone });
    if (!r.ok) { this.linking = previous; return refused(r.code); }
    this.status = 'linking';
    return OK;
  }

  /** The QR text shown now (PAIR-01), or null when not showing one. */
  qrText(): string | null {
    if (this.linking?.kind !== 'qr' || this.linking.ref === null || this.status !== 'linking') return null;
    return encodeQrText({
      ref: this.linking.ref, noisePublic: toBase64(this.keys.box.publicKey), identityPublic: this.identityKey,
      advSecret: toBase64(this.linking.secret), platform: this.platform.replace(/[^\x21-\x2b\x2d-\x7e]/g, '-') || 'unknown',
    });
  }

  async qrPng(): Promise<Uint8Array | null> {
    const text = this.qrText();
    return text === null ? null : renderQrPng(text);
  }

  async qrTerminal(): Promise<string | null> {
    const text = this.qrText();
    return text === null ? null : renderQrTerminal(text);
  }

  async cancelLinking(): Promise<OpResult> {
    if (this.status !== 'linking' || !this.online) return refused('NOT_LINKING');
    const r = await this.w.request('link.cancel');
    if (!r.ok) return refused(r.code);
    this.status = 'idle';
    this.linking = null;
    return OK;
  }

  /** Ask for a pairing code for `phone`; resolves with the code to show ('XXXX-XXXX'). */
  async requestCode(phone: string): Promise<WireResult<string>> {
    if (this.status === 'linked') return refused('ALREADY_LINKED') as WireResult<string>;
    if (!this.online) return refused('DEVICE_OFFLINE') as WireResult<string>;
    // The server answers NOT_REGISTERED to code.request itself (account.info is for authenticated
    // devices only, issue 10). A signed-out companion starts afresh only once the server accepted,
    // so a refused request leaves it as it was: it binds fresh keys and adopts them after.
    const fresh = this.status === 'signed-out' ? generateDeviceKeys() : undefined;
    const bound = fresh ? await this.bindKeys(fresh) : await this.bind();
    if (!bound.ok) return bound as WireResult<string>;
    const code = generatePairingCode(this.profile.pairingCode);
    // The code never leaves this device (PAIR-08): only the ephemeral key wrapped under it does.
    const wrap = await companionWrap(code);
    const r = await this.w.request('code.request', { phone, wrapped: toBase64(wrap.blob) });
    if (!r.ok) return r as WireResult<string>;
    if (fresh) {
      this.startAfresh();
      this.keys = fresh;
      this.bound = true;
    }
    this.linking = { kind: 'code', code, codeKey: wrap.codeKey, ephemeral: wrap.ephemeral, blob: wrap.blob, linkKey: null };
    this.status = 'linking';
    return { ok: true, value: formatPairingCode(code) };
  }

  // ---- primary: approving a link (PAIR-02, PAIR-05, PAIR-06, PAIR-07, AUTH-01) -----------

  /** Scan QR text (decoded from pixels by the caller) and approve, after the ID check. */
  async scanQr(qrText: string, idCheck: IdCheckOutcome): Promise<OpResult> {
    // The QR names the companion: the server says whether it links to this account (WRONG_ACCOUNT).
    const scanned = parseQrText(qrText);
    const pre = await this.w.request('link.precheck', scanned ? { ref: scanned.ref, companionIdentityKey: scanned.identityPublic } : {});
    if (!pre.ok) return refused(pre.code);
    if (this.idChecked(idCheck) === 'fail') return refused('ID_CHECK_FAILED');
    return approveLink(this.linkContext(), { kind: 'qr', text: qrText });
  }

  /**
   * The pending code requests of this primary's own number (PAIR-06): one per linking companion,
   * with the name and platform it announced, for the user to pick the device they are linking.
   */
  async listCodeRequests(): Promise<WireResult<readonly CodeRequest[]>> {
    const r = await this.w.request<{ requests: CodeRequest[] }>('code.list', {});
    return r.ok ? { ok: true, value: r.value.requests } : refused(r.code) as WireResult<readonly CodeRequest[]>;
  }

  /**
   * Enter a pairing code for the request the user picked (`companion`: its identity key, as
   * listed by listCodeRequests) and approve, after the ID check.
   */
  async enterCode(companion: string, code: string, idCheck: IdCheckOutcome): Promise<OpResult> {
    const pre = await this.w.request('link.precheck');
    if (!pre.ok) return refused(pre.code);
    if (this.idChecked(idCheck) === 'fail') return refused('ID_CHECK_FAILED');
    return approveLink(this.linkContext(), { kind: 'code', companion, code });
  }

  /** PAIR-05: the ID check's outcome, when one is set up. Fault 'id-check-skipped': never run. */
  private idChecked(outcome: IdCheckOutcome): IdCheckOutcome | 'not-set-up' {
    if (!this.idCheck || this.faults.has('id-check-skipped')) return 'not-set-up';
    // Fault 'id-check-once-per-session': a check passed on this connection is not asked again (PAIR-05).
    if (this.faults.has('id-check-once-per-session')) {
      if (this.idCheckedOn === this.wire) return 'pass';
      if (outcome === 'pass') this.idCheckedOn = this.wire;
    }
    return outcome;
  }

  private linkContext(): LinkTarget {
    // Fault 'no-history': the history is never gathered (HIST-01).
    let messages = this.faults.has('no-history') ? [] : [...this.messages];
    // Fault 'history-truncated': only the most recent messages go (HIST-01).
    if (this.faults.has('history-truncated')) messages = messages.slice(-8);
    // Fault 'history-omits-own-companions': copies of the account's companions' messages are left out (HIST-01).
    if (this.faults.has('history-omits-own-companions')) messages = messages.filter((m) => !this.ownCopies.has(m));
    // Fault 'history-snapshot-cached': the history gathered at the first approval is reused (HIST-01).
    if (this.faults.has('history-snapshot-cached')) messages = this.historySnapshot ??= messages;
    return { wire: this.w, keys: this.keys, phone: this.phone!, messages, profile: this.profile, faults: this.faults };
  }

  // ---- everyone: unlink, send, device lists --------------------------------------------------

  /** AUTH-03: the primary unlinks a companion with a newly signed list; a companion unlinks itself. */
  async unlink(targetDeviceId: string): Promise<OpResult> {
    if (this.role === 'companion') {
      const r = await this.w.request('unlink', { target: targetDeviceId });
      return r.ok ? OK : refused(r.code);
    }
    const answer = await this.w.request<WireDevicesAnswer>('devices.get', { phone: this.phone });
    if (!answer.ok) return refused(answer.code);
    const current = answer.value.list;
    const version = current.version + 1;
    const devices = current.devices.filter((d) => d.id !== targetDeviceId);
    const signature = toBase64(signDeviceList(this.keys.signing.secretKey, { account: this.phone!, version, devices }));
    const r = await this.w.request('unlink', { target: targetDeviceId, list: { version, devices, signature } });
    return r.ok ? OK : refused(r.code);
  }

  /** The server's `devices.get` answer for `phone`, unchecked (the adapter checks it itself: LIFE-02 inspection). */
  rawDevices(phone: string): Promise<WireResult<WireDevicesAnswer>> {
    return this.w.request<WireDevicesAnswer>('devices.get', { phone });
  }

  /** The devices of `phone` this client would encrypt to now (AUTH-02), or why none. */
  async trustedDevices(phone: string): Promise<WireResult<readonly TrustedDevice[]>> {
    const answer = await this.w.request<WireDevicesAnswer>('devices.get', { phone });
    if (!answer.ok) return answer;
    if (!answer.value.registered) return refused('NOT_REGISTERED') as WireResult<readonly TrustedDevice[]>;
    const checked = this.trust.accept(phone, answer.value);
    if (!checked.ok) return refused(checked.code) as WireResult<readonly TrustedDevice[]>;
    return { ok: true, value: checked.devices };
  }

  /** E2E-01/02: message `messageId` to the other account, sealed to each trusted device. */
  async send(toPhone: string, messageId: string): Promise<OpResult> {
    if (this.status !== 'linked' || !this.deviceId) return refused(this.status === 'signed-out' ? 'SIGNED_OUT' : 'NOT_LINKED');
    if (!this.online) return refused('DEVICE_OFFLINE');
    // A device list that changed between reading it and sending (a device unlinked meanwhile,
    // perhaps on another server node) is refused UNTRUSTED_DEVICE: read the lists again and
    // retry, as Signal clients do on a 409 "mismatched devices" (race mode, conformance/race).
    for (let attempt = 1; ; attempt++) {
      const r = await this.sendOnce(toPhone, messageId);
      if (r.ok || r.code !== 'UNTRUSTED_DEVICE' || attempt >= 3) return r;
    }
  }

  private async sendOnce(toPhone: string, messageId: string): Promise<OpResult> {
    const theirs = await this.trustedDevices(toPhone);
    if (!theirs.ok) return refused(theirs.code);
    const ours = await this.trustedDevices(this.phone!);
    if (!ours.ok) return refused(ours.code);
    // Fault 'unlinked-still-receives': recipients come from a cache of every device ever verified (E2E-03).
    const cached = this.faults.has('unlinked-still-receives')
      ? [...this.trust.knownOf(this.phone!), ...this.trust.knownOf(toPhone)].filter((d) => ![...ours.value, ...theirs.value].some((t) => t.id === d.id))
      : [];
    // Fault 'copies-only-to-primary': a companion copies its message to the primary only (E2E-02).
    const own = this.faults.has('copies-only-to-primary') && this.role === 'companion' ? ours.value.filter((d) => d.role === 'primary') : ours.value;
    const recipients = [...own, ...cached, ...theirs.value].filter((d) => d.id !== this.deviceId);
    const plaintext = new TextEncoder().encode(JSON.stringify({ messageId }));
    // Fault 'plaintext-relay': encryption stubbed out, the "ciphertext" is the message itself (E2E-01).
    const seal = (d: TrustedDevice) => this.faults.has('plaintext-relay')
      ? { nonce: toBase64(randomBytes(24)), ciphertext: toBase64(plaintext) }
      : sealFor(plaintext, d.boxKey, this.keys.box.secretKey);
    const envelopes = recipients.map((d) => ({ to: d.id, envelope: seal(d) }));
    const r = await this.w.request('send', { toPhone, envelopes });
    if (!r.ok) return refused(r.code);
    this.remember(messageId);
    return OK;
  }

  private remember(messageId: string, delivered = false): void {
    // Fault 'offline-duplicate': deliveries are not deduplicated (OFF-02).
    if (!this.messages.includes(messageId) || (delivered && this.faults.has('offline-duplicate'))) this.messages.push(messageId);
  }

  // ---- pushes --------------------------------------------------------------------------------

  private onPush(frame: ServerPush): void {
    this.inFlight++;
    this.work = this.work
      .then(() => this.handlePush(frame))
      .catch(() => { this.undecryptable++; })
      .finally(() => {
        this.inFlight--;
        if (typeof frame.push === 'number') this.wire?.sendRaw({ type: 'ack', push: frame.push });
        if (!this.busy) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async handlePush(frame: ServerPush): Promise<void> {
    switch (frame.type) {
      case 'qr.ref':
        if (this.linking?.kind === 'qr') this.linking.ref = frame.ref;
        return;
      case 'qr.ended':
        if (this.linking?.kind === 'qr' && frame.reason !== 'linked') this.stopLinking();
        return;
      case 'code.ended':
        if (this.linking?.kind === 'code' && frame.reason !== 'used') this.stopLinking();
        return;
      case 'link.offer':
        return this.answerOffer(frame);
      case 'code.challenge':
        return this.answerCodeChallenge(frame);
      case 'linked':
        this.status = 'linked';
        this.deviceId = frame.deviceId;
        this.phone = frame.phone;
        this.linking = null;
        this.bound = false;
        return;
      case 'signed_out':
        this.status = 'signed-out';
        return;
      case 'deliver':
        try { await this.receive(frame); } finally { this.wire?.sendRaw({ type: 'ack', seq: frame.seq }); }
        return;
      default:
        return;
    }
  }

  private stopLinking(): void {
    this.linking = null;
    if (this.status === 'linking') this.status = 'idle';
  }

  /**
   * PAIR-06/08: a primary's challenge: unwrap its key with this device's code key, derive the
   * link key, and prove it (a primary that typed a wrong code derived another key: its check fails).
   */
  private async answerCodeChallenge(frame: ServerPush): Promise<void> {
    const linking = this.linking;
    const wrapped = tryFromBase64(String(frame.wrapped ?? ''));
    if (linking?.kind !== 'code' || !wrapped) return;
    const linkKey = await companionLinkKey(linking.codeKey, linking.ephemeral, linking.blob, wrapped);
    if (!linkKey) return;
    linking.linkKey = linkKey;
    await this.wire?.request('code.response', { challengeId: frame.challengeId, confirm: toBase64(confirmation(linkKey, this.keys.signing.publicKey)) });
  }

  /** PAIR-02/07: counter-sign only when the secret's HMAC and the account signature over MY key verify (offer.ts). */
  private async answerOffer(offer: ServerPush): Promise<void> {
    const answer = await answerLinkOffer(offer as unknown as LinkOffer, this.linking, this.keys, this.faults);
    if ('deviceSignature' in answer) this.trust.pin(offer.phone, offer.primaryIdentityKey);
    await this.wire?.request('link.answer', { offerId: offer.offerId, ...answer });
  }

  /** A delivery: history (HIST-01), a message (E2E-02), or a link notice (NOTE-01). */
  private async receive(frame: ServerPush): Promise<void> {
    if (frame.kind === 'notice') {
      const notice = JSON.parse(frame.payload) as { name: string };
      this.notices.push(notice.name);
      return;
    }
    const sender = await this.senderDevice(frame.fromPhone, frame.sender as WireDeviceInfo);
    const envelope = JSON.parse(frame.payload);
    const unsealed = (this.faults.has('plaintext-relay') && frame.kind === 'message') || (this.faults.has('history-plaintext') && frame.kind === 'history');
    const stubbed = unsealed ? tryFromBase64(envelope?.ciphertext ?? '') : null;
    const plaintext = stubbed ?? (sender ? openFrom(envelope, sender.boxKey, this.keys.box.secretKey) : null);
    if (!plaintext) { this.undecryptable++; return; }
    const body = JSON.parse(new TextDecoder().decode(plaintext));
    if (frame.kind === 'history' && Array.isArray(body.messages)) {
      for (const id of body.messages) if (typeof id === 'string') this.remember(id);
    } else if (frame.kind === 'message' && typeof body.messageId === 'string') {
      if (frame.fromPhone === this.phone) this.ownCopies.add(body.messageId);
      this.remember(body.messageId, true);
    }
  }

  /**
   * The sender as the primary authorized it: both ADV signatures under the account's pinned
   * primary key, checked on the delivery's own sender record (TrustStore.sender); if the account's
   * key is not pinned yet (or changed: re-registration), fetch its list once and retry.
   */
  private async senderDevice(phone: string, info: WireDeviceInfo | null): Promise<TrustedDevice | null> {
    const first = this.trust.sender(phone, info);
    if (first) return first;
    await this.trustedDevices(phone).catch(() => undefined);
    return this.trust.sender(phone, info);
  }
}
