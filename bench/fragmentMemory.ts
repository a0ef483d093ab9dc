/**
 * Issue 10, "unfinished fragmented messages pin memory": ws buffers the fragments of a message
 * until its last one arrives, so an unauthenticated socket that sends a fragmented message as
 * large as it may, and never finishes it, pins that many bytes in the server for as long as it
 * stays connected. This measures the server's resident memory per such socket:
 * `server.fragmentMemory` = (RSS with the sockets held - idle RSS) / sockets attempted.
 *
 * The server runs in its own process with the DEFAULT limits (what `linkspec serve` runs,
 * bench/serverProcess.ts mode `reference-defaults`); the attack comes from several loopback
 * addresses (127.0.0.2, 127.0.0.3, ...) so the per-address cap of unauthenticated sockets is not
 * what stops it. Each socket sends fragments of FRAGMENT_BYTES, never the final one, up to just
 * under a message size, and stays connected; a socket the server closes (1009: over its read
 * limit) counts as attempted, not held. Two message sizes, each on a fresh server: the hard frame
 * size (4 MiB, what ws read from anyone before issue 10) and the pre-authentication read limit
 * (64 KiB, PROTOCOL.md: the most an attacker may now pin per socket).
 *
 * Run alone: `node --import tsx bench/fragmentMemory.ts [sockets]` prints one JSON line.
 */
import WebSocket from 'ws';
import { HARD_FRAME_BYTES } from '../reference/protocol/constants.js';
import { DEFAULT_LIMITS } from '../reference/server/limits.js';
import { startChildServer } from './child.js';
import type { BenchLine } from './line.js';

const FRAGMENT_BYTES = 16 * 1024;
/** Sockets per source address: below the default per-address cap (limits.ts), so the cap is not what is measured. */
const PER_ADDRESS = 32;
const SETTLE_MS = 1_500;
const UNAUTHENTICATED_FRAME_BYTES = DEFAULT_LIMITS.unauthenticatedFrameBytes;
const OPEN_TIMEOUT_MS = 10_000;

interface Attacker { readonly ws: WebSocket; closedWith: number | null; sent: number }

function attack(url: string, localAddress: string, messageBytes: number): Promise<Attacker> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    const a: Attacker = { ws, closedWith: null, sent: 0 };
    const timer = setTimeout(() => { ws.terminate(); resolve(a); }, OPEN_TIMEOUT_MS);
    ws.on('close', (code) => { a.closedWith = code; clearTimeout(timer); resolve(a); });
    ws.on('error', () => undefined);
    ws.once('message', () => {
      clearTimeout(timer);
      const chunk = Buffer.alloc(FRAGMENT_BYTES, 0x5b); // '['
      // Just under `messageBytes` in all, every fragment with fin=false: the message never ends.
      while (a.sent < messageBytes - 1 && ws.readyState === WebSocket.OPEN) {
        const n = Math.min(FRAGMENT_BYTES, messageBytes - 1 - a.sent);
        ws.send(n === FRAGMENT_BYTES ? chunk : chunk.subarray(0, n), { fin: false, binary: false });
        a.sent += n;
      }
      resolve(a);
    });
  });
}

const MB = 1024 * 1024;

export async function benchFragmentMemory(options: { sockets: number }): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  for (const messageBytes of [HARD_FRAME_BYTES, UNAUTHENTICATED_FRAME_BYTES]) lines.push(await measure(options.sockets, messageBytes));
  return lines;
}

async function measure(sockets: number, messageBytes: number): Promise<BenchLine> {
  const server = await startChildServer('reference-defaults');
  const attackers: Attacker[] = [];
  try {
    const idleRss = await server.rss();
    for (let i = 0; i < sockets; i += PER_ADDRESS) {
      const address = `127.0.0.${2 + i / PER_ADDRESS}`;
      const batch = Math.min(PER_ADDRESS, sockets - i);
      attackers.push(...await Promise.all(Array.from({ length: batch }, () => attack(server.url, address, messageBytes))));
    }
    // Let the server read what was sent (and close what it refuses).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rss = await server.rss();
    const held = attackers.filter((a) => a.ws.readyState === WebSocket.OPEN).length;
    const closes: Record<string, number> = {};
    for (const a of attackers) if (a.closedWith !== null) closes[a.closedWith] = (closes[a.closedWith] ?? 0) + 1;
    const perSocket = (rss - idleRss) / Math.max(1, attackers.length);
    return {
      bench: 'server.fragmentMemory', messageBytes, sockets: attackers.length, held, closes,
      bytesSentPerSocket: Math.round(attackers.reduce((s, a) => s + a.sent, 0) / Math.max(1, attackers.length)),
      idleRssMB: Math.round(idleRss / MB), rssMB: Math.round(rss / MB),
      rssPerSocketKB: Math.round(perSocket / 1024),
      target: 'bounded by the pre-authentication read limit, not the 4 MiB hard frame size',
    };
  } finally {
    for (const a of attackers) a.ws.terminate();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchFragmentMemory({ sockets: Number(process.argv[2] ?? '128') })) process.stdout.write(`${JSON.stringify(line)}\n`);
}
