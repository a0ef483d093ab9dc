/**
 * The one helper every targeted check is built with (STYLE.md item 5): a constant
 * `{ id, title, requirements, needs, run }`. `sequenceCheck` covers the common case, a fixed
 * event sequence run in lockstep with the model; `defineCheck` takes a custom `run` for checks
 * that look past the observation (server injection, relayed traffic).
 */
import type { LinkEvent, CompanionId, AccountId } from '../../model/events.js';
import { primaryOf } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';
import type { RequirementId } from '../../model/requirements.js';
import type { Capability } from '../contract.js';
import { failureFromSession, type FailureDraft } from '../failure.js';
import type { LockstepSession } from '../lockstep.js';

export interface CheckContext {
  readonly profile: Profile;
  /** A fresh world in lockstep with a fresh oracle; the check closes it. */
  openSession(): Promise<LockstepSession>;
}

export type CheckOutcome =
  | { readonly status: 'pass'; readonly steps: number }
  | { readonly status: 'fail'; readonly steps: number; readonly failure: FailureDraft };

export interface SecurityCheck {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly RequirementId[];
  readonly needs: readonly Capability[];
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export function defineCheck(check: SecurityCheck): SecurityCheck {
  return Object.freeze({ ...check, requirements: Object.freeze([...check.requirements]), needs: Object.freeze([...check.needs]) });
}

/** Runs events in lockstep until the first difference; then `after` may look further. */
export async function runSequence(session: LockstepSession, events: readonly LinkEvent[]): Promise<CheckOutcome | undefined> {
  for (const event of events) {
    const verdict = await session.step(event);
    if (!verdict.record.ok) return { status: 'fail', steps: session.records.length, failure: failureFromSession(session)! };
  }
  return undefined;
}

export function sequenceCheck(spec: Omit<SecurityCheck, 'run'> & { events(profile: Profile): LinkEvent[] }): SecurityCheck {
  const { events, ...rest } = spec;
  return defineCheck({
    ...rest,
    async run(ctx) {
      const session = await ctx.openSession();
      try {
        const failed = await runSequence(session, events(ctx.profile));
        if (failed) return failed;
        // E2E-01 holds in every check, not only the one written for it (lockstep inspectTraffic).
        if (await session.inspectTraffic()) return { status: 'fail', steps: session.records.length, failure: failureFromSession(session)! };
        return { status: 'pass', steps: session.records.length };
      } finally {
        await session.close();
      }
    },
  });
}

// ---- small event builders shared by the checks ---------------------------------------------

export const register = (account: AccountId, idCheck = false): LinkEvent => ({ type: 'REGISTER', account, idCheck });
export const showQr = (device: CompanionId): LinkEvent => ({ type: 'SHOW_QR', device });
export const scan = (device: CompanionId, over: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}): LinkEvent =>
  ({ type: 'SCAN_QR', device, by: primaryOf(device.slice(0, 1) as AccountId), source: 'live', idCheck: 'pass', tamper: 'none', ...over });
/** SHOW_QR then a clean live scan by the primary. */
export const linkByQr = (device: CompanionId): LinkEvent[] => [showQr(device), scan(device)];
