/**
 * `linkspec web [--host H] [--port N] [--server ws://…]`: serves the web companion
 * (reference/web) until SIGINT or SIGTERM. The page links this browser, as a companion device, to
 * an account on the reference server at --server (default: `linkspec serve`'s ws://127.0.0.1:8080).
 * Exit: 0 after a clean shutdown, 2 on a bad argument (BAD_PORT, BAD_URL) or when the page cannot
 * be built or served (WEB_FAILED).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';

export interface WebArgs { host: string; port: string; server: string }

export const registerWeb: RegisterCommand = (program, setExit) => {
  program.command('web')
    .description('Serve the web companion: the reference client as a page in your browser (QR code or pairing code linking).')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8081')
    .option('--server <url>', 'ws:// URL of the reference server (linkspec serve)', 'ws://127.0.0.1:8080')
    .action(async (args: WebArgs) => {
      const port = Number(args.port);
      if (!/^\d+$/.test(args.port) || port > 65535) throw new UsageError('BAD_PORT', `--port '${args.port}': expected 0..65535`);
      let server: URL;
      try { server = new URL(args.server); } catch { throw new UsageError('BAD_URL', `--server '${args.server}' is not a URL`); }
      if (server.protocol !== 'ws:' && server.protocol !== 'wss:') throw new UsageError('BAD_URL', `--server '${args.server}' must be a ws: or wss: URL`);
      const { startWebServer } = await import('../../reference/web/webServer.js');
      let web: Awaited<ReturnType<typeof startWebServer>>;
      try {
        web = await startWebServer({ host: args.host, port, config: { server: args.server } });
      } catch (error) {
        throw new UsageError('WEB_FAILED', `cannot serve the web companion on ${args.host}:${port}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      process.stdout.write(`linkspec web companion on ${web.url} (reference server ${args.server}; open it in a browser)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await web.close();
      process.stdout.write('linkspec web companion stopped\n');
      setExit(EXIT.OK);
    });
};
