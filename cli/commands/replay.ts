/**
 * `linkspec replay FILE --adapter SPEC [--profile FILE]`: runs an ITF trace (conformance/itf.ts:
 * a model path or a failing path a run wrote under traces/, or one from another tool that uses
 * the same events) against any adapter, the model as oracle after every step, and prints each
 * step numbered from 1 with ✓ or ✗, then the first difference.
 * Exit: 0 the implementation followed the model for every step; 1 it differed; 2 a trace that is
 * not valid (BAD_TRACE, naming the state and field) or a usage error.
 *
 *   linkspec traces --out DIR [--profile FILE]   writes every model path as DIR/<path>.itf.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { loadProfile } from '../profileFile.js';
import { resolveAdapter } from '../../adapters/index.js';
import { failureFromSession } from '../../conformance/failure.js';
import { eventsFromItf, modelPathTraces } from '../../conformance/itf.js';
import { runPath } from '../../conformance/lockstep.js';
import { loadModelSource } from '../../conformance/modelSource.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';

function readTrace(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError('BAD_TRACE', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export const registerReplay: RegisterCommand = (program, setExit) => {
  program
    .command('replay')
    .description('Run an ITF trace (a model path, or a failing path from a run\'s traces/ folder) against an adapter, the model as oracle.')
    .argument('<file>', 'an ITF trace (.itf.json)')
    .requiredOption('--adapter <spec>', 'reference | reference-ws=<url> | remote=<url> | known-bad:<id> | ./adapter-module.ts')
    .option('--profile <file>', 'a profile JSON file (default: the seed\'s WhatsApp profile)')
    .action(async (file: string, args: { adapter: string; profile?: string }) => {
      const { events, meta } = eventsFromItf(readTrace(file), file);
      const profile = args.profile !== undefined ? loadProfile(args.profile) : DEFAULT_PROFILE;
      const recorded = (meta.linkspec as { profile?: unknown } | undefined)?.profile;
      if (typeof recorded === 'string' && recorded !== profile.name) process.stdout.write(`note: the trace was recorded with profile '${recorded}', replayed with '${profile.name}'\n`);
      const model = await loadModelSource();
      const adapter = await resolveAdapter(args.adapter);
      try {
        const session = await runPath({ adapter, profile, createOracle: model.createOracle, events });
        for (const [i, r] of session.records.entries()) {
          process.stdout.write(`${String(i + 1).padStart(3)}. ${r.ok ? '✓' : '✗'} ${r.event}\n`);
          if (!r.ok) process.stdout.write(`       expected: ${r.expected}\n       actual:   ${r.actual}\n`);
        }
        const failure = failureFromSession(session);
        if (failure) {
          process.stdout.write(`linkspec replay: DIFFERS at step ${failure.failingStep + 1} of ${events.length} - ${failure.requirement}: ${failure.message}\n`);
          setExit(EXIT.FAILED);
        } else {
          process.stdout.write(`linkspec replay: followed the model for all ${events.length} steps\n`);
          setExit(EXIT.OK);
        }
      } finally {
        await adapter.dispose?.();
      }
    });

  program
    .command('traces')
    .description('Write every model path as an ITF trace (Apalache/Quint Informal Trace Format).')
    .option('--out <dir>', 'folder for <path>.itf.json', 'reports/out/traces')
    .option('--profile <file>', 'a profile JSON file (default: the seed\'s WhatsApp profile)')
    .action(async (args: { out: string; profile?: string }) => {
      const profile = args.profile !== undefined ? loadProfile(args.profile) : DEFAULT_PROFILE;
      const model = await loadModelSource();
      const files = modelPathTraces(model.coveringPaths(profile), profile);
      mkdirSync(args.out, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(args.out, name), text);
      process.stdout.write(`wrote ${Object.keys(files).length} ITF traces to ${args.out}\n`);
    });
};
