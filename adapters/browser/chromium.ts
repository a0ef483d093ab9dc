/**
 * Debian's Chromium, driven by playwright-core: never a downloaded browser. One place decides
 * where it is, how it starts, and what to tell a person when it is missing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags: no sandbox (containers, root in CI), no GPU, no background traffic (only loopback here). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] as const;

export const HOW_TO_ENABLE = `install Debian's Chromium (as root: apt-get update && apt-get install -y chromium) so that ${CHROMIUM_PATH} exists`;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Headless Chromium; a clear error, not playwright's stack, when it is absent or does not start. */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM_PATH}: ${HOW_TO_ENABLE}`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true, timeout: 30_000 });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM_PATH} did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}
