#!/usr/bin/env node
// The linkspec command. The sources are TypeScript; tsx compiles them on load so that
// `npx linkspec …` works straight after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
