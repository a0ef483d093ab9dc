/**
 * `linkspec fuzz [--frames N] [--seed N] [--workers N]`: fuzzes the reference server with
 * hostile frames while a canary account keeps linking and messaging (fuzz/runFuzz.ts, issue 6).
 * Prints JSON lines: one per outcome (`{"fuzz":"outcome","outcome":"BAD_FRAME","count":N}`), one
 * per family, the flood phase, the canary, each failure (the first 20) and a summary with the seed.
 * Exit: 0 when every frame was answered with a stable code (or closed as documented), nothing
 * crashed and the canary was unaffected; 1 otherwise; 2 on a bad argument (BAD_FRAMES, BAD_SEED,
 * BAD_WORKERS).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { runFuzz } from '../../fuzz/runFuzz.js';

/** `npm run fuzz` runs at least this many frames. */
export const DEFAULT_FUZZ_FRAMES = 100_000;

function positiveInt(value: string | undefined, code: string, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) throw new UsageError(code, `${flag} '${value}': expected an integer >= ${min}`);
  return Number(value);
}

export const registerFuzz: RegisterCommand = (program, setExit) => {
  program.command('fuzz')
    .description('Fuzz the reference server with hostile frames while a canary account keeps working (JSON lines).')
    .option('--frames <n>', `fuzz frames to send (default ${DEFAULT_FUZZ_FRAMES})`)
    .option('--seed <n>', 'fast-check seed (default: random, printed)')
    .option('--workers <n>', 'concurrent fuzzing connections', '8')
    .action(async (args: { frames?: string; seed?: string; workers: string }) => {
      const frames = positiveInt(args.frames, 'BAD_FRAMES', '--frames', DEFAULT_FUZZ_FRAMES);
      const seed = positiveInt(args.seed, 'BAD_SEED', '--seed', Math.floor(Math.random() * 2 ** 31), 0);
      const workers = positiveInt(args.workers, 'BAD_WORKERS', '--workers', 8);
      const line = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
      const report = await runFuzz({ frames, seed, workers, onProgress: (n) => { if (n % 10_000 === 0) process.stderr.write(`fuzz: ${n} frames\n`); } });
      for (const [outcome, count] of Object.entries(report.outcomes).sort((a, b) => b[1] - a[1])) line({ fuzz: 'outcome', outcome, count });
      for (const [family, outcomes] of Object.entries(report.families)) line({ fuzz: 'family', family, outcomes });
      line({ fuzz: 'flood', ...report.flood });
      line({ fuzz: 'canary', ...report.canary });
      for (const failure of report.failures) line({ fuzz: 'failure', ...failure });
      line({
        fuzz: 'summary', verdict: report.verdict, seed: report.seed, frames: report.frames, failures: report.failureCount,
        durationMs: report.durationMs, rerun: `node bin/linkspec.mjs fuzz --frames ${frames} --seed ${seed} --workers ${workers}`,
      });
      setExit(report.verdict === 'pass' ? EXIT.OK : EXIT.FAILED);
    });
};
