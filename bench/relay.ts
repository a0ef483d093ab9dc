/**
 * Relay benchmarks (issue 6; E2E-02, OFF-02): fan-out throughput, one sender to five devices
 * (the other account's primary and its four companions), and delivery latency at half that
 * maximum, each beside a bare `ws` broadcast server doing the same frames in the same run.
 * Server in its own process (bench/child.ts). The accounts are set up by real reference clients
 * (registration, four QR links with every signature checked); the timed part uses raw
 * connections authenticated with those devices' keys, sending one real sealed envelope per
 * device (sealed once, reused: the server cannot tell) and acking every delivery.
 * A message counts when all five deliveries have arrived; latency is from its scheduled send
 * time to its fifth delivery.
 */
import WebSocket from 'ws';
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';
import { sealFor } from '../reference/crypto/envelope.js';
import { randomBytes, sign, toBase64 } from '../reference/crypto/keys.js';
import { AUTH_PREFIX, challengeBytes } from '../reference/protocol/constants.js';
import { fromBase64 } from '../reference/crypto/keys.js';
import { linkByQr } from '../fuzz/canary.js';
import { startChildServer, type ChildServer, type ServerMode } from './child.js';
import type { BenchLine } from './line.js';

const FANOUT = 5;
const WINDOW = 32;
const MESSAGE_BYTES = 256;

/** A raw connection: JSON frames in, a callback per frame. */
class RawSocket {
  onFrame: (frame: any) => void = () => undefined;
  private constructor(readonly ws: WebSocket, readonly nonce: string) {}
  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let socket: RawSocket | undefined;
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (!socket) { socket = new RawSocket(ws, frame.nonce); resolve(socket); return; }
        socket.onFrame(frame);
      });
      ws.once('error', reject);
    });
  }
  send(frame: object): void { this.ws.send(JSON.stringify(frame)); }
  close(): void { this.ws.terminate(); }
}

/** One side of the comparison: how to make a sender and five receivers ready. */
interface Rig {
  readonly sender: RawSocket;
  readonly receivers: readonly RawSocket[];
  /** The `send` frame for message `id`. */
  frame(id: number): object;
  close(): Promise<void>;
}

async function authenticated(url: string, client: DeviceClient): Promise<RawSocket> {
  const s = await RawSocket.open(url);
  const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, fromBase64(s.nonce)), client.keys.signing.secretKey));
  await new Promise<void>((resolve, reject) => {
    s.onFrame = (f) => { if (f.type === 'result') (f.ok ? resolve() : reject(new Error(`auth refused ${f.code}`))); };
    s.send({ type: 'auth', id: 1, deviceId: client.deviceId, signature });
  });
  return s;
}

async function referenceRig(server: ChildServer): Promise<Rig> {
  const device = (role: 'primary' | 'companion', name: string) => new DeviceClient({ url: server.url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server.verificationCode(phone) });
  const a = device('primary', 'A phone');
  const b = device('primary', 'B phone');
  await a.register('+2001', { idCheck: false });
  await b.register('+2002', { idCheck: false });
  const companions: DeviceClient[] = [];
  for (let i = 0; i < FANOUT - 1; i++) {
    const c = device('companion', `B companion ${i}`);
    await c.connect();
    await linkByQr(b, c);
    companions.push(c);
  }
  const targets = [b, ...companions];
  const plaintext = randomBytes(MESSAGE_BYTES);
  const envelopes = targets.map((t) => ({ to: t.deviceId!, envelope: sealFor(plaintext, t.keys.box.publicKey, a.keys.box.secretKey) }));
  for (const c of [a, ...targets]) await c.dropConnection();
  const sender = await authenticated(server.url, a);
  const receivers = await Promise.all(targets.map((t) => authenticated(server.url, t)));
  return {
    sender, receivers,
    frame: (id) => ({ type: 'send', id, toPhone: '+2002', envelopes }),
    close: async () => { for (const s of [sender, ...receivers]) s.close(); },
  };
}

async function rawRig(server: ChildServer): Promise<Rig> {
  const sender = await RawSocket.open(server.url);
  const receivers = await Promise.all(Array.from({ length: FANOUT }, () => RawSocket.open(server.url)));
  for (const r of receivers) r.send({ type: 'receive' });
  await new Promise((r) => setTimeout(r, 50));
  // The same bytes on the wire as the reference's five envelopes.
  const payload = 'x'.repeat(FANOUT * (MESSAGE_BYTES + 16) * 1.4);
  return {
    sender, receivers,
    frame: (id) => ({ type: 'send', id, payload }),
    close: async () => { for (const s of [sender, ...receivers]) s.close(); },
  };
}

interface Delivered { messages: number; ms: number; latencies: number[] }

/**
 * Send `count` messages (or until `maxMs`): closed-loop with WINDOW in flight when `rate` is
 * undefined, else open-loop at `rate` messages/s. Resolves when every sent message is delivered.
 */
