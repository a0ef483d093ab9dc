/**
 * Sharding (`--shard i/n`): a stable partition of a run's checks by check id, so n CI jobs each run
 * one part and `linkspec merge` puts the reports back together (cli/commands/merge.ts).
 *
 * Guarantees:
 * - every check belongs to exactly one of the n shards; which one depends only on its id and n
 *   (FNV-1a of the id, mod n), not on the plan's order, the seed or the other checks, so adding a
 *   check never moves another one;
 * - a check's follow-ups (property continuations) run in the shard of the check that spawned them;
 * - `i/n` is 1-based: shard 1/3, 2/3, 3/3. A bad spec is UsageError('BAD_SHARD').
 */
import { UsageError } from '../cli/exit.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export const MAX_SHARDS = 256;

export function parseShard(text: string): Shard {
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError('BAD_SHARD', `--shard '${text}': expected i/n with 1 <= i <= n <= ${MAX_SHARDS}, e.g. --shard 2/4`);
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** FNV-1a, 32 bits, over the UTF-16 code units of the id. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The 1-based shard a check id belongs to among `count`. */
export function shardOf(checkId: string, count: number): number {
  return (fnv1a(checkId) % count) + 1;
}

export function inShard(checkId: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(checkId, shard.count) === shard.index;
}
