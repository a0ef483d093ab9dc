/**
 * `linkspec run --adapter <spec> [--profile FILE] [--seed N] [--runs N] [--only IDS]
 *  [--check ID [--path P]] [--baseline FILE] [--shard i/n] [--claim CLASS] [--budget S] [--deadline S]
 *  [--debug] [--out DIR]`: runs the conformance suite (conformance/runSuite.ts) against one
 * adapter, writes the reports, prints the summary and, per failure, the requirement, the path
 * and the replay command.
 * Exit (cli/exit.ts): 0 conformant; 1 non-conformant, incomplete or flaky; 2 usage or harness
 * error (one line with a stable code: BAD_SEED, BAD_RUNS, BAD_ONLY, BAD_PATH, BAD_CHECK, BAD_SHARD,
 * BAD_CLAIM, BAD_BUDGET, BAD_DEADLINE, BAD_BASELINE, BAD_PROFILE, BAD_ADAPTER, INTERRUPTED ...);
 * 3 adapter-fault; 4 budget-exhausted. The reports are written on every exit path; no stack
 * trace without --debug.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { RegisterCommand } from '../main.js';
import { debugEnabled, EXIT, exitCodeOf, requestExitWhenDone, UsageError } from '../exit.js';
import { resolveAdapter } from '../../adapters/index.js';
import { REPORT_FILES, writeReports } from '../../reports/writeReports.js';
import { publishToGithubActions } from '../../reports/githubActions.js';
import { writeFailureTraces } from '../../conformance/itf.js';
import { parseShard, type Shard } from '../../conformance/shard.js';
import type { RunFault, RunReport } from '../../reports/schema.js';
import type { Adapter } from '../../conformance/contract.js';
import { CLASS_IDS, DEFAULT_CLASS, isClassId, type ClassId } from '../../model/classes.js';
import { DEFAULT_CALL_MS, DEFAULT_LIFECYCLE_MS } from '../../conformance/adapterGuard.js';
import { messageOf, oneLine, RunClock, RunFaultError } from '../../conformance/runFault.js';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { isRequirementId, type RequirementId } from '../../model/requirements.js';
import { loadBaseline } from '../../conformance/baseline.js';
import { formatRunSummary } from '../../conformance/printRun.js';
import { DEFAULT_RUNS, DEPTH_RUNS, PROPERTY_CHECK_ID, type Depth } from '../../conformance/propertySuite.js';
import { earlyReport, runSuite, type ProgressEvent } from '../../conformance/runSuite.js';

export const DEFAULT_OUT = 'reports/out/latest';

export interface RunArgs {
  adapter: string;
  profile?: string;
  seed?: string;
  runs?: string;
  depth?: string;
  only?: string;
  check?: string;
  path?: string;
  baseline?: string;
  shard?: string;
  claim?: string;
  budget?: string;
  deadline?: string;
  debug?: boolean;
  out: string;
}

export interface ParsedRunArgs {
  readonly seed?: number;
  readonly runs?: number;
  readonly only?: RequirementId[];
  readonly check?: string;
  readonly path?: string;
  readonly shard?: Shard;
  readonly claim?: ClassId;
  readonly budgetMs?: number;
  readonly deadlineMs?: number;
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
  if (args.depth !== undefined) {
    if (!(args.depth in DEPTH_RUNS)) throw new UsageError('BAD_DEPTH', `--depth '${args.depth}': expected one of ${Object.keys(DEPTH_RUNS).join(', ')}`);
    // --runs, when given too, wins: it is the more precise of the two.
    runs ??= DEPTH_RUNS[args.depth as Depth];
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
  if (args.claim !== undefined && !isClassId(args.claim)) throw new UsageError('BAD_CLAIM', `--claim '${args.claim}': expected one of ${CLASS_IDS.join(', ')}`);
  const seconds = (name: string, value: string | undefined, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > max) throw new UsageError(`BAD_${name.toUpperCase()}`, `--${name} '${value}': expected seconds, more than 0 and at most ${max}`);
    return Math.round(n * 1000);
  };
  const budgetMs = seconds('budget', args.budget, 7 * 24 * 3600) ?? DEFAULT_BUDGET_S * 1000;
  const deadlineMs = seconds('deadline', args.deadline, 3600);
  return {
    seed, runs, only, check: args.check, path: args.path, ...(shard ? { shard } : {}), ...(args.claim !== undefined ? { claim: args.claim as ClassId } : {}),
    budgetMs, ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  };
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

/** Seconds as `1 min 05 s` / `12 s`, for progress lines. */
function clockText(ms: number): string {
  const secs = Math.max(0, Math.round(ms / 1000));
  return secs >= 60 ? `${Math.floor(secs / 60)} min ${String(secs % 60).padStart(2, '0')} s` : `${secs} s`;
}

/** How often a CI log (no TTY) gets a progress line. */
export const PLAIN_PROGRESS_EVERY_MS = 10_000;

