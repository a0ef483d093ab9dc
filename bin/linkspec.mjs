#!/usr/bin/env node
// The linkspec command. The sources are TypeScript; tsx compiles them on load so that
// `npx linkspec …` works straight after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main, exitRequested } = await import('../cli/main.ts');
const code = await main(process.argv);
process.exitCode = code;
if (exitRequested()) {
  // `linkspec run` is done and its reports are written: an adapter's live handles (a hung
  // call's server, a socket) must not keep the process alive. Exit once output is flushed.
  const flushed = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)));
  await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((r) => setTimeout(r, 2000).unref())]);
  process.exit(code);
}
