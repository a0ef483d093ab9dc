/**
 * linkspec's command line. Each command lives in cli/commands/<name>.ts and registers itself;
 * every command has --help, and every failure ends in a stable exit code (cli/exit.ts).
 */
import { Command, CommanderError } from 'commander';
import { debugEnabled, EXIT, UsageError } from './exit.js';
export { exitRequested } from './exit.js';
import { registerModel } from './commands/model.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerDemo } from './commands/demo.js';
import { registerSelftest } from './commands/selftest.js';
import { registerBench } from './commands/bench.js';
import { registerFuzz } from './commands/fuzz.js';
import { registerDriver } from './commands/driver.js';
import { registerMerge } from './commands/merge.js';
import { registerVectors } from './commands/vectors.js';
import { registerReplay } from './commands/replay.js';
import { registerWeb } from './commands/web.js';

/**
 * Stable codes for what the option parser (commander) refuses, printed as every other usage error:
 * `linkspec: BAD_OPTION: unknown option '--frobnicate' (run with --help for usage)`, exit 2.
 */
export const OPTION_ERROR_CODES: Readonly<Record<string, string>> = {
  'commander.unknownOption': 'BAD_OPTION',
  'commander.unknownCommand': 'UNKNOWN_COMMAND',
  'commander.excessArguments': 'BAD_ARGUMENTS',
  'commander.missingArgument': 'MISSING_ARGUMENT',
  'commander.optionMissingArgument': 'MISSING_OPTION_VALUE',
  'commander.missingMandatoryOptionValue': 'MISSING_OPTION',
  'commander.invalidArgument': 'BAD_ARGUMENT',
  'commander.conflictingOption': 'CONFLICTING_OPTIONS',
};

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command('linkspec')
    .description('Formal model and conformance kit for multi-device accounts.')
    .exitOverride()
    // Parser errors are printed once, in the catch below, with their stable code.
    .configureOutput({ outputError: () => undefined });
  const setExit = (code: number) => { exitCode = code; };
  for (const register of [registerModel, registerRun, registerServe, registerDemo, registerSelftest, registerBench, registerFuzz, registerDriver, registerMerge, registerWeb, registerVectors, registerReplay]) {
    register(program, setExit);
  }
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; a bare `linkspec` printed its help.
      if (error.exitCode === 0 || error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      const code = OPTION_ERROR_CODES[error.code] ?? 'BAD_USAGE';
      process.stderr.write(`linkspec: ${code}: ${error.message.replace(/^error: /, '')} (run with --help for usage)\n`);
      return EXIT.USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`linkspec: ${error.code}: ${error.message}\n`);
      return EXIT.USAGE;
    }
    // No stack trace unless --debug: one line with the stable code.
    const message = error instanceof Error ? (debugEnabled(argv) ? error.stack ?? error.message : error.message.split('\n', 1)[0]) : String(error);
    process.stderr.write(`linkspec: HARNESS_ERROR: ${message}${debugEnabled(argv) ? '' : ' (run with --debug for the stack trace)'}\n`);
    return EXIT.USAGE;
  }
}

/** What each command file exports: add its subcommand; report the exit code through setExit. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;
