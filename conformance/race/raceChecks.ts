/**
 * Race mode (issue 13): checks with ids `race-…` that issue overlapping operations from
 * different devices through the adapter really at the same time, record the history (invocation
 * and completion instants, results), then ask the model whether the history is linearizable
 * (linearizability.ts). Needs the capability `concurrency` (the adapter accepts overlapping
 * calls on different devices).
 *
 * Each check runs ROUNDS worlds. The setup runs first, sequentially, in lockstep with the model
 * (a difference there fails like any check); then the concurrent group starts together, each
 * operation after a small delay drawn from a seeded generator (seed = hash of check id and
 * round, printed on failure), so a schedule is replayable with `--check <id>`. Real time only
 * spreads the invocations; it decides nothing: the verdict is the model's.
 */
import type { OpResult } from '../../model/errors.js';
import { createOracle } from '../../model/createOracle.js';
import { describeEvent, type LinkEvent } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';
import type { RequirementId } from '../../model/requirements.js';
import type { StepRecord } from '../../reports/schema.js';
import type { Capability } from '../contract.js';
import { defineCheck, linkByQr, register, runSequence, showQr, scan, type CheckOutcome, type SecurityCheck } from '../checks/defineCheck.js';
import { createStepTranslator } from '../translate.js';
import { describeHistory, describeResult, type RaceOp } from './history.js';
import { checkLinearizable } from './linearizability.js';

/** Worlds per race check. */
export const ROUNDS = 3;
/** Invocations are spread over [0, MAX_SKEW_MS) ms of real time. */
export const MAX_SKEW_MS = 4;

