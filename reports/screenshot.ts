/**
 * Takes a full-page PNG of a report.html with playwright-core driving Debian's chromium (never a
 * downloaded browser): `npx tsx reports/screenshot.ts <report.html> <out.png> [width]`.
 * A look at real output, not part of `npm test`: chromium is not a project dependency. Network is
 * refused for the page, so the screenshot also proves the report loads nothing from elsewhere
 * (any request is printed and the exit code is 1).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function screenshot(htmlPath: string, pngPath: string, width = 1280): Promise<{ requests: string[] }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\``);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const url = pathToFileURL(resolve(htmlPath)).href;
    const requests: string[] = [];
    // Only the report file itself and inline data: images may load.
    await page.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested === url || requested.startsWith('data:')) return route.continue();
      requests.push(requested);
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: pngPath, fullPage: true });
    return { requests };
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [htmlPath, pngPath, width] = process.argv.slice(2);
  if (!htmlPath || !pngPath) {
    console.error('usage: npx tsx reports/screenshot.ts <report.html> <out.png> [width]');
    process.exit(2);
  }
  const { requests } = await screenshot(htmlPath, pngPath, width ? Number(width) : undefined);
  console.log(`wrote ${pngPath}`);
  if (requests.length > 0) {
    console.error(`the report tried to load from the network:\n${requests.join('\n')}`);
    process.exit(1);
  }
}