/**
 * Progress: a bar with an ETA on a terminal; in CI (no TTY) a plain line when the run starts,
 * then one every PLAIN_PROGRESS_EVERY_MS (even inside a long check), and one per failed check.
 */
function progressReporter(budgetMs?: number): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  const started = Date.now();
  let done = 0;
  let total = 0;
  let current = '';
  const eta = () => {
    const elapsed = Date.now() - started;
    return done > 0 ? `ETA ${clockText((elapsed / done) * (total - done))}` : 'ETA unknown';
  };
  const budget = () => (budgetMs !== undefined ? `, budget left ${clockText(budgetMs - (Date.now() - started))}` : '');
  if (process.stdout.isTTY && !process.env.CI) {
    const bar = new SingleBar({ format: 'linkspec run [{bar}] {value}/{total} | {eta_text} | {check}', hideCursor: true, clearOnComplete: true, etaBuffer: 20 }, Presets.shades_classic);
    return {
      onProgress: (e) => {
        if (e.kind === 'start') { total = e.total; bar.start(e.total, 0, { check: '', eta_text: 'ETA unknown' }); return; }
        total = e.total;
        if (e.kind === 'begin') { current = e.id; bar.setTotal(e.total); bar.update(e.done, { check: `running ${e.id}`, eta_text: eta() }); return; }
        done = e.done;
        bar.setTotal(e.total);
        bar.update(e.done, { check: `${e.result.status} ${e.result.id}`, eta_text: eta() });
      },
      stop: () => bar.stop(),
    };
  }
  const line = () => process.stdout.write(`linkspec run: ${done}/${total} checks, ${clockText(Date.now() - started)} elapsed, ${eta()}${budget()}${current ? ` (running ${current})` : ''}\n`);
  const ticker = setInterval(line, PLAIN_PROGRESS_EVERY_MS);
  ticker.unref();
  return {
    onProgress: (e) => {
      if (e.kind === 'start') { total = e.total; process.stdout.write(`linkspec run: ${e.total} checks\n`); return; }
      total = e.total;
      if (e.kind === 'begin') { current = e.id; return; }
      done = e.done;
      current = '';
      if (e.result.status === 'fail') process.stdout.write(`[${e.done}/${e.total}] fail ${e.result.id} (${e.result.failure?.requirement ?? '?'})\n`);
    },
    stop: () => clearInterval(ticker),
  };
}

export const registerRun: RegisterCommand = (program, setExit) => {
  program
    .command('run')
    .description('Run the conformance suite against an implementation, with the model as oracle.')
    .requiredOption('--adapter <spec>', 'reference | reference-ws=<url> | remote=<url> | known-bad:<id> (the reference with one known bug; ids: linkspec selftest) | ./adapter-module.ts')
    .option('--profile <file>', 'a profile JSON file (default: the seed\'s WhatsApp profile)')
    .option('--seed <n>', 'seed of the property runs (default: random, printed)')
    .option('--runs <n>', `number of property runs (default ${DEFAULT_RUNS}; --depth deep: ${DEPTH_RUNS.deep})`)
    .option('--depth <depth>', `standard (default, within 30 s against the reference) | deep (${DEPTH_RUNS.deep} walks, nightly, up to ~10 min)`)
    .option('--only <ids>', 'only checks serving these requirements, e.g. LIMIT-01,EXP-01')
    .option('--check <id>', 'only this check (ids are in the report)')
    .option('--path <p>', `replay a property counterexample (with --check ${PROPERTY_CHECK_ID} --seed N)`)
    .option('--baseline <file>', 'JSON file of accepted deviations')
    .option('--shard <i/n>', 'run only shard i of n (a stable split by check id; join with linkspec merge)')
    .option('--claim <class>', `conformance class claimed: ${CLASS_IDS.join(' | ')} (model/classes.ts); exit 0 only when every MUST of it passed`, DEFAULT_CLASS)
    .option('--budget <seconds>', `the whole run's budget; when it runs out: verdict budget-exhausted, exit 4 (default ${DEFAULT_BUDGET_S})`)
    .option('--deadline <seconds>', `deadline of each adapter call (default ${DEFAULT_CALL_MS / 1000}; open, close, dispose ${DEFAULT_LIFECYCLE_MS / 1000}); a miss is an adapter fault, exit 3`)
    .option('--debug', 'print stack traces of harness errors')
    .option('--out <dir>', 'folder for report.json, junit.xml, report.sarif, report.html, summary.md (written on every exit path)', DEFAULT_OUT)
    .addHelpText('after', `
Exit codes:
  0  conformant: every MUST of the claimed class passed
  1  non-conformant (a MUST failed, or a baseline entry is stale), incomplete (a MUST of the
     claimed class was skipped or not exercised), or flaky (a MUST failure did not reproduce)
  2  usage error, or harness-error (linkspec failed, or was interrupted by SIGINT)
  3  adapter-fault: the adapter threw, hung past its deadline, answered garbage or too much
  4  budget-exhausted: --budget ran out
report.json and the other reports are written on every exit path.`)
    .action(async (args: RunArgs) => {
      requestExitWhenDone();
      setExit(await runCommand(args));
    });
};

