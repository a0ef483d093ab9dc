/**
 * A flooding client in its own process (bench/abuse.ts), so the probe's round trips measure the
 * server, not a shared event loop: `node --import tsx bench/flooder.ts <url> <sockets>` opens that
 * many unauthenticated sockets and keeps each sending frames of nested `[` (even sockets 1 MiB,
 * odd ones 60 KiB), four in flight, until killed. Prints `ready` once every socket is open.
 */
import WebSocket from 'ws';

const [url, count] = [process.argv[2]!, Number(process.argv[3] ?? '8')];
const big = '['.repeat(1_048_000);
const deep = '['.repeat(60_000);
let opened = 0;
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url, { maxPayload: 8 * 1_048_576 });
  const frame = i % 2 === 0 ? big : deep;
  let started = false;
  ws.on('message', () => {
    if (!started) {
      started = true;
      if (++opened === count) process.stdout.write('ready\n');
      for (let k = 0; k < 4; k++) ws.send(frame);
      return;
    }
    if (ws.readyState === ws.OPEN) ws.send(frame);
  });
  ws.on('error', () => undefined);
}
