/**
 * Adapter resolution: the one place that turns an `--adapter <spec>` into an Adapter. Every
 * command that runs the suite (run, selftest, bench, fuzz, driver) goes through here, so the
 * accepted forms are the same everywhere.
 *
 *   reference                      the reference implementation, in process
 *   reference-ws=ws://host:port/…  the reference client against a server speaking reference/PROTOCOL.md
 *   reference-browser              the reference in process, companions as web pages in Debian's Chromium
 *   reference-cluster=N            the reference as N node processes sharing PostgreSQL and Redis (adapters/cluster)
 *   remote=ws://host:port          any implementation behind a remote driver (adapters/remote/REMOTE.md)
 *   known-bad:<id>                 the reference with one known bug switched on (adapters/known-bad)
 *   ./path/module.ts | .js         a module (relative to the working directory, or absolute) whose
 *                                  default export - or export named `adapter` - is an Adapter or a
 *                                  no-arg, possibly async, factory returning one
 *
 * Guarantees: a bad spec throws UsageError('BAD_ADAPTER') listing the accepted forms; an adapter
 * that cannot start (unreachable driver, module that fails to load or has the wrong shape) throws
 * UsageError('ADAPTER_START_FAILED' | 'BAD_ADAPTER') with the reason; anything returned passed the
 * shape check. URLs must be ws: or wss:.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Adapter } from '../conformance/contract.js';
import { UsageError } from '../cli/exit.js';
import { adapterProblems } from './adapterShape.js';
import { createRemoteAdapter } from './remote/remoteAdapter.js';

export type AdapterSpec =
  | { readonly kind: 'reference' }
  | { readonly kind: 'reference-browser' }
  | { readonly kind: 'reference-ws'; readonly url: string }
  | { readonly kind: 'reference-cluster'; readonly nodes: number }
  | { readonly kind: 'remote'; readonly url: string }
  | { readonly kind: 'module'; readonly path: string }
  | { readonly kind: 'known-bad'; readonly id: string };

export const ADAPTER_SPEC_FORMS: readonly string[] = [
  'reference                      (the reference implementation, in process)',
  'reference-ws=ws://host:port/…  (the reference client against a server speaking reference/PROTOCOL.md)',
  'reference-browser              (companions are the web companion in Chromium, see adapters/browser)',
  'reference-cluster=N            (the reference as N node processes on local PostgreSQL + Redis, N = 1..8)',
  'remote=ws://host:port          (a remote driver, see adapters/remote/REMOTE.md)',
  'known-bad:<id>                 (the reference with one known bug, see adapters/known-bad; selftest runs them all)',
  './path/module.ts or .js        (a module exporting an Adapter or a factory, see adapters/ADAPTERS.md)',
];

const MODULE_EXTENSIONS = /\.(ts|mts|js|mjs)$/;

/** Reads a spec without touching the network or the file system. Throws UsageError('BAD_ADAPTER'). */
export function parseAdapterSpec(spec: string, cwd: string = process.cwd()): AdapterSpec {
  const text = spec.trim();
  if (text === 'reference') return { kind: 'reference' };
  if (text === 'reference-browser') return { kind: 'reference-browser' };
  if (text.startsWith('known-bad:')) return { kind: 'known-bad', id: text.slice('known-bad:'.length) };
  const eq = text.indexOf('=');
  if (eq > 0 && !text.startsWith('.') && !isAbsolute(text)) {
    const kind = text.slice(0, eq);
    const url = text.slice(eq + 1);
    if (kind === 'reference-ws' || kind === 'remote') return { kind, url: checkUrl(spec, url) };
    if (kind === 'reference-cluster') {
      if (!/^[1-8]$/.test(url)) throw badSpec(spec, `'${url}' is not a node count 1..8`);
      return { kind, nodes: Number(url) };
    }
    throw badSpec(spec, `'${kind}=' is not a known form`);
  }
  if (text.startsWith('./') || text.startsWith('../') || isAbsolute(text)) {
    if (!MODULE_EXTENSIONS.test(text)) throw badSpec(spec, 'a module path must end in .ts, .mts, .js or .mjs');
    return { kind: 'module', path: resolve(cwd, text) };
  }
  if (MODULE_EXTENSIONS.test(text)) throw badSpec(spec, `a module path must start with ./, ../ or / (try ./${text})`);
  throw badSpec(spec, 'not a known adapter');
}

