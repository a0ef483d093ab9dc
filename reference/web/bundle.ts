/**
 * Builds the web companion's page script with esbuild: the reference client (reference/client)
 * bundled for Chromium, three Node-only modules replaced by their browser counterparts:
 *   `ws`                      -> page/browserSocket.ts (the browser's WebSocket)
 *   `node:crypto`             -> page/nodeCrypto.ts    (WebCrypto PBKDF2, @noble/hashes HMAC)
 *   reference/crypto/keys.ts  -> page/naclKeys.ts      (tweetnacl alone; keys.ts uses node's Ed25519/X25519)
 * and `Buffer` injected from the `buffer` package. Built in memory on first use and cached for
 * the process (about 0.2 s); nothing generated is committed. A Node builtin or a missing export
 * reaching the bundle fails the build with esbuild's message, never a page at run time.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const REDIRECTS: { readonly filter: RegExp; readonly to: string }[] = [
  { filter: /^ws$/, to: here('./page/browserSocket.ts') },
  { filter: /^(node:)?crypto$/, to: here('./page/nodeCrypto.ts') },
];
const NODE_KEYS = here('../crypto/keys.js');


const browserModules: Plugin = {
  name: 'linkspec-browser-modules',
  setup(b) {
    for (const { filter, to } of REDIRECTS) b.onResolve({ filter }, () => ({ path: to }));
    b.onResolve({ filter: /keys\.js$/ }, (args) =>
      (resolve(dirname(args.importer), args.path) === NODE_KEYS ? { path: here('./page/naclKeys.ts') } : undefined));
  },
};

let cached: Promise<string> | undefined;

/** The page script (an ES module), built once per process. */
export function pageScript(): Promise<string> {
  cached ??= buildPageScript().catch((error: unknown) => { cached = undefined; throw error; });
  return cached;
}

async function buildPageScript(): Promise<string> {
  const result = await build({
    entryPoints: [here('./page/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    inject: [here('./page/bufferGlobal.ts')],
    plugins: [browserModules],
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0]!.text;
}
