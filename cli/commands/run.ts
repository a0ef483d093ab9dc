/**
 * `linkspec run --adapter <spec> [--profile FILE] [--seed N] [--runs N] [--only IDS]
 *  [--check ID [--path P]] [--baseline FILE] [--shard i/n] [--out DIR]`: runs the conformance suite
 * (conformance/runSuite.ts) against one adapter, writes the reports, prints the summary and, per
 * failure, the requirement, the path and the replay command.
 * Exit: 0 conformant, 1 non-conformant, 2 usage or harness error (one line with a stable code:
 * BAD_SEED, BAD_RUNS, BAD_ONLY, BAD_PATH, BAD_CHECK, BAD_SHARD, BAD_BASELINE, BAD_PROFILE, BAD_ADAPTER ...).
 */
import { SingleBar, Presets } from 'cli-progress';
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { resolveAdapter } from '../../adapters/index.js';
import { writeReports } from '../../reports/writeReports.js';
import { publishToGithubActions } from '../../reports/githubActions.js';
import { writeFailureTraces } from '../../conformance/itf.js';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { isRequirementId, type RequirementId } from '../../model/requirements.js';
import { loadBaseline } from '../../conformance/baseline.js';
import { formatRunSummary } from '../../conformance/printRun.js';
import { PROPERTY_CHECK_ID } from '../../conformance/propertySuite.js';
import { runSuite, type ProgressEvent } from '../../conformance/runSuite.js';
import { parseShard, type Shard } from '../../conformance/shard.js';

export const DEFAULT_OUT = 'reports/out/latest';

export interface RunArgs {
  adapter: string;
  profile?: string;
  seed?: string;
  runs?: string;
  only?: string;
  check?: string;
  path?: string;
  baseline?: string;
  shard?: string;
  out: string;
}

export interface ParsedRunArgs {
  readonly seed?: number;
  readonly runs?: number;
  readonly only?: RequirementId[];
  readonly check?: string;
  readonly path?: string;
  readonly shard?: Shard;
}

/** Validates every argument that needs no I/O; throws UsageError with a stable code. */
export function parseRunArgs(args: RunArgs): ParsedRunArgs {
  let seed: number | undefined;
  if (args.seed !== undefined) {
    seed = Number(args.seed);
    if (!/^-?\d+$/.test(args.seed) || seed < -0x80000000 || seed > 0x7fffffff) throw new UsageError('BAD_SEED', `--seed '${args.seed}': expected a 32-bit integer`);
  }
  let runs: number | undefined;
  if (args.runs !== undefined) {
    runs = Number(args.runs);
    if (!/^\d+$/.test(args.runs) || runs < 1 || runs > 1_000_000) throw new UsageError('BAD_RUNS', `--runs '${args.runs}': expected an integer from 1 to 1000000`);
  }
  let only: RequirementId[] | undefined;
  if (args.only !== undefined) {
    const ids = args.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    const unknown = ids.filter((id) => !isRequirementId(id));
    if (!ids.length || unknown.length) throw new UsageError('BAD_ONLY', `--only '${args.only}': unknown requirement ${unknown.join(', ') || '(none given)'}; e.g. --only LIMIT-01,EXP-01`);
    only = ids as RequirementId[];
  }
  if (args.check !== undefined && !/^[A-Za-z0-9:._~-]+$/.test(args.check)) throw new UsageError('BAD_CHECK', `--check '${args.check}': not a check id`);
  if (args.path !== undefined) {
    if (!/^\d+(:\d+)*$/.test(args.path)) throw new UsageError('BAD_PATH', `--path '${args.path}': expected a fast-check counterexamplePath such as 12:0:3`);
    if (!args.check?.startsWith(PROPERTY_CHECK_ID) || seed === undefined) throw new UsageError('BAD_PATH', `--path replays a property counterexample: give it with --check ${PROPERTY_CHECK_ID} and --seed`);
  }
  let shard: Shard | undefined;
  if (args.shard !== undefined) {
    shard = parseShard(args.shard);
    if (args.check !== undefined) throw new UsageError('BAD_SHARD', '--shard splits a whole run; --check already names one check');
  }
  return { seed, runs, only, check: args.check, path: args.path, ...(shard ? { shard } : {}) };
}

async function loadProfileFile(file: string): Promise<Profile> {
  const specifier = '../profileFile.js';
  let loader: { loadProfile(path: string): Profile } | undefined;
  try {
    loader = await import(specifier);
  } catch (error) {
    // Only a missing module means "not built"; any other failure is the loader's own error.
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    loader = undefined;
  }
  if (!loader) throw new UsageError('BAD_PROFILE', 'profile files are not supported in this build (cli/profileFile.ts is missing)');
  return loader.loadProfile(file);
}

function progressReporter(): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  if (process.stdout.isTTY && !process.env.CI) {
    const bar = new SingleBar({ format: 'linkspec run [{bar}] {value}/{total} {check}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    return {
      onProgress: (e) => {
        if (e.kind === 'start') bar.start(e.total, 0, { check: '' });
        else bar.update(e.done, { check: `${e.result.status} ${e.result.id}` });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    onProgress: (e) => {
      if (e.kind === 'start') process.stdout.write(`linkspec run: ${e.total} checks\n`);
      else process.stdout.write(`[${e.done}/${e.total}] ${e.result.status} ${e.result.id} (${e.result.steps} steps, ${e.result.durationMs} ms)\n`);
    },
    stop: () => undefined,
  };
}

export const registerRun: RegisterCommand = (program, setExit) => {
  program
    .command('run')
    .description('Run the conformance suite against an implementation, with the model as oracle.')
    .requiredOption('--adapter <spec>', 'reference | reference-ws=<url> | remote=<url> | ./adapter-module.ts')
    .option('--profile <file>', 'a profile JSON file (default: the seed\'s WhatsApp profile)')
    .option('--seed <n>', 'seed of the property runs (default: random, printed)')
    .option('--runs <n>', 'number of property runs (default 100)')
    .option('--only <ids>', 'only checks serving these requirements, e.g. LIMIT-01,EXP-01')
    .option('--check <id>', 'only this check (ids are in the report)')
    .option('--path <p>', `replay a property counterexample (with --check ${PROPERTY_CHECK_ID} --seed N)`)
    .option('--baseline <file>', 'JSON file of accepted deviations')
    .option('--shard <i/n>', 'run only shard i of n (a stable split by check id; join with linkspec merge)')
    .option('--out <dir>', 'folder for report.json, junit.xml, report.sarif, report.html, summary.md', DEFAULT_OUT)
    .action(async (args: RunArgs) => {
      const parsed = parseRunArgs(args);
      const baseline = args.baseline !== undefined ? loadBaseline(args.baseline) : undefined;
      const profile = args.profile !== undefined ? await loadProfileFile(args.profile) : DEFAULT_PROFILE;
      const adapter = await resolveAdapter(args.adapter);
      const progress = progressReporter();
      try {
        const report = await runSuite({
          adapter, adapterSpec: args.adapter, profile, profileFile: args.profile, baseline,
          ...parsed, onProgress: progress.onProgress,
        });
        progress.stop();
        const files = await writeReports(report, args.out);
        process.stdout.write(`${formatRunSummary(report)}\nreports: ${files.join(', ')}\n`);
        const traces = writeFailureTraces(report, args.out, profile);
        if (traces) process.stdout.write(`${traces}\n`);
        publishToGithubActions(report, process.env, (text) => process.stdout.write(text));
        setExit(report.verdict === 'conformant' ? EXIT.OK : EXIT.FAILED);
      } finally {
        progress.stop();
        await adapter.dispose?.();
      }
    });
};
