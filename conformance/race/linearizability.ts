/**
 * Linearizability of a concurrent history against the model (issue 13): is there a sequential
 * order of the operations, consistent with real time (an operation that completed before another
 * was invoked stays before it), in which the XState oracle predicts every recorded result AND the
 * observation seen once everything settled? A Porcupine/Knossos-style search, but the sequential
 * specification is the protocol statechart itself, not a register or a queue.
 *
 * - The oracle has no snapshot API, so each candidate prefix is replayed from a fresh oracle after
 *   the scenario's (sequential, already verified) setup; orders are explored depth-first, and a
 *   prefix whose last result differs is pruned with its whole subtree.
 * - Bounded: at most `maxOrders` complete or pruned orders; past it the verdict is `inconclusive`
 *   (never a pass).
 * - The final observation is compared on what concurrency can change: registration, the change
 *   of each device-list version since the concurrent group started (versions are compared by
 *   change, model/observation.ts), each device's status and sign-out reason, and the SET of
 *   message ids each device holds (arrival order across concurrent sends is not specified).
 */
import type { LinkEvent } from '../../model/events.js';
import type { Observation } from '../../model/observation.js';
import type { Oracle } from '../../model/oracle.js';
import { describeEvent } from '../../model/events.js';
import { describeResult, precedes, type RaceOp } from './history.js';

export type Linearizability =
  | { readonly verdict: 'linearizable'; readonly order: readonly number[]; readonly explored: number }
  | { readonly verdict: 'not-linearizable'; readonly explored: number; readonly why: readonly string[] }
  | { readonly verdict: 'inconclusive'; readonly explored: number; readonly why: string };

export interface LinearizabilityInput {
  readonly createOracle: () => Oracle;
  /** The events taken before the concurrent group (sequentially, in lockstep). */
  readonly setup: readonly LinkEvent[];
  readonly ops: readonly RaceOp[];
  /** What the implementation showed before the group and once everything settled after it. */
  readonly before: Observation['accounts'];
  readonly after: Observation['accounts'];
  readonly maxOrders?: number;
}

type Accounts = Observation['accounts'];

/** The differences between the model's and the implementation's settled observations (empty: they agree). */
export function finalDifferences(modelBefore: Accounts, model: Accounts, actualBefore: Accounts, actual: Accounts): string[] {
  const out: string[] = [];
  for (const account of Object.keys(model) as (keyof Accounts)[]) {
    const m = model[account];
    const a = actual[account];
    if (m.registered !== a.registered) out.push(`${account}.registered: model ${m.registered}, actual ${a.registered}`);
    const mChange = m.deviceListVersion - modelBefore[account].deviceListVersion;
    const aChange = a.deviceListVersion - actualBefore[account].deviceListVersion;
    // Compared by change (model/observation.ts): increased or not; the implementation may take
    // more than one version step for what the model counts as one (a server removal per device).
    if (Math.sign(mChange) !== Math.sign(aChange)) {
      out.push(`${account} device-list version: model +${mChange}, actual +${aChange}`);
    }
    const ids = new Set([...Object.keys(m.devices), ...Object.keys(a.devices)]) as Set<keyof typeof m.devices>;
    for (const id of ids) {
      const md = m.devices[id];
      const ad = a.devices[id];
      if (!md || !ad) { out.push(`${id}: model ${md ? md.status : 'absent'}, actual ${ad ? ad.status : 'absent'}`); continue; }
      if (md.status !== ad.status || md.signOutReason !== ad.signOutReason) {
        out.push(`${id}: model ${md.status}${md.signOutReason ? ` (${md.signOutReason})` : ''}, actual ${ad.status}${ad.signOutReason ? ` (${ad.signOutReason})` : ''}`);
      }
      const mm = [...new Set(md.messages)].sort().join(',');
      const am = [...new Set(ad.messages)].sort().join(',');
      if (mm !== am) out.push(`${id} messages: model {${mm}}, actual {${am}}`);
    }
  }
  return out;
}

export function checkLinearizable(input: LinearizabilityInput): Linearizability {
  const { ops } = input;
  const maxOrders = input.maxOrders ?? 5_000;
  let explored = 0;
  const why: string[] = [];
  const note = (line: string) => { if (why.length < 12) why.push(line); };

  /** Replays setup + order on a fresh oracle; the observation after each step. */
  const replay = (order: readonly number[]): { before: Accounts; steps: Observation[] } => {
    const oracle = input.createOracle();
    for (const e of input.setup) oracle.step(e);
    const before = oracle.observe().accounts;
    const steps = order.map((i) => oracle.step(ops[i].event).observation);
    return { before, steps };
  };

  const label = (order: readonly number[]) => order.map((i) => `#${i} ${describeEvent(ops[i].event)}`).join(' ; ');

  const search = (order: number[]): readonly number[] | 'bound' | null => {
    if (explored >= maxOrders) return 'bound';
    if (order.length > 0) {
      const { before, steps } = replay(order);
      const last = order[order.length - 1];
      const predicted = steps[steps.length - 1].result;
      const recorded = ops[last].result;
      const same = predicted.ok === recorded.ok && (predicted.ok || (!recorded.ok && predicted.code === recorded.code));
      if (!same) {
        explored++;
        note(`order ${label(order)}: #${last} would answer ${describeResult(predicted)}, the implementation answered ${describeResult(recorded)}`);
        return null;
      }
      if (order.length === ops.length) {
        explored++;
        const diffs = finalDifferences(before, steps[steps.length - 1].accounts, input.before, input.after);
        if (diffs.length === 0) return order;
        note(`order ${label(order)}: every result fits, but the settled state differs: ${diffs.join('; ')}`);
        return null;
      }
    }
    for (let i = 0; i < ops.length; i++) {
      if (order.includes(i)) continue;
      // Real time: i may go next only if no unplaced operation completed before i was invoked.
      if (ops.some((o, j) => j !== i && !order.includes(j) && precedes(o, ops[i]))) continue;
      const found = search([...order, i]);
      if (found) return found;
    }
    return null;
  };

  const found = search([]);
  if (found === 'bound') return { verdict: 'inconclusive', explored, why: `the search bound of ${maxOrders} orders was reached` };
  if (found) return { verdict: 'linearizable', order: found, explored };
  return { verdict: 'not-linearizable', explored, why };
}
