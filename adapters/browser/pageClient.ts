/**
 * A companion device that is a real Chromium page: the web companion (reference/web) in its own
 * browser context (its own IndexedDB, like a separate browser), driven through `window.linkspec`.
 * To the reference driver it looks like any DeviceClient (it is one by type, with every operation
 * forwarded to the page), so the harness's translation of the model is the same code for Node and
 * browser companions.
 *
 * What the driver reads synchronously (status, online, messages, notices, busy, the QR text) is a
 * mirror of the page's state, renewed from every operation's answer and from the page's report
 * before each ack it sends (reference/web/page/companion.ts `onSaved`). The server is quiet only
 * once every push is acked, so when the driver sees it quiet the mirror already holds what the
 * page did with every push: no polling, no sleeping.
 *
 * The QR code is photographed: a screenshot of the page's canvas, the pixels the harness's camera
 * decodes (PAIR-01/02). The page is checked to show the current QR text first.
 * Each call is bounded in real time (PAGE_CALL_TIMEOUT_MS); that bounds a hung page, it decides
 * no outcome.
 */
import type { Page } from 'playwright-core';
import { OK, refused, type OpResult } from '../../model/errors.js';
import { DeviceClient, type DeviceClientOptions } from '../../reference/client/device.js';
import type { WireResult } from '../../reference/client/wire.js';
import type { Answer, PageConfig, Snapshot } from '../../reference/web/page/companion.js';
import type { PageShelf, ShelfPage } from './pageShelf.js';

export const PAGE_CALL_TIMEOUT_MS = 20_000;

type PageApi = NonNullable<Window['linkspec']>;
type Args<K extends keyof DeviceClient> = DeviceClient[K] extends (...args: infer A) => unknown ? A : never;
type Method = { [K in keyof PageApi]: PageApi[K] extends (...args: any[]) => Promise<Answer<any>> ? K : never }[keyof PageApi];

export interface PageHost {
  /** Empty web companion pages, new or reused (pageShelf.ts). */
  readonly pages: PageShelf;
}

