/**
 * Serves the web companion: `GET /` is the page (its configuration embedded as JSON: the
 * reference server's ws:// URL, the profile, the device's name), `GET /app.js` the bundled
 * script (bundle.ts). Everything else is 404; only GET and HEAD are answered. The page may load
 * scripts only from here and connect only to ws:/wss: (Content-Security-Policy).
 * Used by `linkspec web` (cli/commands/web.ts) and by the reference-browser adapter.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { pageScript } from './bundle.js';
import type { PageConfig } from './page/companion.js';

export interface WebServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** What the page uses unless the harness or the URL says otherwise. */
  readonly config: { readonly server: string; readonly profile?: Profile; readonly name?: string; readonly platform?: string; readonly autoConnect?: boolean };
}

export interface WebServer { readonly url: string; close(): Promise<void> }

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src ws: wss:; img-src data:",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export function pageHtml(config: PageConfig): string {
  // JSON inside <script type="application/json">: '<' escaped so the text cannot close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>linkspec web companion</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f0f2f5; color: #111; }
  header { background: #00594c; color: #fff; padding: 12px 20px; display: flex; justify-content: space-between; }
  main { max-width: 560px; margin: 20px auto; background: #fff; padding: 20px 24px; border-radius: 8px; }
  canvas { display: block; margin: 12px 0; image-rendering: pixelated; }
  #pairing-code { font: 600 22px ui-monospace, monospace; letter-spacing: 2px; }
  #error { color: #b00020; min-height: 1.4em; }
  #sign-out-reason { font-weight: 600; }
  footer { max-width: 560px; margin: 0 auto 20px; font-size: 12px; color: #555; }
  [hidden] { display: none !important; }
</style>
</head>
<body data-ready="false">
<header><span>linkspec web companion · <span id="device-name"></span></span><span id="status">starting</span></header>
<main>
  <section id="link">
    <h1>Link this browser to your phone</h1>
    <ol><li>Open the app on your phone.</li><li>Go to Settings → Linked devices → Link a device.</li><li>Point your phone at this screen.</li></ol>
    <button id="start-qr">Show QR code</button>
    <canvas id="qr" width="1" height="1" hidden></canvas>
    <form id="code-form"><label>Link with phone number instead: <input id="code-phone" placeholder="+15550000001"></label> <button>Get code</button></form>
    <p id="pairing-code"></p>
  </section>
  <section id="linked" hidden>
    <h1 id="account"></h1>
    <h2>Messages</h2><ul id="messages"></ul>
    <form id="send-form"><input id="send-to" placeholder="to +15550000002"> <input id="send-text" placeholder="message id"> <button>Send</button></form>
    <ul id="notices"></ul>
  </section>
  <section id="signed-out" hidden>
    <h1>Signed out</h1>
    <p id="sign-out-reason"></p>
    <p>Link this browser again to keep using it here.</p>
    <button id="relink">Link again</button>
  </section>
  <p id="error"></p>
</main>
<footer id="crypto"></footer>
<script id="linkspec-config" type="application/json">${json}</script>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const script = await pageScript();
  const config: PageConfig = {
    server: options.config.server, profile: options.config.profile ?? DEFAULT_PROFILE,
    name: options.config.name ?? 'Web browser', platform: options.config.platform ?? 'web', autoConnect: options.config.autoConnect ?? true,
  };
  const html = pageHtml(config);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const body = path === '/' ? html : path === '/app.js' ? script : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('not found\n');
      return;
    }
    const type = path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
