/**
 * The web companion's behaviour, without the DOM: one reference DeviceClient (the same client
 * code as the Node devices, bundled for the browser) plus what a browser companion adds:
 * - its state survives a reload: keys, link, pinned primary key, messages and notices are saved
 *   in IndexedDB (store.ts) after every operation, and before any delivery is acknowledged to the
 *   server (browserSocket.ts holds the ack until the save completes), so nothing acknowledged is
 *   lost (OFF-02); on load the saved device reconnects and authenticates as itself (OFF-01);
 * - it knows why it was signed out (EXP-01, EXP-03, EXP-04, LIFE-01, AUTH-03): from the
 *   `signed_out` push, or from the SIGNED_OUT refusal when it comes back after being signed out
 *   while away.
 * Every operation returns the client's OpResult (model/errors.ts codes) and a snapshot.
 */
import { OK, type OpResult } from '../../../model/errors.js';
import type { Profile } from '../../../model/profile.js';
import { DeviceClient } from '../../client/device.js';
import { socketHooks } from './browserSocket.js';
import { deleteDevice, loadDevice, saveDevice, type SavedDevice } from './store.js';

export interface PageConfig {
  /** ws:// URL of the reference server. */
  readonly server: string;
  readonly profile: Profile;
  readonly name: string;
  readonly platform: string;
  /** Connect on load (a person's page does; the harness connects devices itself). */
  readonly autoConnect: boolean;
}

export interface Snapshot {
  /** Random per page load; with `seq` (increasing per snapshot) a reader keeps the newest state of the current load. */
  readonly boot: string;
  readonly seq: number;
  readonly status: DeviceClient['status'];
  readonly online: boolean;
  readonly busy: boolean;
  readonly deviceId: string | null;
  readonly phone: string | null;
  readonly identityKey: string;
  readonly messages: readonly string[];
  readonly notices: readonly string[];
  readonly qrText: string | null;
  readonly pairingCode: string | null;
  readonly signOutReason: string | null;
  readonly undecryptable: number;
  /** Contacts' primary keys this device saw change (LIFE-03), as the client surfaces them. */
  readonly keyChanges: DeviceClient['keyChanges'];
}

export interface Answer<T = undefined> { readonly result: OpResult & { value?: T }; readonly snapshot: Snapshot }

const SIGN_OUT_REASONS = new Set(['unlinked', 'primary-dormant', 'idle', 'primary-reregistered', 'primary-logout']);

export class WebCompanion {
  readonly client: DeviceClient;
  signOutReason: string | null = null;
  pairingCode: string | null = null;
  private primaryKey: string | undefined;
  private offeredKey: { phone: string; key: string } | undefined;
  private saving: Promise<void> = Promise.resolve();
  private seq = 0;
  private readonly boot = Math.random().toString(36).slice(2);
  /** Called after anything may have changed (the UI redraws). */
  onChange: () => void = () => undefined;
  /**
   * Called with the state after it is saved and before an ack leaves: the harness's view of the
   * page (adapters/browser) is up to date before the server counts the push as done.
   */
  onSaved: (snapshot: Snapshot) => Promise<void> = async () => undefined;

  private constructor(readonly config: PageConfig, saved: SavedDevice | undefined) {
    this.client = new DeviceClient({ url: config.server, role: 'companion', name: config.name, platform: config.platform, profile: config.profile });
    if (saved) this.restore(saved);
    socketHooks.onFrame = (frame) => this.onFrame(frame);
    socketHooks.beforeAck = async () => {
      this.onChange();
      await this.save();
      await this.onSaved(this.snapshot());
    };
    socketHooks.onClose = () => this.onChange();
  }

  static async load(config: PageConfig): Promise<WebCompanion> {
    const companion = new WebCompanion(config, await loadDevice().catch(() => undefined));
    await companion.save();
    if (config.autoConnect) await companion.connect();
    return companion;
  }

  private restore(saved: SavedDevice): void {
    const c = this.client;
    c.keys = saved.keys;
    // A page reloaded mid-link starts linking again from scratch, as a new attempt.
    c.status = saved.status;
    c.deviceId = saved.deviceId;
    c.phone = saved.phone;
    c.messages.push(...saved.messages);
    c.notices.push(...saved.notices);
    this.signOutReason = saved.signOutReason ?? null;
    this.primaryKey = saved.primaryKey;
    // The trust anchor learned while linking (AUTH-02); the client keeps it private, the page restores it.
    if (saved.phone && saved.primaryKey) c['trust'].pin(saved.phone, saved.primaryKey);
  }

  /** Saves are serialised; each saves the state as it is when it runs. */
  save(): Promise<void> {
    this.saving = this.saving.then(() => saveDevice(this.record())).catch(() => undefined);
    return this.saving;
  }

