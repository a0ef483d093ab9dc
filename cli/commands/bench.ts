/**
 * `linkspec bench [--only NAMES] [--quick]`: the benchmarks of bench/runBench.ts, one JSON line
 * per figure on stdout (each with its baseline and ratio from the same run where one exists, and
 * its target with `met`). NAMES: a comma list of harness, connections, relay, pairing, crypto
 * (default: all). Targets are reported, never enforced: exit 0 whatever the figures; 2 on an
 * unknown name (BAD_ONLY) or when a benchmark could not run (BENCH_FAILED).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { BENCH_NAMES, runBenches } from '../../bench/runBench.js';

export const registerBench: RegisterCommand = (program, setExit) => {
  program.command('bench')
    .description('Measure the harness, the reference server and the crypto (JSON lines; see BENCHMARKS.md).')
    .option('--only <names>', `comma list of: ${BENCH_NAMES.join(', ')}`)
    .option('--quick', 'smaller counts and shorter windows (figures are then indicative only)')
    .action(async (args: { only?: string; quick?: boolean }) => {
      const names = args.only === undefined ? BENCH_NAMES : args.only.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !BENCH_NAMES.includes(n));
      if (unknown.length > 0 || names.length === 0) throw new UsageError('BAD_ONLY', `--only '${args.only}': expected a comma list of ${BENCH_NAMES.join(', ')}`);
      try {
        await runBenches(names, { quick: args.quick === true }, (line) => process.stdout.write(`${JSON.stringify(line)}\n`));
      } catch (error) {
        throw new UsageError('BENCH_FAILED', error instanceof Error ? error.stack ?? error.message : String(error));
      }
      setExit(EXIT.OK);
    });
};
