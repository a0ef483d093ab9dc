/**
 * Where the reference cluster's services are, and whether they answer: PostgreSQL (the shared
 * store), Redis (the fan-out bus) and NATS (checked by CI, the alternative bus). Used by the
 * cluster adapter (a clear error when one is missing), by the test setup (CI=true fails, a
 * user's machine skips the cluster tests with one printed line) and by `.ci/run`.
 *
 * Defaults are the project machines' services (trust authentication, database `test`); the
 * environment variables LINKSPEC_PG_URL, LINKSPEC_REDIS_URL, LINKSPEC_NATS_URL override them.
 */
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { loadPgNative } from '../../reference/storage/postgres.js';

export const SERVICE_URLS = {
  postgres: process.env.LINKSPEC_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  redis: process.env.LINKSPEC_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.LINKSPEC_NATS_URL ?? 'nats://127.0.0.1:4222',
} as const;

export type ServiceName = keyof typeof SERVICE_URLS;

/** The one line a user's test run prints when the cluster tests are skipped. */
export const ENABLE_HINT = 'cluster tests skipped: PostgreSQL, Redis or NATS not answering, or pg-native not installed (start them, or set LINKSPEC_PG_URL / LINKSPEC_REDIS_URL / LINKSPEC_NATS_URL; apt-get install libpq-dev && npm ci)';

const require = createRequire(import.meta.url);

/** Open a TCP connection and read the first bytes the server volunteers (or ask with `hello`). */
function tcpAnswer(url: string, hello: string | null, expect: RegExp, timeoutMs: number): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    let text = '';
    const finish = (problem: string | null) => { clearTimeout(timer); socket.destroy(); resolve(problem); };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('connect', () => { if (hello) socket.write(hello); });
    socket.on('data', (chunk) => { text += chunk.toString('utf8'); if (expect.test(text)) finish(null); });
    socket.on('error', (error) => finish(error.message));
  });
}

function postgresAnswer(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    let Client: new () => { connect(url: string, cb: (e?: Error) => void): void; query(t: string, cb: (e?: Error) => void): void; end(cb?: () => void): void };
    try { Client = loadPgNative(require) as unknown as typeof Client; } catch (error) { resolve((error as Error).message); return; }
    const client = new Client();
    const timer = setTimeout(() => resolve('no answer within 3000 ms'), 3000);
    client.connect(url, (error) => {
      if (error) { clearTimeout(timer); resolve(error.message); return; }
      client.query('SELECT 1', (e) => { clearTimeout(timer); client.end(); resolve(e ? e.message : null); });
    });
  });
}

/** null for each service that answers, else why not. */
export async function probeServices(timeoutMs = 3000): Promise<Record<ServiceName, string | null>> {
  const [postgres, redis, nats] = await Promise.all([
    postgresAnswer(SERVICE_URLS.postgres),
    tcpAnswer(SERVICE_URLS.redis, 'PING\r\n', /\+PONG/, timeoutMs),
    tcpAnswer(SERVICE_URLS.nats, null, /^INFO /, timeoutMs),
  ]);
  return { postgres, redis, nats };
}

/** The missing services as one sentence, or null when all answer. */
export function describeMissing(status: Partial<Record<ServiceName, string | null>>): string | null {
  const missing = (Object.keys(status) as ServiceName[]).filter((k) => status[k] !== null && status[k] !== undefined);
  return missing.length === 0 ? null : missing.map((k) => `${k} at ${SERVICE_URLS[k]}: ${status[k]}`).join('; ');
}
