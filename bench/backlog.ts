/**
 * A large backlog reconnecting (issue 10; OFF-02): `messages` messages of `payloadBytes` each are
 * queued for an offline device through the real server on SQLite (a temporary file, its own
 * process, byte budget and queue quota raised), then the device reconnects and drains the queue,
 * acking every delivery. Figure: the server's peak RSS during the drain (sampled every 10 ms).
 * Baseline, same run: the same server with the delivery window and the outbound backpressure
 * lifted (`--no-window`), which pushes the whole backlog at once as the server did before paged
 * delivery (measured on main before it: peak RSS 1,711 MB for 4,000 x 100 KB).
 */
import WebSocket from 'ws';
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';
import { fromBase64, sign, toBase64 } from '../reference/crypto/keys.js';
import { AUTH_PREFIX, challengeBytes } from '../reference/protocol/constants.js';
import { startChildServer, type ChildServer } from './child.js';
import type { BenchLine } from './line.js';

const MB = 1_048_576;
const SEND_WINDOW = 16;

/** A raw socket authenticated as `client`; `onFrame` sees every frame after the auth result. */
async function authenticated(url: string, client: DeviceClient, onFrame: (frame: any, ws: WebSocket) => void): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * MB });
  return new Promise((resolve, reject) => {
    let authed = false;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'challenge') {
        const signature = toBase64(sign(challengeBytes(AUTH_PREFIX, fromBase64(frame.nonce)), client.keys.signing.secretKey));
        ws.send(JSON.stringify({ type: 'auth', id: 1, deviceId: client.deviceId, signature }));
      } else if (!authed && frame.type === 'result' && frame.id === 1) {
        authed = true;
        if (frame.ok) resolve(ws); else reject(new Error(`auth refused ${frame.code}`));
      } else {
        onFrame(frame, ws);
      }
    });
    ws.once('error', reject);
  });
}

/** Queue `messages` envelopes of `payloadBytes` for Bob's offline phone; `send` answers awaited, SEND_WINDOW in flight. */
async function fill(server: ChildServer, alice: DeviceClient, bobId: string, messages: number, payloadBytes: number): Promise<void> {
  let sent = 0;
  let answered = 0;
  const envelope = { nonce: toBase64(new Uint8Array(24)), ciphertext: 'x'.repeat(payloadBytes) };
  await new Promise<void>((resolve, reject) => {
    let ws: WebSocket;
    const next = () => {
      while (sent < messages && sent - answered < SEND_WINDOW) {
        sent++;
        ws.send(JSON.stringify({ type: 'send', id: 100 + sent, toPhone: '+3002', envelopes: [{ to: bobId, envelope }] }));
      }
    };
    void authenticated(server.url, alice, (frame) => {
      if (frame.type !== 'result') return;
      if (!frame.ok) { reject(new Error(`send refused ${frame.code}`)); return; }
      answered++;
      if (answered === messages) { ws.close(); resolve(); } else next();
    }).then((socket) => { ws = socket; next(); }, reject);
  });
}

/** Reconnect as Bob and ack every delivery until `messages` arrived; resolves with the ms it took. */
async function drain(server: ChildServer, bob: DeviceClient, messages: number): Promise<number> {
  const started = performance.now();
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    void authenticated(server.url, bob, (frame, ws) => {
      if (frame.type !== 'deliver') return;
      received++;
      ws.send(JSON.stringify({ type: 'ack', seq: frame.seq }));
      if (received === messages) { ws.close(); resolve(); }
    }).catch(reject);
  });
  return performance.now() - started;
}

async function once(messages: number, payloadBytes: number, window: boolean): Promise<{ peak: number; idle: number; drainMs: number }> {
  const server = await startChildServer('reference-sqlite', [], ['--big-backlog', ...(window ? [] : ['--no-window'])]);
  try {
    const device = (name: string) => new DeviceClient({ url: server.url, role: 'primary', name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server.verificationCode(phone) });
    const alice = device('alice');
    const bob = device('bob');
    await alice.register('+3001', { idCheck: false });
    await bob.register('+3002', { idCheck: false });
    await alice.dropConnection();
    await bob.dropConnection();
    await fill(server, alice, bob.deviceId!, messages, payloadBytes);
    const idle = await server.rss();
    await server.peak();
    const drainMs = await drain(server, bob, messages);
    return { peak: await server.peak(), idle, drainMs };
  } finally {
    await server.stop();
  }
}

export async function benchBacklog(options: { messages: number; payloadBytes: number }): Promise<BenchLine[]> {
  const { messages, payloadBytes } = options;
  const paged = await once(messages, payloadBytes, true);
  const whole = await once(messages, payloadBytes, false);
  const mb = (b: number) => Math.round(b / MB);
  return [{
    bench: 'backlog.reconnect', store: 'sqlite', messages, payloadBytes, backlogMB: mb(messages * payloadBytes),
    peakRssMB: mb(paged.peak), rssBeforeReconnectMB: mb(paged.idle), drainMs: Math.round(paged.drainMs),
    baseline: 'no delivery window nor outbound backpressure (the whole backlog pushed at once, as before paging)',
    baselinePeakRssMB: mb(whole.peak), baselineDrainMs: Math.round(whole.drainMs),
    ratio: Math.round((whole.peak / paged.peak) * 100) / 100,
  }];
}