  private record(): SavedDevice {
    const c = this.client;
    return {
      version: 1, keys: c.keys, status: c.status === 'linking' ? 'idle' : c.status,
      ...(c.deviceId ? { deviceId: c.deviceId } : {}), ...(c.phone ? { phone: c.phone } : {}),
      ...(this.primaryKey ? { primaryKey: this.primaryKey } : {}),
      messages: [...c.messages], notices: [...c.notices],
      ...(this.signOutReason ? { signOutReason: this.signOutReason } : {}),
    };
  }

  private onFrame(frame: any): void {
    if (frame?.type === 'signed_out' && typeof frame.reason === 'string') this.signOutReason = frame.reason;
    if (frame?.type === 'error' && frame.code === 'SIGNED_OUT' && SIGN_OUT_REASONS.has(frame.message)) this.signOutReason = frame.message;
    if (frame?.type === 'link.offer' && typeof frame.primaryIdentityKey === 'string') this.offeredKey = { phone: frame.phone, key: frame.primaryIdentityKey };
    if (frame?.type === 'linked') {
      const offered = this.offeredKey;
      if (offered && offered.phone === frame.phone) this.primaryKey = offered.key;
      this.pairingCode = null;
    }
  }

  snapshot(): Snapshot {
    const c = this.client;
    return {
      boot: this.boot, seq: ++this.seq, status: c.status, online: c.online, busy: c.busy, deviceId: c.deviceId ?? null, phone: c.phone ?? null,
      identityKey: c.identityKey, messages: [...c.messages], notices: [...c.notices], qrText: c.qrText(),
      pairingCode: c.status === 'linking' ? this.pairingCode : null,
      signOutReason: c.status === 'signed-out' ? (this.signOutReason ?? 'unknown') : null, undecryptable: c.undecryptable,
      keyChanges: [...c.keyChanges],
    };
  }

  /** Run an operation, save, redraw, answer with the snapshot. A thrown error becomes a refusal the caller can read. */
  private async op<T>(run: () => Promise<OpResult & { value?: T }>): Promise<Answer<T>> {
    let result: OpResult & { value?: T };
    try {
      result = await run();
    } catch (error) {
      throw new Error(`web companion: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.client.status === 'signed-out' && !this.signOutReason) this.signOutReason = 'unknown';
    await this.save();
    this.onChange();
    return { result, snapshot: this.snapshot() };
  }

  /** Connect (to `url` when given: the server moved, e.g. restarted on another port). */
  connect(url?: string) {
    return this.op(() => {
      if (url !== undefined) this.client.url = url;
      return this.client.connect();
    });
  }
  disconnect() { return this.op(async () => { await this.client.disconnect(); return OK; }); }
  dropConnection() { return this.op(async () => { await this.client.dropConnection(); return OK; }); }
  // Arguments pass through as the client takes them: a change of the client's signature reaches
  // the page (and the harness, adapters/browser/pageClient.ts) without being re-declared here.
  startQr(...args: Parameters<DeviceClient['startQr']>) { return this.op(() => this.client.startQr(...args)); }
  cancelLinking(...args: Parameters<DeviceClient['cancelLinking']>) { return this.op(() => this.client.cancelLinking(...args)); }
  send(...args: Parameters<DeviceClient['send']>) { return this.op(() => this.client.send(...args)); }
  unlink(...args: Parameters<DeviceClient['unlink']>) { return this.op(() => this.client.unlink(...args)); }
  /** A companion is not a primary: the server refuses these (AUTH-01); here so the refusal is the server's. */
  scanQr(...args: Parameters<DeviceClient['scanQr']>) { return this.op(() => this.client.scanQr(...args)); }
  enterCode(...args: Parameters<DeviceClient['enterCode']>) { return this.op(() => this.client.enterCode(...args)); }
  /** The account's device list as the server answers it (LIFE-02: the harness verifies it as this client would). */
  rawDevices(...args: Parameters<DeviceClient['rawDevices']>) {
    return this.op<Extract<Awaited<ReturnType<DeviceClient['rawDevices']>>, { ok: true }>['value']>(async () => {
      const r = await this.client.rawDevices(...args);
      return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code };
    });
  }

  requestCode(...args: Parameters<DeviceClient['requestCode']>) {
    return this.op<string>(async () => {
      const r = await this.client.requestCode(...args);
      if (r.ok) this.pairingCode = r.value;
      return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code };
    });
  }

  /** A new device: new keys, nothing remembered (linking again after a sign-out, EXP-03). */
  startAfresh() {
    return this.op(async () => {
      this.client.startAfresh();
      this.signOutReason = null;
      this.pairingCode = null;
      this.primaryKey = undefined;
      return OK;
    });
  }

  /** Resolves once every save started so far has completed. */
  flush(): Promise<void> { return this.saving; }

  /**
   * Close the connection and delete the saved device: nothing of it is left in this page
   * (the harness reuses pages across worlds; a person's page never does this).
   */
  async retire(): Promise<void> {
    this.onChange = () => undefined;
    this.onSaved = async () => undefined;
    await this.client.close();
    await this.saving;
    socketHooks.onFrame = () => undefined;
    socketHooks.beforeAck = async () => undefined;
    socketHooks.onClose = () => undefined;
    await deleteDevice();
  }
}