function drive(rig: Rig, count: number, maxMs: number, rate?: number): Promise<Delivered> {
  return new Promise((resolve, reject) => {
    const arrived = new Map<number, number>();
    const sentAt = new Map<number, number>();
    const seqsOf = new Map<number, number[]>();
    const doneAt = new Map<number, number>();
    let sent = 0;
    let inFlight = 0;
    let finishedSending = false;
    const start = performance.now();
    const check = (id: number) => {
      const seqs = seqsOf.get(id);
      if (!seqs || doneAt.has(id) || !seqs.every((s) => arrived.has(s))) return;
      doneAt.set(id, Math.max(...seqs.map((s) => arrived.get(s)!)));
      inFlight--;
      if (rate === undefined) pump();
      if (finishedSending && doneAt.size === sent) finish();
    };
    const waitingBySeq = new Map<number, number>();
    for (const r of rig.receivers) {
      r.onFrame = (f) => {
        if (f.type !== 'deliver') return;
        arrived.set(f.seq, performance.now());
        r.send({ type: 'ack', seq: f.seq });
        const id = waitingBySeq.get(f.seq);
        if (id !== undefined) check(id);
      };
    }
    rig.sender.onFrame = (f) => {
      if (f.type !== 'result') return;
      if (!f.ok) { reject(new Error(`send refused ${f.code}`)); return; }
      seqsOf.set(f.id, f.value.seqs);
      for (const s of f.value.seqs) waitingBySeq.set(s, f.id);
      check(f.id);
    };
    const sendOne = (at: number) => {
      const id = ++sent;
      sentAt.set(id, at);
      inFlight++;
      rig.sender.send(rig.frame(id));
    };
    const timeUp = () => sent >= count || performance.now() - start >= maxMs;
    const pump = () => {
      while (!finishedSending && inFlight < WINDOW) {
        if (timeUp()) { finishedSending = true; break; }
        sendOne(performance.now());
      }
    };
    const finish = () => {
      const ms = Math.max(...doneAt.values()) - start;
      resolve({ messages: doneAt.size, ms, latencies: [...doneAt].map(([id, t]) => t - sentAt.get(id)!) });
    };
    if (rate === undefined) { pump(); return; }
    // Open loop: every message at its scheduled time, whatever the answers do.
    const interval = 1000 / rate;
    const tick = () => {
      const now = performance.now();
      while (!timeUp() && start + sent * interval <= now) sendOne(start + sent * interval);
      if (timeUp()) { finishedSending = true; if (doneAt.size === sent) finish(); return; }
      setTimeout(tick, 1);
    };
    tick();
  });
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

async function measure(mode: ServerMode, count: number, maxMs: number, latencyRate: (max: number) => number, nodeFlags: readonly string[]) {
  const server = await startChildServer(mode, nodeFlags);
  try {
    const rig = mode === 'raw' ? await rawRig(server) : await referenceRig(server);
    try {
      await drive(rig, Math.min(200, count), 1000); // warm-up
      const max = await drive(rig, count, maxMs);
      const maxRate = (max.messages * 1000) / max.ms;
      const rate = latencyRate(maxRate);
      const paced = await drive(rig, Math.ceil(rate * (maxMs / 1000)), maxMs, rate);
      return { maxRate, rate, paced };
    } finally {
      await rig.close();
    }
  } finally {
    await server.stop();
  }
}

/** `count` messages at most per phase, each phase bounded by `maxMs`. `profileDir`: --cpu-prof the reference server. */
export async function benchRelay(options: { count?: number; maxMs?: number; profileDir?: string } = {}): Promise<BenchLine[]> {
  const count = options.count ?? 20_000;
  const maxMs = options.maxMs ?? 4_000;
  const flags = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const ours = await measure('reference', count, maxMs, (max) => max / 2, flags);
  // The baseline's latency is measured at the SAME rate as ours (half of OUR maximum).
  const raw = await measure('raw', count, maxMs, () => ours.rate, []);
  const fanout = {
    bench: 'server.fanout', devices: FANOUT, messagesPerSec: Math.round(ours.maxRate), deliveriesPerSec: Math.round(ours.maxRate * FANOUT),
    baseline: 'raw ws broadcast', baselineMessagesPerSec: Math.round(raw.maxRate), ratio: r2(ours.maxRate / raw.maxRate),
    target: '>= 50% of raw ws', met: ours.maxRate >= 0.5 * raw.maxRate,
  };
  const p50 = percentile(ours.paced.latencies, 50);
  const p99 = percentile(ours.paced.latencies, 99);
  const latency = {
    bench: 'server.latency', messagesPerSec: Math.round(ours.rate), messages: ours.paced.messages, load: 'half of server.fanout max',
    p50Ms: r2(p50), p99Ms: r2(p99),
    baseline: 'raw ws broadcast at the same rate', baselineP50Ms: r2(percentile(raw.paced.latencies, 50)), baselineP99Ms: r2(percentile(raw.paced.latencies, 99)),
    ratio: r2(p99 / percentile(raw.paced.latencies, 99)),
    target: 'p99 <= 10 ms at half max load', met: p99 <= 10,
  };
  // Informational: the same rig on SQLite, as `linkspec serve` stores (no target).
  const sqlite = await measure('reference-sqlite', count, maxMs, (max) => max / 2, []);
  const fanoutSqlite = {
    bench: 'server.fanoutSqlite', devices: FANOUT, messagesPerSec: Math.round(sqlite.maxRate),
    baseline: 'raw ws broadcast', baselineMessagesPerSec: Math.round(raw.maxRate), ratio: r2(sqlite.maxRate / raw.maxRate),
    halfLoadMessagesPerSec: Math.round(sqlite.rate), p50Ms: r2(percentile(sqlite.paced.latencies, 50)), p99Ms: r2(percentile(sqlite.paced.latencies, 99)),
  };
  return [fanout, latency, fanoutSqlite];
}
