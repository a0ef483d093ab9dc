/**
 * The web companion page (PAIR-01, PAIR-06, OFF-01, E2E-02, EXP-03): what a person sees and
 * clicks, and `window.linkspec`, the same operations for the harness (adapters/browser). The page
 * shows the rotating QR code on a canvas, redrawn whenever the server rotates the reference (the
 * primary's camera reads those pixels), the pairing-code alternative, the conversation once
 * linked, and why the device was signed out.
 */
import QRCode from 'qrcode';
import type { Profile } from '../../../model/profile.js';
import { WebCompanion, type PageConfig, type Snapshot } from './companion.js';
import { cryptoSupport } from './cryptoSupport.js';

/** QR drawing: 4 px per module and the standard 4-module quiet zone, as a phone camera expects. */
const QR_CANVAS = { errorCorrectionLevel: 'M', margin: 4, scale: 4 } as const;

const REASONS: Record<string, string> = {
  unlinked: 'This device was unlinked.',
  'primary-dormant': 'Your phone was offline for too long (14 days): every linked device was signed out.',
  idle: 'This device was not used for too long (30 days).',
  'primary-reregistered': 'Your phone number was registered on a new phone.',
  'primary-logout': 'You logged out on your phone.',
  unknown: 'This device was signed out.',
};

