/**
 * The reference implementation behind the Driver contract (conformance/contract.ts): one world =
 * one reference server (in-process, or at a URL through the test-control extension) plus one
 * DeviceClient per symbolic device, each with its own keys and its own WebSocket.
 *
 * What the driver adds to the clients is only the translation of the model's symbolic world:
 * - names: account `A` is phone +15550000001, device `A.c1` is the client created for it;
 * - the refusals a real client cannot know by itself because it is offline or not yet part of
 *   an account (model/events.ts lists e.g. NOT_REGISTERED before DEVICE_OFFLINE): for these the
 *   driver reads the server's view (test control `tc.inspect`). Everything an online device can
 *   learn is decided by the client and the server themselves.
 * - `observe()` waits for real quiescence: the server has nothing queued for a connected device,
 *   every control push is acked, no link offer is open, and no client is still processing; it
 *   throws a clear error if that does not happen within QUIESCENCE_TIMEOUT_MS of real time.
 *   The wait is event-driven, not polled: the server answers a long-polled `tc.quiescent` the
 *   moment it is quiet (with its view), and a busy client resolves `idle()` when it drains.
 * - The server's view taken at quiescence stays true until the driver acts again (the world
 *   only moves when a driver operation moves it), so the next step's refusal checks and the
 *   observation read it instead of asking the server again. Every operation that can change
 *   the world drops it first (`acted()`).
 */
import { OK, refused, type OpResult } from '../../model/errors.js';
import {
  accountOf, isPrimaryId, otherAccount, primaryOf, ACCOUNTS,
  type AccountId, type CompanionId, type DeviceId, type IdCheckOutcome,
} from '../../model/events.js';
import type { AccountView, DeviceView, Observation, SignOutReason } from '../../model/observation.js';
import type { Profile } from '../../model/profile.js';
import type { DeviceInfo, Driver, Outcome, ServerLie } from '../../conformance/contract.js';
import { DeviceClient, type ClientStatus, type DeviceClientOptions } from '../../reference/client/device.js';
import { WireConnection } from '../../reference/client/wire.js';
import { verifyDevices } from '../../reference/client/trust.js';
import { codeFromTestControl } from '../../reference/client/verificationCodes.js';
import type { InspectView } from '../../reference/server/testControl.js';
import { NO_FAULTS, type FaultSet } from '../../reference/faults.js';

export const QUIESCENCE_TIMEOUT_MS = 5_000;
const QR_PNG_CACHE = 32;
/** A well-formed identity key no companion holds (32 zero bytes): the pick of a companion that never asked for a code. */
const NO_SUCH_COMPANION = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The phone number of each symbolic account. */
export const PHONES: Record<AccountId, string> = { A: '+15550000001', B: '+15550000002' };

/** How the world's server is reached and, in-process, restarted. */
export interface ServerHandle {
  url: string;
  /** In-process only: stop the server and start a new one on the same storage; resolves with the new URL. */
  restart?: () => Promise<string>;
  /**
   * A cluster (adapters/cluster): every node's URL, `url` being the first. Devices are placed on
   * the nodes in turn; each node is reset, asked for quiescence and for what it relayed.
   */
  nodes?: readonly string[];
  close(): Promise<void>;
}

type Status = { status: ClientStatus; reason?: SignOutReason };

/** Makes the client of a new companion (the reference-browser adapter's run in Chromium pages); default: a DeviceClient. */
export type CompanionFactory = (options: DeviceClientOptions) => DeviceClient;

export class ReferenceDriver implements Driver {
  private readonly clients = new Map<DeviceId, DeviceClient>();
  private readonly injected = new Map<string, string>();
  /** Real-time bound of the quiescence wait (tests lower it). */
  quiescenceTimeoutMs = QUIESCENCE_TIMEOUT_MS;
  /** PNGs of QR texts drawn lately (qrImage): drawing one is the costliest thing the driver does. */
  private readonly qrPngs = new Map<string, Uint8Array>();
  /** The server's view at the last quiescence; undefined once the driver may have changed the world since. */
  private quietView: InspectView | undefined;
  /** Operations in flight (more than one only in race mode, conformance/race). */
  private operating = 0;
  /** Devices created so far: on a cluster the next one goes to node `placed % nodes`. */
  private placed = 0;

