/**
 * Misbehaving remote drivers (issue 11): the worked example served by serveDriver, behind a proxy
 * that breaks the protocol in one way each. `--adapter remote=<url>` points the harness at it.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { serveDriver } from '../../../adapters/remote/driverServer.js';
import { createInMemoryAdapter } from '../../../adapters/examples/inMemoryAdapter.js';

export type DriverMisbehaviour = 'rpc-error' | 'garbage' | 'wrong-ids' | 'duplicates' | 'conflicting' | 'late' | 'close-mid-run' | 'oversized';

/** `after`: how many driver.* answers pass untouched before the misbehaviour starts. */
export async function startMisbehavingDriver(kind: DriverMisbehaviour, after = 20): Promise<{ url: string; close: () => Promise<void> }> {
  const inner = await serveDriver(createInMemoryAdapter(), { port: 0 });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  let answers = 0;
  server.on('connection', (client) => {
    const upstream = new WebSocket(inner.url);
    const queue: string[] = [];
    const methods = new Map<number, string>();
    upstream.on('open', () => { for (const q of queue.splice(0)) upstream.send(q); });
    client.on('message', (data) => {
      const text = String(data);
      try { const f = JSON.parse(text) as { id: number; method: string }; methods.set(f.id, f.method); } catch { /* forwarded as is */ }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text); else queue.push(text);
    });
    upstream.on('message', (data) => {
      const text = String(data);
      const frame = JSON.parse(text) as { id: number; result?: unknown };
      const method = methods.get(frame.id) ?? '';
      if (!method.startsWith('driver.') || ++answers <= after) return client.send(text);
      switch (kind) {
        case 'rpc-error': return client.send(JSON.stringify({ jsonrpc: '2.0', id: frame.id, error: { code: -32000, message: `${method} failed inside the implementation` } }));
        case 'garbage': return client.send('<html>502 Bad Gateway</html>');
        case 'wrong-ids': return client.send(JSON.stringify({ ...frame, id: frame.id + 1000 }));
        case 'duplicates': client.send(text); return client.send(text);
        case 'conflicting': client.send(text); return client.send(JSON.stringify({ ...frame, result: { ok: false, code: 'INTERNAL' } }));
        case 'late': if (answers === after + 1) { setTimeout(() => client.readyState === WebSocket.OPEN && client.send(text), 60_000).unref(); return; } return client.send(text);
        case 'close-mid-run': return client.close(1011, 'driver crashed');
        case 'oversized': return client.send(JSON.stringify({ ...frame, padding: 'x'.repeat(20 * 1024 * 1024) }));
      }
    });
    client.on('close', () => upstream.close());
    upstream.on('close', () => client.close());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of server.clients) c.terminate();
      await new Promise<void>((r) => server.close(() => r()));
      await inner.close();
    },
  };
}