export async function resolveAdapter(spec: string): Promise<Adapter> {
  const parsed = parseAdapterSpec(spec);
  switch (parsed.kind) {
    case 'reference': return (await loadReference())();
    case 'reference-ws': return (await loadReference())({ url: parsed.url });
    case 'reference-browser': return loadBrowser();
    case 'reference-cluster': return (await import('./cluster/index.js')).createClusterAdapter(parsed.nodes);
    case 'remote':
      try {
        return await createRemoteAdapter(parsed.url);
      } catch (error) {
        throw new UsageError('ADAPTER_START_FAILED', `remote driver at ${parsed.url}: ${messageOf(error)}`);
      }
    case 'module': return loadModuleAdapter(spec, parsed.path);
    case 'known-bad': return loadKnownBad(spec, parsed.id);
  }
}

/** Loads a user's adapter module: default export, else `adapter`; an Adapter or a factory of one. */
async function loadModuleAdapter(spec: string, path: string): Promise<Adapter> {
  if (!existsSync(path)) throw badSpec(spec, `no such file: ${path}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError('ADAPTER_START_FAILED', `${spec} failed to load: ${messageOf(error)}`);
  }
  const exported = module.default ?? module.adapter;
  if (exported === undefined) {
    throw new UsageError('BAD_ADAPTER', `${spec} has no default export and no export named 'adapter' (see adapters/ADAPTERS.md)`);
  }
  let candidate: unknown = exported;
  if (typeof exported === 'function') {
    try {
      candidate = await (exported as () => unknown)();
    } catch (error) {
      throw new UsageError('ADAPTER_START_FAILED', `${spec}: the adapter factory threw: ${messageOf(error)}`);
    }
  }
  const problems = adapterProblems(candidate);
  if (problems.length > 0) {
    throw new UsageError('BAD_ADAPTER', `${spec} does not export an Adapter: ${problems.join('; ')} (see conformance/contract.ts)`);
  }
  return candidate as Adapter;
}

/**
 * The reference is loaded only when asked for, so `remote=` and module adapters never pay for
 * its server, crypto and storage.
 */
async function loadReference(): Promise<typeof import('./reference/index.js').createReferenceAdapter> {
  try {
    return (await import('./reference/index.js')).createReferenceAdapter;
  } catch (error) {
    throw new UsageError('ADAPTER_START_FAILED', `the reference adapter failed to load: ${messageOf(error)}`);
  }
}

/** The browser adapter, loaded only when asked for; Chromium must be where Debian puts it. */
async function loadBrowser(): Promise<Adapter> {
  let browser: typeof import('./browser/index.js');
  try {
    browser = await import('./browser/index.js');
  } catch (error) {
    throw new UsageError('ADAPTER_START_FAILED', `the reference-browser adapter failed to load: ${messageOf(error)}`);
  }
  if (!browser.chromiumAvailable()) throw new UsageError('ADAPTER_START_FAILED', `reference-browser: no Chromium at ${browser.CHROMIUM_PATH}; ${browser.HOW_TO_ENABLE}`);
  return browser.createBrowserAdapter();
}

/** A known-bad variant of the reference, loaded only when asked for. */
async function loadKnownBad(spec: string, id: string): Promise<Adapter> {
  const { KNOWN_BAD, createKnownBadAdapter } = await import('./known-bad/index.js');
  if (!KNOWN_BAD.some((v) => v.id === id)) throw badSpec(spec, `no known-bad variant '${id}' (known: ${KNOWN_BAD.map((v) => v.id).join(', ')})`);
  return createKnownBadAdapter(id);
}

function checkUrl(spec: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badSpec(spec, `'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw badSpec(spec, `'${url}' must be a ws: or wss: URL`);
  return url;
}

function badSpec(spec: string, why: string): UsageError {
  return new UsageError('BAD_ADAPTER', `--adapter '${spec}': ${why}. Accepted forms:\n  ${ADAPTER_SPEC_FORMS.join('\n  ')}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
