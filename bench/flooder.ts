/**
 * A flooding client in its own process (bench/abuse.ts), so the probe's round trips measure the
 * server, not a shared event loop: `node --import tsx bench/flooder.ts <url> <sockets>` keeps that
 * many unauthenticated sockets sending frames of nested `[`, four in flight each (the server
 * answers each frame it reads; the server closes a socket over its budgets), until killed.
 * Socket i sends:
 * - i % 4 == 0: 1 MiB frames (above the pre-authentication read limit: the server closes 1009);
 * - i % 4 == 1: 60 KiB frames nested 60,000 deep (refused by the nesting scan, unparsed);
 * - i % 4 == 2: 60 KiB frames nested 30 deep, 2,000 arrays wide (as deep as allowed: parsed);
 * - i % 4 == 3: 40-byte frames nested 40 deep, 64 in flight (many small frames).
 * A socket the server closes is opened again at once: the attack keeps its volume. Prints `ready`
 * once every socket got its challenge, then every 250 ms a JSON line of what was sent so far:
 * `{"frames","bytes","connections"}`.
 */
import WebSocket from 'ws';

const [url, count] = [process.argv[2]!, Number(process.argv[3] ?? '8')];
const big = '['.repeat(1_048_000);
const deep = '['.repeat(60_000);
const wide = `${'['.repeat(30)}${Array.from({ length: 2_000 }, () => '[1,2,3,4,5,6,7,8]').join(',')}${']'.repeat(30)}`;
const small = '['.repeat(40);
const FRAMES = [big, deep, wide, small];
const inFlight = (frame: string) => (frame === small ? 64 : 4);

let frames = 0;
let bytes = 0;
let connections = 0;
let ready = 0;

function attack(i: number, first: boolean): void {
  const ws = new WebSocket(url, { maxPayload: 8 * 1_048_576 });
  const frame = FRAMES[i % FRAMES.length]!;
  connections++;
  const send = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(frame);
    frames++;
    bytes += frame.length;
  };
  let started = false;
  ws.on('message', () => {
    if (!started) {
      started = true;
      if (first && ++ready === count) process.stdout.write('ready\n');
      for (let k = 0; k < inFlight(frame); k++) send();
      return;
    }
    send();
    if (frame === small) send();
  });
  ws.on('error', () => undefined);
  // Refused or closed: come back at once (a real attacker would).
  ws.on('close', () => setImmediate(() => attack(i, first && !started)));
}

for (let i = 0; i < count; i++) attack(i, true);
setInterval(() => process.stdout.write(`${JSON.stringify({ frames, bytes, connections })}\n`), 250);