  private constructor(private readonly server: ServerHandle, private tc: WireConnection, private readonly profile: Profile, private readonly faults: FaultSet, private readonly companion?: CompanionFactory, private readonly otherNodes: WireConnection[] = []) {}

  /** A fresh world on `server`: `tc.reset` with the profile (on a cluster: on every node, the first first). */
  static async open(server: ServerHandle, profile: Profile, faults: FaultSet = NO_FAULTS, companion?: CompanionFactory): Promise<ReferenceDriver> {
    const urls = server.nodes && server.nodes.length > 0 ? server.nodes : [server.url];
    const tcs: WireConnection[] = [];
    for (const url of urls) {
      const tc = await WireConnection.open(url);
      tcs.push(tc);
      const reset = await tc.request('tc.reset', { profile });
      if (!reset.ok) throw new Error(`reference: the server at ${url} refused tc.reset (${reset.code}); is --test-control on?`);
    }
    return new ReferenceDriver(server, tcs[0], profile, faults, companion, tcs.slice(1));
  }

  // ---- the server's view -------------------------------------------------------------------

  private async view(): Promise<InspectView> {
    if (this.quietView) return this.quietView;
    const r = await this.tc.request<InspectView>('tc.inspect');
    if (!r.ok) throw new Error(`reference: tc.inspect failed (${r.code})`);
    return r.value;
  }

  private registered(view: InspectView, account: AccountId): boolean {
    return view.accounts.find((a) => a.phone === PHONES[account])?.registered ?? false;
  }

  /** Server status for a device the server knows (linked or signed out), else the client's own. */
  private statusOf(view: InspectView, client: DeviceClient | undefined): Status | undefined {
    if (!client) return undefined;
    if (client.deviceId) {
      for (const a of view.accounts) {
        const d = a.devices.find((x) => x.id === client.deviceId);
        if (d) return d.status === 'signed-out' ? { status: 'signed-out', reason: d.signOutReason as SignOutReason } : { status: 'linked' };
      }
    }
    return { status: client.status === 'linked' ? 'idle' : client.status };
  }

  /** Test control of every node (one on a single server): what each node holds in memory is asked of each. */
  private everyNode(): WireConnection[] { return [this.tc, ...this.otherNodes]; }

  /** Called before anything that may change the server or a client: the quiet view is no longer known to hold. */
  private acted(): void { this.quietView = undefined; }

  private newClient(device: DeviceId, info: DeviceInfo, role: 'primary' | 'companion'): DeviceClient {
    const nodes = this.server.nodes;
    const url = nodes && nodes.length > 0 ? nodes[this.placed++ % nodes.length] : this.server.url;
    const options: DeviceClientOptions = {
      url, role, name: info.name, platform: info.platform, profile: this.profile, faults: this.faults,
      // The SMS reaches the phone: the driver reads the outbox of the node the phone talks to,
      // through test control (LIFE-03; codes live in that node's memory).
      verificationCode: (phone) => codeFromTestControl(url, phone),
    };
    return role === 'companion' && this.companion ? this.companion(options) : new DeviceClient(options);
  }

  // ---- lifecycle (LIFE-01) -------------------------------------------------------------------

  register(account: AccountId, options: { idCheck: boolean }): Promise<OpResult> {
    return this.settle(() => this.newPrimary(account, options.idCheck, false));
  }

  /**
   * REREGISTER (LIFE-01, LIFE-03): a new phone with a fresh key takes the number. `proof: false`:
   * it confirms a code that is not the one sent (a stranger without the SMS); the server refuses
   * NUMBER_NOT_VERIFIED and the old primary stays.
   */
  reregister(account: AccountId, options: { proof: boolean } = { proof: true }): Promise<OpResult> {
    const old = this.clients.get(primaryOf(account));
    return this.settle(() => this.newPrimary(account, old?.idCheck ?? false, true, options.proof));
  }

