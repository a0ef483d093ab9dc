/**
 * Benchmark servers in child processes (bench/serverProcess.ts, or `linkspec serve`): started,
 * asked for their RSS, stopped. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { latestCodeInFile } from '../reference/server/verification.js';

const ROOT = new URL('../', import.meta.url).pathname;
const START_TIMEOUT_MS = 20_000;

export interface ChildServer {
  readonly url: string;
  /** The number-verification code the server last sent to `phone` (LIFE-03), read from its codes file. */
  verificationCode(phone: string): string | null;
  /** Resident set size of the server process after two GCs (bytes). */
  rss(): Promise<number>;
  /** The highest RSS sampled since the previous call (bytes; bench/serverProcess.ts servers only). */
  peak(): Promise<number>;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export type ServerMode = 'reference' | 'reference-defaults' | 'reference-sqlite' | 'raw';

/** bench/serverProcess.ts in `mode`, extra node flags first (e.g. --cpu-prof). */
export function startChildServer(mode: ServerMode, nodeFlags: readonly string[] = [], serverArgs: readonly string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeFlags, '--expose-gc', '--import', 'tsx', 'bench/serverProcess.ts', mode, ...serverArgs], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`bench server (${mode}) did not start within ${START_TIMEOUT_MS} ms`)); }, START_TIMEOUT_MS);
    child.once('message', (m: { url?: string; codesFile?: string }) => {
      clearTimeout(timer);
      resolve({
        url: m.url!,
        verificationCode: (phone) => (m.codesFile ? latestCodeInFile(m.codesFile, phone) : null),
        rss: () => new Promise((res) => {
          const onMessage = (r: { rss?: number }) => { if (typeof r?.rss === 'number') { child.off('message', onMessage); res(r.rss); } };
          child.on('message', onMessage);
          child.send({ cmd: 'rss' });
        }),
        peak: () => new Promise((res) => {
          const onMessage = (r: { peak?: number }) => { if (typeof r?.peak === 'number') { child.off('message', onMessage); res(r.peak); } };
          child.on('message', onMessage);
          child.send({ cmd: 'peak' });
        }),
        // SIGINT: a normal exit, so --cpu-prof writes its profile and temporary files go; SIGKILL if it hangs.
        stop: () => new Promise<void>((res) => {
          if (child.exitCode !== null || child.signalCode !== null) { res(); return; }
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => { clearTimeout(force); res(); });
          child.kill('SIGINT');
        }),
      });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bench server (${mode}) exited ${code}`)); });
  });
}

/** `linkspec serve --db :memory: --test-control --port 0` (what reference-ws drives). */
export function startServe(): Promise<ChildServer> {
  const child = spawn(process.execPath, ['bin/linkspec.mjs', 'serve', '--db', ':memory:', '--test-control', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('linkspec serve did not start')); }, START_TIMEOUT_MS);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const url = /ws:\/\/[\d.]+:\d+/.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ url, verificationCode: () => null, rss: () => Promise.reject(new Error('no IPC')), peak: () => Promise.reject(new Error('no IPC')), stop: stopper(child) });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`linkspec serve exited ${code}: ${out}`)); });
  });
}
