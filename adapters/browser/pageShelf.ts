/**
 * Web companion pages kept for reuse across worlds. Opening a browser context and loading the
 * page is most of what a browser companion costs (measured: ~0.8 s of a property walk's ~0.45 s
 * per step went to opening pages); a page whose device is retired (its connection closed, its
 * IndexedDB deleted, its session configuration removed: WebCompanion.retire) is as empty as a
 * new one and is handed to the next companion. Each page keeps its own context: two devices
 * alive at once never share one. A page that fails to retire is closed, never reused.
 * Bounded: at most `keep` idle pages are kept.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Snapshot } from '../../reference/web/page/companion.js';

export const PAGE_LOAD_TIMEOUT_MS = 20_000;

export interface ShelfPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Receives the page's reports (its state before each ack); set by the page's current owner. */
  onReport: (snapshot: Snapshot) => void;
}

export class PageShelf {
  private readonly idle: ShelfPage[] = [];

  constructor(private readonly browser: Browser, private readonly pageUrl: string, private readonly keep = 8) {}

  /** An empty page waiting for its device (`linkspecStart`): a kept one, or a new one. */
  async take(): Promise<ShelfPage> {
    return this.idle.pop() ?? this.load();
  }

  /** Retire the page's device and keep the page; closes it instead if that fails or the shelf is full. */
  async give(shelf: ShelfPage): Promise<void> {
    try {
      if (this.idle.length >= this.keep) throw new Error('shelf full');
      await shelf.page.evaluate(() => window.linkspec!.retire());
      await shelf.page.waitForFunction(() => document.body.dataset.ready === 'waiting', undefined, { timeout: PAGE_LOAD_TIMEOUT_MS });
      shelf.onReport = () => undefined;
      this.idle.push(shelf);
    } catch {
      await shelf.context.close().catch(() => undefined);
    }
  }

  private async load(): Promise<ShelfPage> {
    const context = await this.browser.newContext({ viewport: { width: 800, height: 760 }, deviceScaleFactor: 1, serviceWorkers: 'block' });
    try {
      const shelf = { context, page: undefined as unknown as Page, onReport: (_: Snapshot) => undefined as void };
      await context.addInitScript(() => { window.__LINKSPEC_CONFIG__ = { harness: true }; });
      await context.exposeBinding('linkspecReport', (_source, snapshot: Snapshot) => shelf.onReport(snapshot));
      const page = await context.newPage();
      await page.goto(this.pageUrl, { timeout: PAGE_LOAD_TIMEOUT_MS });
      await page.waitForFunction(() => document.body.dataset.ready === 'waiting', undefined, { timeout: PAGE_LOAD_TIMEOUT_MS });
      shelf.page = page;
      return shelf;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((s) => s.context.close().catch(() => undefined)));
  }
}
