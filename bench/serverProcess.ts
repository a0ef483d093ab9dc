/**
 * A server in its own process for the server benchmarks (issue 6), so client sockets and server
 * sockets never share a process (fd limit, and RSS measured for the server alone).
 * `node --expose-gc --import tsx bench/serverProcess.ts <mode>`; mode:
 * - `reference`: the reference server (MemoryStorage, virtual clock, no test control) with the
 *   frame-rate limits, the caps on unauthenticated connections and the authentication deadline
 *   lifted: a benchmark measures capacity (10,000 idle sockets from one address), not abuse
 *   protection (limits.ts);
 * - `reference-defaults`: the same with the DEFAULT limits, as `linkspec serve` runs (abuse
 *   figures: what an attacker meets);
 * - `reference-sqlite`: the same on SqliteStorage (a temporary file, WAL, synchronous NORMAL), as
 *   `linkspec serve` runs it;
 * - `raw`: the baseline, a bare `ws` server doing the same relay work without the protocol: it
 *   answers each `send` frame with a `result`, pushes a `deliver` to every receiver, and reads
 *   each `ack` (JSON parsed both ways, as the reference does).
 * IPC: the child sends `{url}` once listening; on `{cmd:'rss'}` it collects garbage twice and
 * answers `{rss}` (bytes); on `{cmd:'peak'}` it answers `{peak}`, the highest RSS sampled (every
 * 10 ms) since the previous `peak`. `--big-backlog` raises the byte budget and the queue quota; `--no-window` also lifts the
 * delivery window and the outbound backpressure (the backlog bench's baseline: everything at once).
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { ReferenceServer } from '../reference/server/server.js';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from '../reference/storage/memory.js';
import { SqliteStorage } from '../reference/storage/sqlite.js';
import { FileVerificationSender } from '../reference/server/verification.js';

const mode = process.argv[2] ?? 'reference';

async function startRaw(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const receivers = new Set<WebSocket>();
  let seq = 0;
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'challenge', nonce: 'raw', protocol: 1 }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: number; payload?: string };
      if (frame.type === 'receive') { receivers.add(ws); return; }
      if (frame.type === 'ack') return;
      if (frame.type === 'send') {
        const seqs: number[] = [];
        for (const r of receivers) {
          seqs.push(++seq);
          r.send(JSON.stringify({ type: 'deliver', seq, kind: 'message', payload: frame.payload }));
        }
        ws.send(JSON.stringify({ type: 'result', id: frame.id, ok: true, value: { seqs } }));
      }
    });
    ws.on('close', () => receivers.delete(ws));
  });
  const address = wss.address();
  if (!address || typeof address === 'string') throw new Error('unexpected address');
  return `ws://127.0.0.1:${address.port}`;
}

/** Number-verification codes (LIFE-03) go to this file, one JSON line each; the bench's phones read it. */
const codesFile = join(tmpdir(), `linkspec-bench-codes-${process.pid}.jsonl`);
process.on('exit', () => rmSync(codesFile, { force: true }));

const CAPACITY_LIMITS = { frameBurst: 1e9, framesPerSecond: 1e9, unauthenticatedFrameBurst: 1e9, unauthenticatedBytesBurst: 1e9, unauthenticatedConnections: 1e9, unauthenticatedPerAddress: 1e9, authDeadlineMs: 1e9, verificationSendsPerAddress: 1e9, verificationSendsPerMinute: 1e9 };

async function startReference(sqlite: boolean, defaults = false): Promise<string> {
  const file = join(tmpdir(), `linkspec-bench-${process.pid}.db`);
  if (sqlite) process.on('exit', () => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); });
  const storage = sqlite ? new SqliteStorage(file) : new MemoryStorage();
  // The backlog bench (bench/backlog.ts) queues 400 MB for one device: byte budget and queue quota raised.
  const big = process.argv.includes('--big-backlog');
  const noWindow = process.argv.includes('--no-window');
  const limits = defaults ? {} : {
    ...CAPACITY_LIMITS, ...(big ? { bytesBurst: 1e12, bytesPerSecond: 1e12 } : {}),
    ...(noWindow ? { outboundBufferBytes: 1e12, outboundLowWaterBytes: 1e12 } : {}),
  };
  const server = new ReferenceServer({
    storage, limits, verificationSender: new FileVerificationSender(codesFile),
    ...(big ? { queueLimits: { maxCount: 1e9, maxBytes: 1e12, ...(noWindow ? { windowCount: 1e9, windowBytes: 1e12 } : {}) } } : {}),
  });
  return server.start();
}

const url = mode === 'raw' ? await startRaw() : await startReference(mode === 'reference-sqlite', mode === 'reference-defaults');
// Peak RSS between two {cmd:'peak'} messages, sampled every 10 ms (the backlog bench).
let peak = 0;
setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10).unref();
process.on('message', (m: { cmd?: string }) => {
  if (m?.cmd === 'peak') { process.send?.({ peak: Math.max(peak, process.memoryUsage().rss) }); peak = 0; return; }
  if (m?.cmd !== 'rss') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.send?.({ rss: process.memoryUsage().rss });
});
// A normal exit on SIGINT, so `--cpu-prof` writes its profile.
process.on('SIGINT', () => process.exit(0));
process.send?.({ url, codesFile });
