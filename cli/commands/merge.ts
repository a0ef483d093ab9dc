/**
 * `linkspec merge DIR… [--out DIR]`: joins the reports of the shards of one run (`linkspec run
 * --shard i/n --out DIR`, one per CI job) into one report set - report.json, junit.xml,
 * report.sarif, report.html, summary.md - judged as the unsharded run would be
 * (conformance/mergeShards.ts). Exit: as `linkspec run` for the merged verdict (cli/exit.ts), 2 shards that do not make
 * one run (MERGE_MISMATCH, MERGE_INCOMPLETE, MERGE_DUPLICATE) or an unreadable report
 * (BAD_MERGE_INPUT).
 */
import type { RegisterCommand } from '../main.js';
import { exitCodeOf } from '../exit.js';
import { formatRunSummary } from '../../conformance/printRun.js';
import { mergeShards, readShardReport } from '../../conformance/mergeShards.js';
import { publishToGithubActions } from '../../reports/githubActions.js';
import { writeReports } from '../../reports/writeReports.js';

export const DEFAULT_MERGED_OUT = 'reports/out/merged';

export const registerMerge: RegisterCommand = (program, setExit) => {
  program
    .command('merge')
    .description('Join the reports of the shards of one run (run --shard i/n) into one report set.')
    .argument('<dirs...>', 'the --out folder (or report.json) of every shard, 1/n to n/n')
    .option('--out <dir>', 'folder for the merged report.json, junit.xml, report.sarif, report.html, summary.md', DEFAULT_MERGED_OUT)
    .addHelpText('after', '\nExample (3 CI jobs, then one merge job):\n  linkspec run --adapter reference --seed 42 --shard 1/3 --out out/1   (and 2/3, 3/3)\n  linkspec merge out/1 out/2 out/3 --out out/all')
    .action(async (dirs: string[], args: { out: string }) => {
      const report = await mergeShards(dirs.map(readShardReport));
      const files = await writeReports(report, args.out);
      process.stdout.write(`${formatRunSummary(report)}\nmerged ${dirs.length} shards; reports: ${files.join(', ')}\n`);
      publishToGithubActions(report, process.env, (text) => process.stdout.write(text));
      setExit(exitCodeOf(report.verdict));
    });
};