export class PageClient extends DeviceClient {
  private page: Page | undefined;
  private shelf: ShelfPage | undefined;
  private opened: Promise<Page> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private mirror: Snapshot;
  private idleWaiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly host: PageHost, private readonly options: DeviceClientOptions) {
    super(options);
    this.mirror = {
      boot: '', seq: 0, status: 'idle', online: false, busy: false, deviceId: null, phone: null, identityKey: '', messages: [], notices: [],
      qrText: null, pairingCode: null, signOutReason: null, undecryptable: 0, keyChanges: [],
    };
  }

  override get online(): boolean { return this.mirror.online; }
  override get busy(): boolean { return this.mirror.busy; }
  override idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiting.push(resolve)) : Promise.resolve();
  }
  override get keyChanges(): Snapshot['keyChanges'] { return this.mirror.keyChanges; }
  override qrText(): string | null { return this.mirror.status === 'linking' ? this.mirror.qrText : null; }
  /** Why the page says it was signed out (shown to its user), or null. */
  get signOutReason(): string | null { return this.mirror.signOutReason; }
  /** The page (tests take screenshots of it). */
  get pageForTests(): Page | undefined { return this.page; }

  /**
   * Reload the page as a person would (F5): the page restores the device from IndexedDB and,
   * if it was online, connects again as itself. Resolves with the state after the reload.
   */
  async reload(): Promise<Snapshot> {
    const run = async (): Promise<Snapshot> => {
      const page = await this.open();
      const wasOnline = this.mirror.online;
      await page.evaluate(() => window.linkspec!.flush());
      await page.reload({ timeout: PAGE_CALL_TIMEOUT_MS });
      await this.waitReady(page);
      const answer = wasOnline
        ? await page.evaluate((url) => window.linkspec!.connect(url), this.url)
        : { snapshot: await page.evaluate(() => window.linkspec!.snapshot()) };
      this.take(answer.snapshot);
      return this.mirror;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async waitReady(page: Page): Promise<void> {
    await page.waitForFunction(() => document.body.dataset.ready !== 'false', undefined, { timeout: PAGE_CALL_TIMEOUT_MS });
    if ((await page.evaluate(() => document.body.dataset.ready)) !== 'true') throw new Error(`web companion ${this.options.name} failed to start: ${await page.textContent('#error')}`);
  }

  /**
   * The page's identity key, not the Node-side DeviceClient's (never used): the primary picks this
   * companion's code request by it (code.enter {companion}, per-companion codes).
   */
  override get identityKey(): string { return this.mirror.identityKey; }

  /** Keep the newest state the page reported; copy it into the DeviceClient fields the driver reads. */
  private take(snapshot: Snapshot): void {
    if (snapshot.boot === this.mirror.boot && snapshot.seq <= this.mirror.seq) return;
    this.mirror = snapshot;
    this.status = snapshot.status;
    this.deviceId = snapshot.deviceId ?? undefined;
    this.phone = snapshot.phone ?? undefined;
    this.messages.splice(0, this.messages.length, ...snapshot.messages);
    this.notices.splice(0, this.notices.length, ...snapshot.notices);
    this.undecryptable = snapshot.undecryptable;
    if (!snapshot.busy) for (const resolve of this.idleWaiting.splice(0)) resolve();
  }

  private open(): Promise<Page> {
    this.opened ??= (async () => {
      const shelf = await this.host.pages.take();
      this.shelf = shelf;
      shelf.onReport = (snapshot) => this.take(snapshot);
      const config: Partial<PageConfig> = {
        server: this.options.url, profile: this.options.profile, name: this.options.name, platform: this.options.platform, autoConnect: false,
      };
      await shelf.page.evaluate((c) => window.linkspecStart!(c), config);
      await this.waitReady(shelf.page);
      this.page = shelf.page;
      return shelf.page;
    })();
    return this.opened;
  }

  /** One page operation at a time, in the order the driver asked, each bounded in real time. */
  private call<T = undefined>(method: Method, ...args: unknown[]): Promise<Answer<T>> {
    const run = async (): Promise<Answer<T>> => {
      const page = await this.open();
      let timer: NodeJS.Timeout | undefined;
      const answer = await Promise.race([
        page.evaluate(([m, a]) => (window.linkspec![m as Method] as (...x: unknown[]) => Promise<unknown>)(...(a as unknown[])), [method, args] as const),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`web companion ${this.options.name}: ${method} did not answer within ${PAGE_CALL_TIMEOUT_MS} ms`)), PAGE_CALL_TIMEOUT_MS); }),
      ]).finally(() => clearTimeout(timer)) as Answer<T>;
      this.take(answer.snapshot);
      return answer;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async result(method: Method, ...args: unknown[]): Promise<OpResult> {
    const { result } = await this.call(method, ...args);
    return result.ok ? OK : refused(result.code);
  }

  override connect(): Promise<OpResult> { return this.result('connect', this.url); }
  override async disconnect(): Promise<void> { await this.call('disconnect'); }
  override async dropConnection(): Promise<void> { if (this.opened) await this.call('dropConnection'); }
  override startAfresh(): void { void this.call('startAfresh').catch(() => undefined); }
  // Every argument is forwarded as the client declares it (Args): a new parameter of the reference
  // client reaches the page without being dropped here.
  override startQr(...args: Args<'startQr'>): Promise<OpResult> { return this.result('startQr', ...args); }
  override cancelLinking(...args: Args<'cancelLinking'>): Promise<OpResult> { return this.result('cancelLinking', ...args); }
  override unlink(...args: Args<'unlink'>): Promise<OpResult> { return this.result('unlink', ...args); }
  override send(...args: Args<'send'>): Promise<OpResult> { return this.result('send', ...args); }
  override scanQr(...args: Args<'scanQr'>): Promise<OpResult> { return this.result('scanQr', ...args); }
  override enterCode(...args: Args<'enterCode'>): Promise<OpResult> { return this.result('enterCode', ...args); }

  override async requestCode(...args: Args<'requestCode'>): Promise<WireResult<string>> {
    const { result } = await this.call<string>('requestCode', ...args);
    return result.ok ? { ok: true, value: result.value! } : { ok: false, code: result.code };
  }

  override async rawDevices(...args: Args<'rawDevices'>): ReturnType<DeviceClient['rawDevices']> {
    const { result } = await this.call<any>('rawDevices', ...args);
    return result.ok ? { ok: true, value: result.value } : { ok: false, code: result.code };
  }

  /** The photograph: the canvas's pixels as PNG, once the page shows the QR text it holds now. */
  override async qrPng(): Promise<Uint8Array | null> {
    const shot = async (): Promise<Uint8Array | null> => {
      const page = await this.open();
      const { drawn, snapshot } = await page.evaluate(() => ({ drawn: window.linkspec!.drawnQr(), snapshot: window.linkspec!.snapshot() }));
      this.take(snapshot);
      if (drawn === null || drawn !== snapshot.qrText) return null;
      return new Uint8Array(await page.locator('#qr').screenshot({ timeout: PAGE_CALL_TIMEOUT_MS, animations: 'disabled' }));
    };
    const next = this.queue.then(shot, shot);
    this.queue = next.catch(() => undefined);
    return next;
  }

  override register(): Promise<OpResult> { throw new Error('a web companion is never a primary'); }
  override logout(): Promise<OpResult> { throw new Error('a web companion is never a primary'); }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    if (this.shelf) await this.host.pages.give(this.shelf);
  }
}
