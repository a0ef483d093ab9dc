/**
 * Abuse figures of the reference server (issue 10), measured, never asserted:
 * - `server.deepJsonFlood`: p50/p99/max round trip of a probe request (an honest primary,
 *   registered before the flood, sending `link.precheck` in a loop on its own connection) while `floodSockets` unauthenticated sockets send frames of
 *   nested `[` as fast as the server takes them (bench/flooder.ts: 1 MiB ones, closed 1009 and
 *   reopened; 60 KiB ones refused by the nesting scan; 60 KiB ones as deep as allowed, parsed;
 *   40-byte ones 40 deep, 64 in flight; every socket the server closes is reopened),
 *   against the DEFAULT limits (what an attacker meets). The line gives the attack volume while
 *   the probe ran (frames, MB, connections opened) and the load average. Target: p99 < 500 ms.
 * - `crypto.pairingCodePbkdf2`: milliseconds per PBKDF2-SHA256 derivation at 131,072 iterations,
 *   the cost each side of a pairing-code exchange pays once (PAIR-06/08).
 * The server and the flooder (bench/flooder.ts) run in their own processes. Every loop is bounded in count and time.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';
import type { WireConnection } from '../reference/client/wire.js';
import { PAIRING_CODE_ITERATIONS } from '../reference/crypto/pairingCode.js';
import { startChildServer, type ChildServer } from './child.js';
import type { BenchLine } from './line.js';

/**
 * The honest probe: a registered primary (an honest client asking often is authenticated; before
 * that, its own small budgets would close it, PROTOCOL.md §1 Limits). Registered before the flood
 * starts, so the attacker's per-address cap does not keep it out.
 */
async function honestProbe(server: ChildServer, phone: string): Promise<{ client: DeviceClient; ask: () => Promise<unknown> }> {
  const client = new DeviceClient({ url: server.url, role: 'primary', name: 'probe', platform: 'bench', profile: DEFAULT_PROFILE, verificationCode: (p) => server.verificationCode(p) });
  const registered = await client.register(phone, { idCheck: false });
  if (!registered.ok) throw new Error(`the probe could not register (${registered.code})`);
  const wire = (client as unknown as { wire: WireConnection }).wire;
  return { client, ask: () => wire.request('link.precheck', {}) };
}

const ROOT = new URL('../', import.meta.url).pathname;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface FloodVolume { frames: number; bytes: number; connections: number }

/** Round trips (ms, sorted) of `ask()`, one at a time 10 ms apart. */
async function probeLoop(ask: () => Promise<unknown>, probes: number, maxMs: number): Promise<number[]> {
  const rtts: number[] = [];
  const until = performance.now() + maxMs;
  for (let i = 0; i < probes && performance.now() < until; i++) {
    const t0 = performance.now();
    await ask();
    rtts.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return rtts.sort((a, b) => a - b);
}

const ms = (x: number) => Math.round(x * 10) / 10;

export async function benchDeepJsonFlood(options: { floodSockets: number; probes: number; maxMs: number }): Promise<BenchLine[]> {
  const server = await startChildServer('reference-defaults');
  let volume: FloodVolume = { frames: 0, bytes: 0, connections: 0 };
  const probe = await honestProbe(server, '+1555000');
  // Baseline from the same run: the same probe before any flood (the machine's load shows in both).
  const baseline = await probeLoop(probe.ask, Math.ceil(options.probes / 3), options.maxMs / 3);
  const flooder = spawn(process.execPath, ['--import', 'tsx', 'bench/flooder.ts', server.url, String(options.floodSockets)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('flooder did not start')), 20_000);
      flooder.stdout!.on('data', (d) => {
        for (const line of String(d).split('\n')) {
          if (line === 'ready') { clearTimeout(timer); resolve(); }
          else if (line.startsWith('{')) volume = JSON.parse(line) as FloodVolume;
        }
      });
      flooder.once('exit', () => { clearTimeout(timer); reject(new Error('flooder exited')); });
    });
    // Let the flood reach its steady state before probing.
    await new Promise((r) => setTimeout(r, 500));
    const load = loadavg()[0]!;
    const before = { ...volume };
    const started = performance.now();
    const rtts = await probeLoop(probe.ask, options.probes, options.maxMs);
    const seconds = (performance.now() - started) / 1000;
    // The flooder reports every 250 ms: let its last figures for the probing window arrive.
    await new Promise((r) => setTimeout(r, 300));
    const p99 = percentile(rtts, 99);
    return [{
      bench: 'server.deepJsonFlood', floodSockets: options.floodSockets, probes: rtts.length,
      p50Ms: ms(percentile(rtts, 50)), p99Ms: ms(p99), maxMs: ms(rtts.at(-1)!),
      baseline: 'the same probe before the flood', baselineP50Ms: ms(percentile(baseline, 50)), baselineP99Ms: ms(percentile(baseline, 99)),
      ratio: ms(p99 / percentile(baseline, 99)),
      attackSeconds: Math.round(seconds * 10) / 10, attackFrames: volume.frames - before.frames,
      attackMB: Math.round((volume.bytes - before.bytes) / 1_048_576), attackConnections: volume.connections - before.connections,
      loadAverage1m: Math.round(load * 100) / 100,
      target: 'p99 < 500 ms', met: p99 < 500,
    }];
  } finally {
    await probe.client.close();
    flooder.kill('SIGKILL');
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [sockets, probes, maxMs] = process.argv.slice(2).map(Number);
  for (const line of await benchDeepJsonFlood({ floodSockets: sockets || 16, probes: probes || 300, maxMs: maxMs || 10_000 })) process.stdout.write(`${JSON.stringify(line)}\n`);
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