/** mulberry32: a tiny seeded generator, so a schedule is a function of (check, round). */
export function scheduleRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function scheduleSeed(checkId: string, round: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${checkId}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RaceSpec {
  readonly id: `race-${string}`;
  readonly title: string;
  readonly requirements: readonly RequirementId[];
  readonly needs: readonly Capability[];
  setup(profile: Profile): LinkEvent[];
  /** Issued together; each from a different device where the model allows it. */
  readonly group: readonly LinkEvent[];
  /** Worlds (default ROUNDS) and the spread of invocation delays (default MAX_SKEW_MS). */
  readonly rounds?: number;
  readonly skewMs?: number;
}

function raceCheck(spec: RaceSpec): SecurityCheck {
  return defineCheck({
    id: spec.id, title: spec.title, requirements: spec.requirements, needs: ['concurrency', ...spec.needs],
    async run(ctx): Promise<CheckOutcome> {
      let steps = 0;
      for (let round = 0; round < (spec.rounds ?? ROUNDS); round++) {
        const setup = spec.setup(ctx.profile);
        const session = await ctx.openSession();
        try {
          const failed = await runSequence(session, setup);
          if (failed) return failed;
          const before = await session.driver.observe();
          const translator = createStepTranslator(session.driver, ctx.profile);
          const seed = scheduleSeed(spec.id, round);
          const random = scheduleRandom(seed);
          const delays = spec.group.map(() => Math.floor(random() * (spec.skewMs ?? MAX_SKEW_MS)));
          const t0 = performance.now();
          const ops: RaceOp[] = await Promise.all(spec.group.map(async (event, index): Promise<RaceOp> => {
            await sleep(delays[index]);
            const invokedAt = performance.now() - t0;
            let result: OpResult;
            let note: string | undefined;
            try {
              ({ result, note } = await translator.apply(event));
            } catch (error) {
              result = { ok: false, code: 'INTERNAL' };
              note = `the adapter threw: ${error instanceof Error ? error.message : String(error)}`;
            }
            return { index, event, invokedAt, completedAt: performance.now() - t0, result, ...(note ? { note } : {}) };
          }));
          const after = await session.driver.observe();
          const lin = checkLinearizable({ createOracle: () => createOracle(ctx.profile), setup, ops, before, after });
          steps += setup.length + ops.length;
          if (lin.verdict !== 'linearizable') {
            const history = describeHistory(ops);
            const path: StepRecord[] = [
              ...session.records,
              ...ops.map((op, i): StepRecord => ({
                index: session.records.length + i,
                event: `concurrently: ${describeEvent(op.event)}`,
                expected: 'some real-time order the model accepts',
                actual: describeResult(op.result),
                ok: i < ops.length - 1,
              })),
            ];
            const reason = lin.verdict === 'inconclusive' ? [lin.why] : lin.why;
            return {
              status: 'fail', steps,
              failure: {
                requirement: spec.requirements[0],
                message: `${lin.verdict === 'inconclusive' ? 'inconclusive (race mode)' : 'not linearizable'}: round ${round}, schedule seed ${seed} (delays ${delays.join('/')} ms); history: ${history.join(' | ')}; ${lin.explored} order(s) tried: ${reason.join(' | ')}`,
                path, failingStep: path.length - 1,
                differences: [{ field: 'history', expected: 'a sequential order consistent with real time giving the same results and settled state', actual: history.join(' | ') }],
              },
            };
          }
        } finally {
          await session.close();
        }
      }
      return { status: 'pass', steps };
    },
  });
}

const linkCompanions = (n: number) => ['A.c1', 'A.c2', 'A.c3', 'A.c4'].slice(0, n).flatMap((c) => linkByQr(c as 'A.c1'));

/** LIMIT-01: with one slot left, two companions' approvals are issued at once; exactly one may link. */
export const RACE_LAST_SLOT = raceCheck({
  id: 'race-last-slot',
  title: 'Two approvals compete for the last companion slot: one links, the other is refused LIMIT_REACHED',
  requirements: ['LIMIT-01'], needs: ['qr-image'],
  setup: () => [register('A'), ...linkCompanions(3), showQr('A.c4'), showQr('A.c5')],
  group: [scan('A.c4'), scan('A.c5')],
});

/** AUTH-03, LIFE-02: the primary unlinks a companion while the companion unlinks itself. */
export const RACE_DOUBLE_UNLINK = raceCheck({
  id: 'race-double-unlink',
  title: 'The primary and the companion unlink the companion at once: one succeeds, the other finds it NOT_LINKED; one list version',
  requirements: ['AUTH-03', 'LIFE-02'], needs: ['qr-image'],
  setup: () => [register('A'), ...linkCompanions(2)],
  group: [{ type: 'UNLINK', by: 'A.primary', target: 'A.c1' }, { type: 'UNLINK', by: 'A.c1', target: 'A.c1' }],
  // The primary's unlink reads its list first (one round trip): spread the companion's wider to meet it.
  rounds: 8, skewMs: 8,
});

/** E2E-03, E2E-02: a message is sent to the account while one of its companions is being unlinked. */
export const RACE_SEND_UNLINK = raceCheck({
  id: 'race-send-vs-unlink',
  title: 'A send races an unlink of a recipient device: the removed device gets the message only if the send came first',
  requirements: ['E2E-03', 'E2E-02'], needs: ['qr-image', 'messaging'],
  setup: () => [register('A'), register('B'), ...linkCompanions(1)],
  group: [{ type: 'SEND', from: 'B.primary', id: 'race-m1' }, { type: 'UNLINK', by: 'A.primary', target: 'A.c1' }],
});

/** EXP-01, EXP-02: the primary reconnects 1 ms before the dormancy deadline, while time reaches it. */
export const RACE_RECONNECT_DORMANCY = raceCheck({
  id: 'race-reconnect-vs-dormancy',
  title: 'The primary reconnects while the dormancy deadline is reached: companions stay linked only if the reconnect came first',
  requirements: ['EXP-01', 'EXP-02'], needs: ['qr-image', 'clock', 'offline'],
  setup: (profile) => [register('A'), ...linkCompanions(2), { type: 'GO_OFFLINE', device: 'A.primary' }, { type: 'ADVANCE', ms: profile.primaryDormancyMs - 1 }],
  group: [{ type: 'GO_ONLINE', device: 'A.primary' }, { type: 'ADVANCE', ms: 1 }],
});

/** OFF-02: a device reconnects (its queue is pushed) while a new message for it is delivered. */
export const RACE_RECONNECT_DELIVERY = raceCheck({
  id: 'race-reconnect-delivery',
  title: 'A device reconnects while a new message for it is being delivered: every message arrives, once',
  requirements: ['OFF-02'], needs: ['qr-image', 'messaging', 'offline'],
  setup: () => [register('A'), register('B'), ...linkCompanions(1), { type: 'GO_OFFLINE', device: 'A.c1' },
    { type: 'SEND', from: 'B.primary', id: 'race-q1' }, { type: 'SEND', from: 'B.primary', id: 'race-q2' }],
  group: [{ type: 'GO_ONLINE', device: 'A.c1' }, { type: 'SEND', from: 'B.primary', id: 'race-q3' }],
});

export const RACE_CHECKS: readonly SecurityCheck[] = [RACE_LAST_SLOT, RACE_DOUBLE_UNLINK, RACE_SEND_UNLINK, RACE_RECONNECT_DORMANCY, RACE_RECONNECT_DELIVERY];

