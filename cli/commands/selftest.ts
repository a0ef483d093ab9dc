/**
 * `linkspec selftest [--fast] [--seed N] [--runs N] [--only VARIANTS]`: runs the conformance
 * suite against every known-bad variant of the reference (adapters/known-bad) and prints the kill
 * matrix (selftest/runSelftest.ts, selftest/killMatrix.ts).
 * Exit: 0 every variant killed under the requirement it breaks; 1 a variant survived or was
 * caught only under another requirement (the suite is missing a check); 2 usage or harness error
 * (BAD_SEED, BAD_RUNS, BAD_VARIANT, or a variant whose run crashed: HARNESS_ERROR).
 */
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { parseRunArgs } from './run.js';
import { KNOWN_BAD } from '../../adapters/known-bad/index.js';
import { formatKillMatrix } from '../../selftest/killMatrix.js';
import { runSelftest, type KillRow } from '../../selftest/runSelftest.js';

interface SelftestArgs {
  fast?: boolean;
  race?: boolean;
  seed?: string;
  runs?: string;
  only?: string;
}

export function parseVariants(only: string | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  const ids = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !KNOWN_BAD.some((v) => v.id === id));
  if (!ids.length || unknown.length) {
    throw new UsageError('BAD_VARIANT', `--only '${only}': unknown variant ${unknown.join(', ') || '(none given)'}; known: ${KNOWN_BAD.map((v) => v.id).join(', ')}`);
  }
  return ids;
}

export const registerSelftest: RegisterCommand = (program, setExit) => {
  program
    .command('selftest')
    .description('Run the suite against every known-bad variant of the reference and print the kill matrix.')
    .option('--fast', 'fewer property runs per variant (what npm test runs)')
    .option('--seed <n>', 'seed of the property runs (default: random, printed)')
    .option('--runs <n>', 'property runs per variant (default 50, as linkspec run; 10 with --fast)')
    .option('--only <variants>', `only these variants, comma-separated (e.g. ${KNOWN_BAD[0]!.id},${KNOWN_BAD[1]!.id})`)
    .option('--race', 'instead: the RACE variants on a 2-node reference cluster (PostgreSQL + Redis), each judged by the sequential suite alone and by race mode (adapters/cluster/raceVariants.ts)')
    .action(async (args: SelftestArgs) => {
      const { seed, runs } = parseRunArgs({ adapter: 'reference', seed: args.seed, runs: args.runs, out: '' });
      if (args.race) {
        setExit(await raceSelftest(seed ?? 7, args.runs === undefined ? undefined : runs, args.fast ?? false));
        return;
      }
      const only = parseVariants(args.only);
      const progress = (row: KillRow) => process.stderr.write(`selftest: ${row.variant.id} ${row.outcome} (${(row.runMs / 1000).toFixed(1)} s)\n`);
      const result = await runSelftest({ fast: args.fast ?? false, seed, runs, only, onRow: progress });
      process.stdout.write(`${formatKillMatrix(result)}\n`);
      const crashed = result.rows.filter((r) => r.outcome === 'error');
      if (crashed.length) {
        process.stderr.write(`HARNESS_ERROR: ${crashed.map((r) => `${r.variant.id}: ${r.error}`).join('; ')}\n`);
        setExit(EXIT.USAGE);
        return;
      }
      setExit(result.ok ? EXIT.OK : EXIT.FAILED);
    });
};

/**
 * `selftest --race` (issue 13): every race variant must be killed by race mode; the table also
 * says whether the sequential suite alone (the same faulty cluster without 'concurrency') saw it.
 */
async function raceSelftest(seed: number, runs: number | undefined, fast: boolean): Promise<number> {
  const { RACE_VARIANTS, measureRaceVariant } = await import('../../adapters/cluster/raceVariants.js');
  const lines = ['| race variant | breaks | sequential suite | race mode |', '|---|---|---|---|'];
  let missed = 0;
  let sequentialCaught = 0;
  for (const v of RACE_VARIANTS) {
    const k = await measureRaceVariant(v, { seed, runs: runs ?? (fast ? 10 : 30), fast });
    if (k.race.length === 0) missed++;
    if (k.sequential.length > 0) sequentialCaught++;
    process.stderr.write(`selftest --race: ${v.id}: sequential ${k.sequential.length ? `caught (${k.sequential.join(', ')})` : 'missed'}, race ${k.race.length ? `caught (${k.race.join(', ')})` : 'MISSED'}\n`);
    lines.push(`| ${v.id} | ${v.breaks} | ${k.sequential.length ? `caught: ${k.sequential.join(', ')}` : 'missed'} (${(k.sequentialMs / 1000).toFixed(0)} s) | ${k.race.length ? `killed: ${k.race.join(', ')}` : 'SURVIVED'} (${(k.raceMs / 1000).toFixed(0)} s) |`);
  }
  lines.push('', `race mode killed ${RACE_VARIANTS.length - missed}/${RACE_VARIANTS.length}; the sequential suite alone caught ${sequentialCaught}/${RACE_VARIANTS.length} (seed ${seed}${fast ? ', --fast' : ''})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return missed === 0 ? EXIT.OK : EXIT.FAILED;
}
