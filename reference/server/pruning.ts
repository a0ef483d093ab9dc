/**
 * Pruning (issue 10): linking leaves records behind - QR attempts and their references, and
 * `pending_companions` rows (one per fresh key that ever sent `link.bind`: binding costs nothing,
 * so they grew without bound). Once a virtual day (deadlines.ts advance) the server forgets what
 * can no longer matter:
 * - a QR attempt that is over (cancelled, ended or linked) and whose last reference's window
 *   closed more than PRUNE_HORIZON_MS ago, with its references;
 * - a pending companion with no QR attempt left, no active pairing code, and no connection
 *   bound as it (on any node). Nothing reads it then: an approval needs the companion bound or
 *   an active attempt or code, and its next `link.bind` announces it again.
 *
 * WARNING: the model keeps old QR references forever - a photo of one is answered QR_USED or
 * QR_EXPIRED however late it is scanned (PAIR-03/04); once pruned it is QR_INVALID. The horizon
 * is therefore longer than any conformance walk can span (25 moves x the largest profile
 * window, 45 days: 1,125 days), so no verdict depends on it; a deployment would choose its own.
 */
import { DAY_MS } from '../../model/profile.js';
import type { ServerContext } from './context.js';

export const PRUNE_HORIZON_MS = 4 * 365 * DAY_MS;
/** How often (virtual time) advance() prunes. */
export const PRUNE_EVERY_MS = DAY_MS;
/** Rows looked at per store call, so one pass never holds a large result. */
const BATCH = 500;

export interface Pruned { readonly attempts: number; readonly companions: number }

export function pruneLinking(ctx: ServerContext): Pruned {
  const { storage } = ctx;
  const before = ctx.clock.now() - PRUNE_HORIZON_MS;
  let attempts = 0;
  for (let n = BATCH; n === BATCH;) {
    n = storage.transaction(() => storage.pruneQrAttempts(before, BATCH));
    attempts += n;
  }
  const coding = new Set(storage.listActiveCodes().map((c) => c.companionId));
  // Bound here (one walk of this node's connections), or on another node (its presence row).
  const boundHere = new Set<string>();
  for (const c of ctx.connections) if (c.companionId !== undefined) boundHere.add(c.companionId);
  const bound = (id: string) => boundHere.has(id) || ctx.cluster?.remote('companion', id) !== undefined;
  let companions = 0;
  let after = '';
  for (;;) {
    const ids = storage.listPendingCompanionIds(after, BATCH);
    for (const id of ids) {
      if (coding.has(id) || storage.hasQrAttempts(id) || bound(id)) continue;
      storage.deletePendingCompanion(id);
      companions++;
    }
    if (ids.length < BATCH) break;
    after = ids.at(-1)!;
  }
  return { attempts, companions };
}