export const DEFAULT_BUDGET_S = 1800;
/** How long an adapter may take to start (load its module, run its factory, reach its driver). */
export const START_DEADLINE_MS = 60_000;

/** `linkspec run` itself: every path after argument parsing ends with the reports written and a documented exit code. */
export async function runCommand(args: RunArgs): Promise<number> {
  const started = Date.now();
  const debug = args.debug === true || debugEnabled();
  let parsed: ParsedRunArgs = {};
  let profile: Profile = DEFAULT_PROFILE;
  let adapter: Adapter | undefined;
  const early = async (fault: RunFault, quiet = false): Promise<number> => {
    const report = await earlyReport({ adapterSpec: args.adapter, adapter, profile, seed: parsed.seed, runs: parsed.runs, claim: parsed.claim, budgetMs: parsed.budgetMs, fault, started });
    return finish(report, args.out, quiet, profile);
  };
  try {
    parsed = parseRunArgs(args);
    const clock = new RunClock(parsed.budgetMs);
    const baseline = args.baseline !== undefined ? loadBaseline(args.baseline) : undefined;
    if (args.profile !== undefined) profile = await loadProfileFile(args.profile);
    try {
      // Loading a module adapter (compiled on load) is slow on a busy machine: at least a minute.
      adapter = await withStartDeadline(resolveAdapter(args.adapter), Math.max(parsed.deadlineMs ?? 0, START_DEADLINE_MS));
    } catch (error) {
      if (error instanceof UsageError && error.code === 'ADAPTER_START_FAILED') {
        return await early({ kind: 'adapter-fault', code: error.code, call: 'start', reason: oneLine(error.message) });
      }
      throw error;
    }
    const progress = progressReporter(parsed.budgetMs);
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT.USAGE);
      process.stderr.write('linkspec: interrupted; writing the reports (press Ctrl-C again to quit at once)\n');
      clock.interrupt(new RunFaultError('harness-error', 'INTERRUPTED', 'SIGINT', 'the run was interrupted (SIGINT)'));
    };
    process.on('SIGINT', onSigint);
    // An error the adapter threw outside any call (a floating promise, a timer) must not crash the
    // run with a stack trace: it ends the run as an adapter fault, and the reports are written.
    const onStray = (error: unknown) => {
      if (debug) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      clock.interrupt(new RunFaultError('adapter-fault', 'ADAPTER_THREW', 'outside any call', `an unhandled error: ${messageOf(error)}`));
    };
    process.on('unhandledRejection', onStray);
    process.on('uncaughtException', onStray);
    try {
      const report = await runSuite({
        adapter, adapterSpec: args.adapter, profile, profileFile: args.profile, baseline,
        ...parsed, clock, dispose: true, onProgress: progress.onProgress,
        ...(parsed.deadlineMs !== undefined ? { callMs: parsed.deadlineMs, lifecycleMs: parsed.deadlineMs } : {}),
        onHarnessError: (error) => { if (debug) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); },
      });
      progress.stop();
      return await finish(report, args.out, false, profile);
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
      process.off('unhandledRejection', onStray);
      process.off('uncaughtException', onStray);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`linkspec: ${error.code}: ${error.message}\n`);
      // The reports say so too (quietly: the one line above is the message).
      await early({ kind: 'harness-error', code: error.code, call: 'arguments', reason: oneLine(error.message) }, true).catch(() => undefined);
      return EXIT.USAGE;
    }
    if (debug) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return early({ kind: 'harness-error', code: 'HARNESS_ERROR', call: 'the run', reason: messageOf(error) });
  }
}

/** A module adapter's factory or a remote driver that never answers must not hang the start. */
async function withStartDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError('ADAPTER_START_FAILED', `the adapter did not start within ${ms / 1000} s`)), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes the reports (falling back to report.json alone if a renderer fails), prints the summary, returns the exit code. */
async function finish(report: RunReport, out: string, quiet: boolean, profile: Profile): Promise<number> {
  let files: string[];
  try {
    files = await writeReports(report, out);
  } catch (error) {
    await mkdir(out, { recursive: true });
    const path = join(out, REPORT_FILES.json);
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
    files = [path];
    process.stderr.write(`linkspec: REPORT_RENDER_FAILED: ${messageOf(error)}; wrote ${path} only\n`);
  }
  if (!quiet) {
    process.stdout.write(`${formatRunSummary(report)}\nreports: ${files.join(', ')}\n`);
    try {
      const traces = writeFailureTraces(report, out, profile);
      if (traces) process.stdout.write(`${traces}\n`);
    } catch (error) {
      process.stderr.write(`linkspec: TRACES_FAILED: ${messageOf(error)}\n`);
    }
    try {
      publishToGithubActions(report, process.env, (text) => process.stdout.write(text));
    } catch (error) {
      process.stderr.write(`linkspec: GITHUB_SUMMARY_FAILED: ${messageOf(error)}\n`);
    }
  }
  return exitCodeOf(report.verdict);
}
