/**
 * Idle connections (issue 6): how many connections the reference server holds and its resident
 * memory per connection above the idle process, against a bare `ws` server in the same run.
 * Server and clients are in DIFFERENT processes (bench/child.ts); each connection counts once it
 * got the server's first frame (the challenge) and is still open when the RSS is read.
 */
import WebSocket from 'ws';
import { startChildServer } from './child.js';
import type { BenchLine } from './line.js';

const BATCH = 250;
const OPEN_TIMEOUT_MS = 10_000;

function openOne(url: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => { ws.terminate(); resolve(null); }, OPEN_TIMEOUT_MS);
    ws.once('message', () => { clearTimeout(timer); resolve(ws); });
    ws.once('error', () => { clearTimeout(timer); resolve(null); });
  });
}

async function hold(mode: 'reference' | 'raw', count: number): Promise<{ held: number; idleRss: number; rss: number; openMs: number }> {
  const server = await startChildServer(mode);
  const sockets: WebSocket[] = [];
  try {
    const idleRss = await server.rss();
    const started = performance.now();
    for (let i = 0; i < count; i += BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, () => openOne(server.url)));
      for (const ws of batch) if (ws) sockets.push(ws);
    }
    const openMs = Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, 200));
    const rss = await server.rss();
    const held = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    return { held, idleRss, rss, openMs };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

const MB = 1024 * 1024;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchIdleConnections(options: { count?: number } = {}): Promise<BenchLine[]> {
  const count = options.count ?? 10_000;
  const ours = await hold('reference', count);
  const raw = await hold('raw', count);
  const perConn = (ours.rss - ours.idleRss) / Math.max(1, ours.held);
  const rawPerConn = (raw.rss - raw.idleRss) / Math.max(1, raw.held);
  return [{
    bench: 'server.idleConnections', attempted: count, held: ours.held, openMs: ours.openMs,
    idleRssMB: round(ours.idleRss / MB), rssMB: round(ours.rss / MB), bytesPerConnection: Math.round(perConn),
    baseline: 'raw ws server', baselineHeld: raw.held, baselineBytesPerConnection: Math.round(rawPerConn),
    ratio: round(perConn / rawPerConn, 2),
    target: '10000 connections at <= 10 KB RSS each', met: ours.held >= 10_000 && perConn <= 10 * 1024,
  }];
}
