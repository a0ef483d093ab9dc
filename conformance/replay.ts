/**
 * The one command that reruns a failure (or the whole run), pasted as is (STYLE.md item 6):
 *   npx linkspec run --adapter <spec> [--profile FILE] --check <checkId> [--seed N --path P]
 */
export interface ReplaySpec {
  readonly adapterSpec: string;
  readonly profileFile?: string;
  readonly check?: string;
  readonly seed?: number;
  readonly path?: string;
  readonly runs?: number;
  readonly only?: readonly string[];
  /** `i/n` (conformance/shard.ts). */
  readonly shard?: string;
  /** The conformance class claimed, when not the default (model/classes.ts). */
  readonly claim?: string;
}

/** Quotes an argument for a POSIX shell only when it needs it. */
function arg(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(spec: ReplaySpec): string {
  const parts = ['npx', 'linkspec', 'run', '--adapter', arg(spec.adapterSpec)];
  if (spec.profileFile) parts.push('--profile', arg(spec.profileFile));
  if (spec.check) parts.push('--check', arg(spec.check));
  if (spec.seed !== undefined) parts.push('--seed', String(spec.seed));
  if (spec.path) parts.push('--path', arg(spec.path));
  if (spec.runs !== undefined) parts.push('--runs', String(spec.runs));
  if (spec.only?.length) parts.push('--only', arg(spec.only.join(',')));
  if (spec.shard) parts.push('--shard', spec.shard);
  if (spec.claim && spec.claim !== 'full') parts.push('--claim', arg(spec.claim));
  return parts.join(' ');
}
