/**
 * Abuse figures of the reference server (issue 10), measured, never asserted:
 * - `server.deepJsonFlood`: p50/p99/max round trip of a probe request on its own connection while
 *   `floodSockets` unauthenticated sockets send frames of nested `[` as fast as the server takes
 *   them (1 MiB ones, refused by size; 60 KiB ones, refused by the nesting scan). Target: p99 < 500 ms.
 * - `crypto.pairingCodePbkdf2`: milliseconds per PBKDF2-SHA256 derivation at 131,072 iterations,
 *   the cost each side of a pairing-code exchange pays once (PAIR-06/08).
 * The server and the flooder (bench/flooder.ts) run in their own processes. Every loop is bounded in count and time.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { PAIRING_CODE_ITERATIONS } from '../reference/crypto/pairingCode.js';
import { startChildServer } from './child.js';
import type { BenchLine } from './line.js';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 8 * 1_048_576 });
    ws.once('message', () => resolve(ws)); // the challenge
    ws.once('error', reject);
  });
}

const ROOT = new URL('../', import.meta.url).pathname;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function benchDeepJsonFlood(options: { floodSockets: number; probes: number; maxMs: number }): Promise<BenchLine[]> {
  const server = await startChildServer('reference');
  const sockets: WebSocket[] = [];
  const flooder = spawn(process.execPath, ['--import', 'tsx', 'bench/flooder.ts', server.url, String(options.floodSockets)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('flooder did not start')), 20_000);
      flooder.stdout!.on('data', (d) => { if (String(d).includes('ready')) { clearTimeout(timer); resolve(); } });
      flooder.once('exit', () => { clearTimeout(timer); reject(new Error('flooder exited')); });
    });
    // Let the flood reach its steady state before probing.
    await new Promise((r) => setTimeout(r, 500));
    const probe = await open(server.url);
    sockets.push(probe);
    const rtts: number[] = [];
    const until = performance.now() + options.maxMs;
    for (let i = 0; i < options.probes && performance.now() < until; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        probe.once('message', () => resolve());
        probe.send(JSON.stringify({ type: 'link.precheck', id: i }));
      });
      rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    rtts.sort((a, b) => a - b);
    const p99 = percentile(rtts, 99);
    return [{
      bench: 'server.deepJsonFlood', floodSockets: options.floodSockets, probes: rtts.length,
      p50Ms: Math.round(percentile(rtts, 50) * 10) / 10, p99Ms: Math.round(p99 * 10) / 10, maxMs: Math.round(rtts.at(-1)! * 10) / 10,
      target: 'p99 < 500 ms', met: p99 < 500,
    }];
  } finally {
    for (const ws of sockets) ws.terminate();
    flooder.kill('SIGKILL');
    await server.stop();
  }
}

export function benchPairingCodePbkdf2(options: { runs: number }): BenchLine[] {
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const t0 = performance.now();
    pbkdf2Sync('ABCD2345', randomBytes(32), PAIRING_CODE_ITERATIONS, 32, 'sha256');
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return [{ bench: 'crypto.pairingCodePbkdf2', iterations: PAIRING_CODE_ITERATIONS, runs: times.length, medianMs: Math.round(percentile(times, 50) * 10) / 10, minMs: Math.round(times[0]! * 10) / 10 }];
}
