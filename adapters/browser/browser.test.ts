/**
 * The web companion in Debian's Chromium, end to end through the reference-browser adapter
 * (issue 14): QR linking from a photographed canvas, pairing-code linking, messages both ways,
 * a reload that keeps the device (keys, link, messages) and loses nothing acknowledged while it
 * was away, and the sign-out reason on the page after 14 days of primary dormancy (EXP-01).
 *
 * Needs /usr/bin/chromium. Without it: skipped with one line saying how to enable, or, in CI
 * (CI=true), a failing test. Set LINKSPEC_SCREENS_DIR to keep screenshots of the page.
 * Bounded: one Chromium for the file, each world closed after its test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_PROFILE } from '../../model/profile.js';
import type { Driver } from '../../conformance/contract.js';
import { decodeQrPng } from '../../conformance/qrCamera.js';
import type { ReferenceDriver } from '../reference/driver.js';
import { chromiumAvailable, createBrowserAdapter, HOW_TO_ENABLE, PageClient } from './index.js';

const available = chromiumAvailable();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!available && !inCi) process.stdout.write(`browser tests skipped: no Chromium; to enable them, ${HOW_TO_ENABLE}\n`);

describe.runIf(!available && inCi)('browser tests in CI', () => {
  it('need Chromium', () => {
    throw new Error(`CI=true but no Chromium: ${HOW_TO_ENABLE} (.ci/run does this)`);
  });
});

const screens = process.env.LINKSPEC_SCREENS_DIR;
async function screenshot(client: PageClient, name: string): Promise<void> {
  if (!screens) return;
  mkdirSync(screens, { recursive: true });
  writeFileSync(join(screens, `${name}.png`), await client.pageForTests!.screenshot({ fullPage: true }));
}

describe.runIf(available)('web companion in Chromium (reference-browser)', () => {
  const adapter = createBrowserAdapter();
  afterAll(() => adapter.dispose!());

  const page = (driver: Driver, device: string): PageClient => {
    const client = (driver as ReferenceDriver).client(device as never);
    expect(client).toBeInstanceOf(PageClient);
    return client as PageClient;
  };

  async function linkByQr(driver: Driver, device: 'A.c1' | 'A.c2'): Promise<void> {
    expect(await driver.startQrLinking(device, { name: device, platform: 'web' })).toEqual({ ok: true });
    const photo = await driver.qrImage(device);
    if (!photo.ok) throw new Error(`no QR photo: ${photo.code}`);
    const decoded = decodeQrPng(photo.value);
    if (!decoded.ok) throw new Error(`the camera could not read the page: ${decoded.why}`);
    expect(await driver.scanQr('A.primary', decoded.text, 'pass')).toEqual({ ok: true });
  }

  it('links by the QR code on its canvas, messages both ways, and survives a reload', async () => {
    const driver = await adapter.open(DEFAULT_PROFILE);
    try {
      await driver.register('A', { idCheck: false });
      await driver.register('B', { idCheck: false });
      expect(await driver.send('A.primary', 'm-before-link')).toEqual({ ok: true });
      await linkByQr(driver, 'A.c1');
      const c1 = page(driver, 'A.c1');
      let seen = await driver.observe();
      expect(seen.A.devices['A.c1']).toMatchObject({ status: 'linked', online: true });
      expect(seen.A.devices['A.c1']!.messages).toEqual(['m-before-link']); // HIST-01
      // The page itself says so, not only the harness's mirror.
      await expect.poll(() => c1.pageForTests!.textContent('#account')).toBe('Linked to +15550000001');
      await screenshot(c1, 'linked');
      // The page fetches its account's device list itself (LIFE-02, Driver.deviceList may ask it).
      const listed = await c1.rawDevices('+15550000001');
      expect(listed.ok && listed.value.list.devices.map((d) => d.id)).toContain(c1.deviceId);

      expect(await driver.send('A.c1', 'm-from-web')).toEqual({ ok: true });
      expect(await driver.send('B.primary', 'm-to-web')).toEqual({ ok: true });
      seen = await driver.observe();
      expect(seen.B.devices['B.primary']!.messages).toContain('m-from-web');
      expect(seen.A.devices['A.c1']!.messages).toEqual(['m-before-link', 'm-from-web', 'm-to-web']);

      // Reload: the same device comes back from IndexedDB and authenticates as itself.
      const before = seen.A.devices['A.c1']!;
      const after = await c1.reload();
      expect(after).toMatchObject({ status: 'linked', online: true, deviceId: c1.deviceId, messages: before.messages });

      // Offline, a message arrives meanwhile; after a reload and reconnect it is there once (OFF-02).
      expect(await driver.setOnline('A.c1', false)).toEqual({ ok: true });
      expect(await driver.send('B.primary', 'm-while-away')).toEqual({ ok: true });
      await c1.reload();
      expect(await driver.setOnline('A.c1', true)).toEqual({ ok: true });
      seen = await driver.observe();
      expect(seen.A.devices['A.c1']!.messages).toEqual([...before.messages, 'm-while-away']);
      expect(await driver.send('A.c1', 'm-after-reload')).toEqual({ ok: true });
      expect((await driver.observe()).B.devices['B.primary']!.messages).toContain('m-after-reload');
    } finally {
      await driver.close();
    }
  });

  it('links by pairing code, and shows why it was signed out after 14 days without the phone', async () => {
    const driver = await adapter.open(DEFAULT_PROFILE);
    try {
      await driver.register('A', { idCheck: false });
      await driver.register('B', { idCheck: false });
      const code = await driver.requestPairingCode('A.c2', { name: 'A.c2', platform: 'web' });
      if (!code.ok) throw new Error(`no code: ${code.code}`);
      const c2 = page(driver, 'A.c2');
      await expect.poll(() => c2.pageForTests!.textContent('#pairing-code')).toContain(code.value);
      expect(await driver.enterPairingCode('A.primary', 'A.c2', code.value, 'pass')).toEqual({ ok: true });
      expect((await driver.observe()).A.devices['A.c2']).toMatchObject({ status: 'linked' });

      expect(await driver.setOnline('A.primary', false)).toEqual({ ok: true });
      await driver.advanceClock(14 * DAY_MS - 1);
      expect((await driver.observe()).A.devices['A.c2']).toMatchObject({ status: 'linked' });
      await driver.advanceClock(1);
      expect((await driver.observe()).A.devices['A.c2']).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
      expect(c2.signOutReason).toBe('primary-dormant');
      const shown = c2.pageForTests!.locator('#sign-out-reason');
      await expect.poll(() => shown.isVisible()).toBe(true);
      expect(await shown.textContent()).toMatch(/offline for too long \(14 days\)/);
      await screenshot(c2, 'signed-out');
      // Signed out survives a reload, reason included (EXP-03).
      expect(await c2.reload()).toMatchObject({ status: 'signed-out', signOutReason: 'primary-dormant' });
      expect(await driver.send('A.c2', 'm-after-sign-out')).toEqual({ ok: false, code: 'SIGNED_OUT' });
    } finally {
      await driver.close();
    }
  });

  it('shows the QR code it is linking with, and checks WebCrypto Ed25519 against tweetnacl', async () => {
    const driver = await adapter.open(DEFAULT_PROFILE);
    try {
      await driver.register('A', { idCheck: false });
      expect(await driver.startQrLinking('A.c1', { name: 'A.c1', platform: 'web' })).toEqual({ ok: true });
      const c1 = page(driver, 'A.c1');
      const photo = await driver.qrImage('A.c1');
      expect(photo.ok && decodeQrPng(photo.value)).toEqual({ ok: true, text: c1.qrText() });
      await screenshot(c1, 'qr-code');
      const support = await c1.pageForTests!.evaluate(() => window.linkspec!.cryptoSupport());
      // Debian's Chromium 137+ has both; where it has Ed25519, its signature must equal tweetnacl's.
      if (support.ed25519) expect(support.ed25519MatchesNacl).toBe(true);
      // The server rotates the reference after 60 s of virtual time: the canvas follows.
      const first = c1.qrText();
      await driver.advanceClock(60_000);
      const next = await driver.qrImage('A.c1');
      expect(next.ok && decodeQrPng(next.value)).toEqual({ ok: true, text: c1.qrText() });
      expect(c1.qrText()).not.toBe(first);
    } finally {
      await driver.close();
    }
  });

  it('hands a page to the next world empty: no keys, link, messages or saved state of the device before', async () => {
    const first = await adapter.open(DEFAULT_PROFILE);
    let used: { page: unknown; identity: string; deviceId: string | undefined };
    try {
      await first.register('A', { idCheck: false });
      await first.register('B', { idCheck: false });
      await linkByQr(first, 'A.c1');
      expect(await first.send('B.primary', 'm-old-world')).toEqual({ ok: true });
      const c1 = page(first, 'A.c1');
      await first.observe();
      used = { page: c1.pageForTests, identity: await c1.pageForTests!.evaluate(() => window.linkspec!.snapshot().identityKey), deviceId: c1.deviceId };
    } finally {
      await first.close();
    }
    const second = await adapter.open(DEFAULT_PROFILE);
    try {
      await second.register('A', { idCheck: false });
      expect(await second.startQrLinking('A.c1', { name: 'A.c1', platform: 'web' })).toEqual({ ok: true });
      const c1 = page(second, 'A.c1');
      expect(c1.pageForTests).toBe(used.page); // the same Chromium page, reused
      const now = await c1.pageForTests!.evaluate(() => window.linkspec!.snapshot());
      expect(now).toMatchObject({ status: 'linking', deviceId: null, messages: [], notices: [], signOutReason: null });
      expect(now.identityKey).not.toBe(used.identity);
      const saved = await c1.pageForTests!.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
      expect(saved).toEqual(['linkspec']); // only the new device's own record
      expect((await second.observe()).A.devices['A.c1']).toMatchObject({ status: 'linking', messages: [] });
    } finally {
      await second.close();
    }
  });
});