  private async newPrimary(account: AccountId, idCheck: boolean, replace: boolean, proof = true): Promise<OpResult> {
    const id = primaryOf(account);
    const client = this.newClient(id, { name: id, platform: 'reference-phone' }, 'primary');
    const r = await client.register(PHONES[account], { idCheck, replace, proof: proof ? { kind: 'code' } : { kind: 'guess', code: 'not-the-code' } });
    if (!r.ok) { await client.close(); return r; }
    const old = this.clients.get(id);
    // The model keeps the notices a re-registering primary already received (only messages go).
    if (replace && old) client.notices.push(...old.notices);
    await old?.close();
    this.clients.set(id, client);
    return OK;
  }

  async logout(account: AccountId): Promise<OpResult> {
    const view = await this.view();
    if (!this.registered(view, account)) return refused('NOT_REGISTERED');
    const primary = this.clients.get(primaryOf(account));
    if (!primary?.online) return refused('DEVICE_OFFLINE');
    return this.settle(() => primary.logout());
  }

  async setOnline(device: DeviceId, online: boolean): Promise<OpResult> {
    const client = this.clients.get(device);
    if (!client) return refused('UNKNOWN_DEVICE');
    return this.settle(async () => {
      if (online && !client.online) await client.connect();
      if (!online && client.online) await client.disconnect();
      return OK;
    });
  }

  // ---- linking (PAIR-*) ----------------------------------------------------------------------

  async startQrLinking(device: CompanionId, info: DeviceInfo): Promise<OpResult> {
    const client = await this.companionForLinking(device, info);
    if ('ok' in client) return client;
    return this.settle(() => client.startQr(PHONES[accountOf(device)]));
  }

  /**
   * SHOW_QR / REQUEST_CODE preconditions; creates the companion, or restarts a spent one afresh.
   * REQUEST_CODE's NOT_REGISTERED is not decided here: the online companion asks the server
   * (client requestCode), and starts afresh from signed-out only once the server said yes, so a
   * refused request leaves it as it was.
   */
  private async companionForLinking(device: CompanionId, info: DeviceInfo, byCode = false): Promise<DeviceClient | OpResult> {
    const view = await this.view();
    const existing = this.clients.get(device);
    const status = this.statusOf(view, existing);
    // A linked companion that is online knows it is linked: its client refuses by itself (startQr,
    // requestCode). Offline it cannot know whether it still is, so the server's view answers.
    if (status?.status === 'linked' && existing?.online) return existing;
    if (status?.status === 'linked') return refused('ALREADY_LINKED');
    if (existing && !existing.online) return refused('DEVICE_OFFLINE');
    this.acted();
    if (existing) {
      if (status?.status !== 'linking' && !(byCode && status?.status === 'signed-out')) existing.startAfresh();
      return existing;
    }
    const client = this.newClient(device, info, 'companion');
    await client.connect();
    this.clients.set(device, client);
    return client;
  }

  async qrImage(device: CompanionId): Promise<Outcome<Uint8Array>> {
    const client = this.clients.get(device);
    const text = client?.qrText() ?? null;
    if (!client || text === null) return { ok: false, code: 'NO_QR' };
    // The suite photographs each QR more than once; the same text draws the same image.
    let png = this.qrPngs.get(text);
    if (!png) {
      const drawn = await client.qrPng();
      if (!drawn) return { ok: false, code: 'NO_QR' };
      png = drawn;
      if (this.qrPngs.size >= QR_PNG_CACHE) this.qrPngs.delete(this.qrPngs.keys().next().value!);
      this.qrPngs.set(text, png);
    }
    return { ok: true, value: png.slice() };
  }

  async scanQr(by: DeviceId, qrText: string, idCheck: IdCheckOutcome): Promise<OpResult> {
    const approver = await this.approver(by);
    if ('ok' in approver) return approver;
    return this.settle(() => approver.scanQr(qrText, idCheck));
  }

  /** SCAN_QR / ENTER_CODE: NOT_REGISTERED, NOT_PRIMARY, DEVICE_OFFLINE for devices that cannot ask the server. */
  private async approver(by: DeviceId): Promise<DeviceClient | OpResult> {
    const view = await this.view();
    if (!this.registered(view, accountOf(by))) return refused('NOT_REGISTERED');
    const client = this.clients.get(by);
    const linkedAndOnline = client !== undefined && this.statusOf(view, client)?.status === 'linked' && client.online;
    if (!isPrimaryId(by) && !linkedAndOnline) return refused('NOT_PRIMARY');
    if (!client || !client.online) return refused('DEVICE_OFFLINE');
    return client;
  }

