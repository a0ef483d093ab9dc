/**
 * `linkspec driver --adapter <spec> [--port N]`: serves any adapter over the remote driver
 * protocol (adapters/remote/REMOTE.md) on loopback, prints its URL, and runs until SIGINT or
 * SIGTERM. This is how the reference ships as a driver, and how a harness elsewhere reaches an
 * in-process adapter: `linkspec run --adapter remote=<printed url>`.
 *
 * Guarantees: a bad spec or port exits 2 with a stable code before anything listens; on a signal
 * every world is closed and the adapter disposed before exit 0.
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { resolveAdapter } from '../../adapters/index.js';
import { serveDriver } from '../../adapters/remote/driverServer.js';

export const registerDriver: RegisterCommand = (program, setExit) => {
  program
    .command('driver')
    .description('Serve an adapter over the remote driver protocol (JSON-RPC 2.0 over WebSocket, loopback only).')
    .requiredOption('--adapter <spec>', 'the adapter to serve: reference, reference-ws=<url>, remote=<url> or ./module.ts')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', '0')
    .action(async (options: { adapter: string; port: string }) => {
      const port = parsePort(options.port);
      const adapter = await resolveAdapter(options.adapter);
      let server;
      try {
        server = await serveDriver(adapter, { port });
      } catch (error) {
        await adapter.dispose?.();
        throw new UsageError('DRIVER_LISTEN_FAILED', `cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`);
      }
      process.stdout.write(`linkspec driver: serving '${adapter.name}' at ${server.url}\n`);
      process.stdout.write(`  test it with: linkspec run --adapter remote=${server.url}\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdout.write(`linkspec driver: ${signal}, closing\n`);
      await server.close();
      await adapter.dispose?.();
      setExit(EXIT.OK);
    });
};

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new UsageError('BAD_PORT', `--port '${text}': expected an integer from 0 to 65535`);
  }
  return port;
}
