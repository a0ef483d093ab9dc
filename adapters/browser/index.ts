/**
 * The `reference-browser` adapter (issue 14): the reference server in process, primaries as Node
 * reference clients, and every companion a real Chromium page running the web companion
 * (reference/web), one browser context per companion. The harness photographs each QR code from a
 * screenshot of the page's canvas. Time stays the harness's virtual clock (the server's, moved by
 * tc.advance); real time only bounds waits.
 *
 * One Chromium, one page server and a shelf of reusable pages (pageShelf.ts) per adapter,
 * started on the first `open` and released by `dispose`; each world gets a fresh reference
 * server, and its pages are emptied (device retired, IndexedDB deleted) when it closes.
 * Capabilities: everything the reference declares; the page companion supports all of it.
 */
import type { Browser } from 'playwright-core';
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import { COMMON, inProcessServer } from '../reference/index.js';
import { ReferenceDriver } from '../reference/driver.js';
import { startWebServer, type WebServer } from '../../reference/web/webServer.js';
import { launchChromium } from './chromium.js';
import { PageClient } from './pageClient.js';
import { PageShelf } from './pageShelf.js';

export { chromiumAvailable, HOW_TO_ENABLE, CHROMIUM_PATH } from './chromium.js';
export { PageClient } from './pageClient.js';

export function createBrowserAdapter(): Adapter {
  let shared: Promise<{ browser: Browser; web: WebServer; pages: PageShelf }> | undefined;
  const start = () => {
    shared ??= (async () => {
      const web = await startWebServer({ config: { server: 'ws://127.0.0.1:0/' } });
      try {
        const browser = await launchChromium();
        return { browser, web, pages: new PageShelf(browser, web.url) };
      } catch (error) {
        await web.close();
        throw error;
      }
    })().catch((error: unknown) => { shared = undefined; throw error; });
    return shared;
  };
  return {
    name: 'reference-browser',
    description: 'The reference server in process; primaries are Node reference clients, companions are the web companion in Debian\'s Chromium (playwright-core); QR codes photographed from the page.',
    capabilities: new Set<Capability>([...COMMON, 'restart']),
    open: async (profile): Promise<Driver> => {
      const { pages } = await start();
      const host = { pages };
      return ReferenceDriver.open(await inProcessServer(profile), profile, undefined, (options) => new PageClient(host, options));
    },
    dispose: async () => {
      const s = shared;
      shared = undefined;
      if (!s) return;
      const { browser, web, pages } = await s.catch(() => ({ browser: undefined, web: undefined, pages: undefined }));
      await pages?.close();
      await browser?.close().catch(() => undefined);
      await web?.close();
    },
  };
}