  async cancelLinking(device: CompanionId): Promise<OpResult> {
    const client = this.clients.get(device);
    if (!client) return refused('NOT_LINKING');
    return this.settle(() => client.cancelLinking());
  }

  async requestPairingCode(device: CompanionId, info: DeviceInfo): Promise<Outcome<string>> {
    const created = !this.clients.has(device);
    const client = await this.companionForLinking(device, info, true);
    if ('ok' in client) return client as Outcome<string>;
    const r = await client.requestCode(PHONES[accountOf(device)]);
    if (!r.ok && created) { await client.close(); this.clients.delete(device); }
    await this.quiesce();
    return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code };
  }

  /**
   * The user picks the request of `companion` on the primary: the companion's identity key, as
   * the primary's `code.list` shows it. A companion never created has no request anywhere: its
   * pick names a key no companion holds (the server answers CODE_INVALID).
   */
  async enterPairingCode(by: DeviceId, companion: CompanionId, code: string, idCheck: IdCheckOutcome): Promise<OpResult> {
    const approver = await this.approver(by);
    if ('ok' in approver) return approver;
    const picked = this.clients.get(companion)?.identityKey ?? NO_SUCH_COMPANION;
    return this.settle(() => approver.enterCode(picked, code, idCheck));
  }

  // ---- unlink, send (AUTH-03, E2E-*) ----------------------------------------------------------

  async unlink(by: DeviceId, target: DeviceId): Promise<OpResult> {
    const view = await this.view();
    if (!this.registered(view, accountOf(by))) return refused('NOT_REGISTERED');
    const client = this.clients.get(by);
    if (this.statusOf(view, client)?.status !== 'linked') return refused('NOT_LINKED');
    if (!client!.online) return refused('DEVICE_OFFLINE');
    const targetId = this.clients.get(target)?.deviceId ?? 'not-a-device';
    return this.settle(() => client!.unlink(targetId));
  }

  async send(from: DeviceId, messageId: string): Promise<OpResult> {
    const client = this.clients.get(from);
    if (!client) return refused('UNKNOWN_DEVICE');
    const view = await this.view();
    const account = accountOf(from);
    const status = this.statusOf(view, client)!.status;
    // A linked, online sender asks the server itself (its own account is registered while it is
    // linked; the recipient's is what the server answers); only a sender that cannot ask is answered here.
    const canAsk = status === 'linked' && client.online;
    if (!canAsk && (!this.registered(view, account) || !this.registered(view, otherAccount(account)))) return refused('NOT_REGISTERED');
    // An online sender knows its own status (client send); an offline one may have been signed
    // out while away without knowing it, so the server's view answers for it.
    if (!client.online) {
      if (status === 'signed-out') return refused('SIGNED_OUT');
      if (status !== 'linked') return refused('NOT_LINKED');
      return refused('DEVICE_OFFLINE');
    }
    return this.settle(() => client.send(PHONES[otherAccount(account)], messageId));
  }

  // ---- time, restart, observation ------------------------------------------------------------

  async advanceClock(ms: number): Promise<void> {
    this.acted();
    const r = await this.tc.request('tc.advance', { ms });
    if (!r.ok) throw new Error(`reference: tc.advance failed (${r.code})`);
    await this.quiesce();
  }

  async restart(): Promise<void> {
    if (!this.server.restart) throw new Error('reference-ws: restart is only available in-process');
    this.acted();
    const online = [...this.clients.values()].filter((c) => c.online);
    // The server goes down first: sockets it drops are not devices going offline.
    const url = await this.server.restart();
    for (const c of this.clients.values()) await c.dropConnection();
    await this.tc.close();
    this.server.url = url;
    for (const c of this.clients.values()) c.url = url;
    this.tc = await WireConnection.open(url);
    for (const c of online) await c.connect();
    await this.quiesce();
  }

  async observe(): Promise<Observation['accounts']> {
    await this.quiesce();
    const view = await this.view();
    const accounts = {} as Record<AccountId, AccountView>;
    for (const account of ACCOUNTS) {
      const server = view.accounts.find((a) => a.phone === PHONES[account]);
      const devices: Partial<Record<DeviceId, DeviceView>> = {};
      for (const [id, client] of this.clients) {
        if (accountOf(id) !== account) continue;
        const s = this.statusOf(view, client)!;
        devices[id] = {
          role: isPrimaryId(id) ? 'primary' : 'companion', status: s.status,
          ...(s.status === 'signed-out' && s.reason ? { signOutReason: s.reason } : {}),
          online: client.online, messages: [...client.messages], notices: [...client.notices],
        };
      }
      accounts[account] = { registered: server?.registered ?? false, deviceListVersion: server?.version ?? 0, devices };
    }
    return accounts;
  }

  /**
   * Wait until every delivery and push has settled (see the file comment): a long poll of the
   * server, then, if a client is still processing, its `idle()`, then the server again (what the
   * client did may have given the server work). Real time bounds the whole wait, never decides it.
   */
  async quiesce(): Promise<void> {
    if (this.quietView) return;
    const started = Date.now();
    const deadline = started + this.quiescenceTimeoutMs;
    for (;;) {
      const waitMs = Math.max(0, deadline - Date.now());
      const [r, ...others] = await Promise.all([this.tc, ...this.otherNodes].map((tc, i) => tc.request<{ quiet: boolean; view: InspectView }>('tc.quiescent', { waitMs, view: i === 0 })));
      if (!r.ok) throw new Error(`reference: tc.quiescent failed (${r.code})`);
      // A cluster is quiet when every node is (each judges its own connections; the view is the shared store's).
      for (const o of others) {
        if (!o.ok) throw new Error(`reference: tc.quiescent failed on a node (${o.code})`);
        if (!o.value.quiet) r.value.quiet = false;
      }
      const busy = [...this.clients.entries()].filter(([, c]) => c.busy);
      if (r.value.quiet && busy.length === 0) {
        // Cached only when no operation is in flight: its effects may still be on their way (race mode).
        if (this.operating === 0) this.quietView = r.value.view;
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0 || !r.value.quiet) {
        const { view, ...server } = r.value;
        // Which devices still have deliveries queued (a cluster's first node answers for the shared store), by name.
        const names = new Map([...this.clients.entries()].map(([id, c]) => [c.deviceId, id]));
        const pending = (view?.accounts ?? []).flatMap((a) => a.devices.filter((d) => d.pending > 0).map((d) => `${names.get(d.id) ?? d.id.slice(0, 8)} ${d.pending}${d.online ? '' : ' (offline)'}`));
        const nodes = others.map((o) => (o.ok ? (o.value.quiet ? 'quiet' : 'busy') : o.code));
        // The time actually waited: a node answering not-quiet early (not at the bound) is a server fault, not slowness.
        throw new Error(`reference: deliveries did not settle within ${this.quiescenceTimeoutMs} ms: ${JSON.stringify({ server, waitedMs: Date.now() - started, pending, ...(nodes.length > 0 ? { otherNodes: nodes } : {}), busyClients: busy.map(([id]) => id) })}`);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(busy.map(([, c]) => c.idle())),
        new Promise((resolve) => { timer = setTimeout(resolve, left); }),
      ]);
      clearTimeout(timer);
    }
  }

  /** Run an operation that may change the world, then wait for quiescence. */
  private async settle(op: () => Promise<OpResult>): Promise<OpResult> {
    this.acted();
    this.operating++;
    let result: OpResult;
    try {
      result = await op();
    } finally {
      this.operating--;
    }
    // Overlapping operations (race mode): another one may have cached a quiet view while this
    // one was still acting; what this one did is not in it.
    this.acted();
    await this.quiesce();
    return result;
  }

  // ---- the malicious server and the wire (AUTH-02, E2E-01) -------------------------------------

  async injectDevice(account: AccountId, name: string): Promise<void> {
    this.acted();
    const r = await this.tc.request<{ deviceId: string }>('tc.inject', { phone: PHONES[account], name });
    if (!r.ok) throw new Error(`reference: tc.inject failed (${r.code})`);
    this.injected.set(`${account}/${name}`, r.value.deviceId);
  }

  async injectedDeviceReceived(account: AccountId, name: string): Promise<number> {
    const deviceId = this.injected.get(`${account}/${name}`);
    if (!deviceId) throw new Error(`reference: no injected device ${name} on ${account}`);
    await this.quiesce();
    let opened = 0;
    for (const tc of this.everyNode()) {
      const r = await tc.request<{ opened: number }>('tc.injectedReceived', { deviceId });
      if (!r.ok) throw new Error(`reference: tc.injectedReceived failed (${r.code})`);
      opened += r.value.opened;
    }
    return opened;
  }

  /** LIFE-02: the list as the other account's primary (else any linked, online client) fetches it, verified by the client's own rules. */
  async deviceList(account: AccountId): Promise<{ version: number; devices: string[]; verified: boolean }> {
    await this.quiesce();
    const asker = [this.clients.get(primaryOf(otherAccount(account))), ...this.clients.values()]
      .find((c) => c?.online && c.status === 'linked' && c.deviceId !== undefined);
    if (!asker) throw new Error('reference: no linked, online client to fetch a device list with');
    const r = await asker.rawDevices(PHONES[account]);
    if (!r.ok) throw new Error(`reference: devices.get failed (${r.code})`);
    const checked = verifyDevices(PHONES[account], r.value, { lastVersion: 0 });
    const byId = new Map([...this.clients.entries()].filter(([, c]) => c.deviceId !== undefined).map(([id, c]) => [c.deviceId!, id as string]));
    return { version: r.value.list.version, devices: r.value.list.devices.map((d) => byId.get(d.id) ?? 'other').sort(), verified: checked.ok };
  }

  /** On a cluster every node answers `devices.get` for the devices it holds: every node lies. */
  async serverLie(account: AccountId, lie: ServerLie): Promise<void> {
    this.acted();
    for (const tc of this.everyNode()) {
      const r = await tc.request('tc.lie', { phone: PHONES[account], kind: lie });
      if (!r.ok) throw new Error(`reference: tc.lie failed (${r.code})`);
    }
  }

  /** On a cluster each node counted the envelopes sent through it: the sum. */
  async addressedUnderLie(account: AccountId): Promise<number> {
    await this.quiesce();
    let addressed = 0;
    for (const tc of this.everyNode()) {
      const r = await tc.request<{ addressed: number }>('tc.lieAddressed', { phone: PHONES[account] });
      if (!r.ok) throw new Error(`reference: tc.lieAddressed failed (${r.code})`);
      addressed += r.value.addressed;
    }
    return addressed;
  }

  async relayedPayloads(): Promise<readonly string[]> {
    const all: string[] = [];
    // On a cluster each node logged what it relayed itself.
    for (const tc of this.everyNode()) {
      const r = await tc.request<string[]>('tc.payloads');
      if (!r.ok) throw new Error(`reference: tc.payloads failed (${r.code})`);
      all.push(...r.value);
    }
    return all;
  }

  /** On a cluster the server is every node: the union of the frames each node received. */
  async serverTraffic(): Promise<readonly string[]> {
    await this.quiesce();
    const all: string[] = [];
    for (const tc of this.everyNode()) {
      const r = await tc.request<string[]>('tc.traffic');
      if (!r.ok) throw new Error(`reference: tc.traffic failed (${r.code})`);
      all.push(...r.value);
    }
    return all;
  }

  async keyChangeNotices(device: DeviceId): Promise<readonly AccountId[]> {
    await this.quiesce();
    const changes = this.clients.get(device)?.keyChanges ?? [];
    return changes.map((c) => ACCOUNTS.find((a) => PHONES[a] === c.phone)).filter((a): a is AccountId => a !== undefined);
  }

  /** The client behind a symbolic device (tests and the demo use it; the harness does not). The caller may act through it, so the quiet view is dropped. */
  client(device: DeviceId): DeviceClient | undefined {
    this.acted();
    return this.clients.get(device);
  }

  async close(): Promise<void> {
    this.acted();
    for (const c of this.clients.values()) await c.close();
    this.clients.clear();
    await this.tc.close();
    for (const tc of this.otherNodes) await tc.close();
    await this.server.close();
  }
}