declare global {
  interface Window {
    /** `harness`: the page is driven by adapters/browser: it starts a device only when `linkspecStart` gives it one. */
    __LINKSPEC_CONFIG__?: Partial<PageConfig> & { harness?: boolean };
    linkspecStart?: (config: Partial<PageConfig>) => Promise<void>;
    /** Present when the harness drives the page (adapters/browser): it takes the state before each ack. */
    linkspecReport?: (snapshot: Snapshot) => Promise<void>;
    linkspec?: ReturnType<typeof controlApi>;
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: no #${id}`);
  return el as T;
}

function readConfig(): PageConfig {
  const embedded = JSON.parse(byId('linkspec-config').textContent ?? '{}') as Partial<PageConfig>;
  const params = new URLSearchParams(location.search);
  const merged = { ...embedded, ...window.__LINKSPEC_CONFIG__ };
  return {
    server: params.get('server') ?? merged.server ?? `ws://${location.hostname}:8080`,
    profile: merged.profile as Profile,
    name: params.get('name') ?? merged.name ?? 'Web browser',
    platform: merged.platform ?? 'web',
    autoConnect: merged.autoConnect ?? true,
  };
}

let drawnQr: string | null = null;

function render(companion: WebCompanion): Snapshot {
  const s = companion.snapshot();
  document.body.dataset.status = s.status;
  byId('status').textContent = `${s.status}${s.online ? '' : ' (offline)'}`;
  byId('device-name').textContent = companion.config.name;
  byId('link').hidden = s.status === 'linked' || s.status === 'signed-out';
  byId('linked').hidden = s.status !== 'linked';
  byId('signed-out').hidden = s.status !== 'signed-out';
  const canvas = byId<HTMLCanvasElement>('qr');
  if (s.qrText !== drawnQr) {
    if (s.qrText === null) canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    else QRCode.toCanvas(canvas, [{ data: new TextEncoder().encode(s.qrText), mode: 'byte' }], QR_CANVAS, () => undefined);
    drawnQr = s.qrText;
  }
  canvas.hidden = s.qrText === null;
  canvas.dataset.text = s.qrText ?? '';
  byId('pairing-code').textContent = s.pairingCode ? `Enter this code on your phone: ${s.pairingCode}` : '';
  byId('account').textContent = s.phone ? `Linked to ${s.phone}` : '';
  byId('messages').replaceChildren(...s.messages.map((m) => Object.assign(document.createElement('li'), { textContent: m })));
  byId('notices').replaceChildren(...s.notices.map((n) => Object.assign(document.createElement('li'), { textContent: `New device linked: ${n}` })));
  byId('sign-out-reason').textContent = s.signOutReason ? REASONS[s.signOutReason] ?? `Signed out (${s.signOutReason}).` : '';
  byId('sign-out-reason').dataset.reason = s.signOutReason ?? '';
  return s;
}

function controlApi(companion: WebCompanion) {
  const answer = async <T>(p: Promise<T>) => { const a = await p; render(companion); return a; };
  return {
    snapshot: () => render(companion),
    /** The QR text the canvas shows now (the harness photographs the canvas only when it matches). */
    drawnQr: () => { render(companion); return drawnQr; },
    connect: (url?: string) => answer(companion.connect(url)),
    disconnect: () => answer(companion.disconnect()),
    dropConnection: () => answer(companion.dropConnection()),
    startQr: (...args: Parameters<WebCompanion['startQr']>) => answer(companion.startQr(...args)),
    cancelLinking: (...args: Parameters<WebCompanion['cancelLinking']>) => answer(companion.cancelLinking(...args)),
    requestCode: (...args: Parameters<WebCompanion['requestCode']>) => answer(companion.requestCode(...args)),
    send: (...args: Parameters<WebCompanion['send']>) => answer(companion.send(...args)),
    unlink: (...args: Parameters<WebCompanion['unlink']>) => answer(companion.unlink(...args)),
    scanQr: (...args: Parameters<WebCompanion['scanQr']>) => answer(companion.scanQr(...args)),
    enterCode: (...args: Parameters<WebCompanion['enterCode']>) => answer(companion.enterCode(...args)),
    rawDevices: (...args: Parameters<WebCompanion['rawDevices']>) => answer(companion.rawDevices(...args)),
    startAfresh: () => answer(companion.startAfresh()),
    flush: () => companion.flush(),
    /** Harness only: forget this device and wait for the next one (linkspecStart). */
    retire: async () => {
      await companion.retire();
      window.linkspec = undefined;
      drawnQr = null;
      sessionStorage.removeItem(HARNESS_CONFIG);
      waitForStart();
    },
    cryptoSupport: () => cryptoSupport(companion.client.keys.signing.secretKey),
  };
}

function wireUi(companion: WebCompanion, api: ReturnType<typeof controlApi>): void {
  const show = (error: unknown) => { byId('error').textContent = error instanceof Error ? error.message : String(error); };
  const refusal = (a: { result: { ok: boolean; code?: string } }) => { byId('error').textContent = a.result.ok ? '' : `Refused: ${a.result.code}`; };
  // The QR names the account it links to (PAIR-07): the number typed in the phone field.
  const phone = () => byId<HTMLInputElement>('code-phone').value.trim();
  byId('start-qr').onclick = () => { void api.startQr(phone()).then(refusal, show); };
  byId<HTMLFormElement>('code-form').onsubmit = (e) => {
    e.preventDefault();
    void api.requestCode(byId<HTMLInputElement>('code-phone').value.trim()).then(refusal, show);
  };
  byId<HTMLFormElement>('send-form').onsubmit = (e) => {
    e.preventDefault();
    const text = byId<HTMLInputElement>('send-text');
    void api.send(byId<HTMLInputElement>('send-to').value.trim(), text.value).then((a) => { refusal(a); if (a.result.ok) text.value = ''; }, show);
  };
  byId('relink').onclick = () => { void api.startAfresh().then(() => api.startQr(phone())).then(refusal, show); };
  companion.onChange = () => { render(companion); };
  const report = window.linkspecReport;
  if (report) companion.onSaved = (snapshot) => report(snapshot);
}

async function main(): Promise<void> {
  const companion = await WebCompanion.load(readConfig());
  const api = controlApi(companion);
  wireUi(companion, api);
  render(companion);
  window.linkspec = api;
  const support = await api.cryptoSupport();
  byId('crypto').textContent = `Keys in IndexedDB; signatures and encryption by tweetnacl (the reference client's code). `
    + `WebCrypto here: Ed25519 ${support.ed25519 ? 'yes' : 'no'}${support.ed25519 ? ` (same signature as tweetnacl: ${support.ed25519MatchesNacl ? 'yes' : 'NO'})` : ''}, X25519 ${support.x25519 ? 'yes' : 'no'}.`;
  document.body.dataset.ready = 'true';
}

function start(): Promise<void> {
  return main().catch((error: unknown) => {
    document.body.dataset.ready = 'failed';
    const el = document.getElementById('error');
    if (el) el.textContent = `The web companion failed to start: ${error instanceof Error ? error.message : String(error)}`;
  });
}

/** Where a harness-driven page keeps its device's configuration, so a reload starts that device again. */
const HARNESS_CONFIG = 'linkspec-harness-config';

function waitForStart(): void {
  document.body.dataset.ready = 'waiting';
  window.linkspecStart = (config) => {
    window.linkspecStart = undefined;
    sessionStorage.setItem(HARNESS_CONFIG, JSON.stringify(config));
    window.__LINKSPEC_CONFIG__ = config;
    document.body.dataset.ready = 'false';
    return start();
  };
}

if (window.__LINKSPEC_CONFIG__?.harness) {
  const saved = sessionStorage.getItem(HARNESS_CONFIG);
  if (saved === null) {
    waitForStart();
  } else {
    window.__LINKSPEC_CONFIG__ = JSON.parse(saved) as Partial<PageConfig>;
    void start();
  }
} else {
  void start();
}
