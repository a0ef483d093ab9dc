/**
 * Lockstep: the model (oracle) and the implementation (through a Driver) take the same step, and
 * their observations are compared after every step (model/observation.ts rules). A session is
 * one fresh world; it records each step in words and stops being "ok" at the first difference.
 * Coverage: the statechart states and transitions the oracle reports are added to shared sets.
 */
import { describeEvent, type DeviceId, type LinkEvent } from '../model/events.js';
import type { Observation } from '../model/observation.js';
import type { Oracle } from '../model/oracle.js';
import type { Profile } from '../model/profile.js';
import type { StepRecord } from '../reports/schema.js';
import { compareStep, describeResult, requirementsExercised, type Difference } from './compare.js';
import type { RequirementId } from '../model/requirements.js';
import { adapterFault, messageOf, RunFaultError } from './runFault.js';
import type { Adapter, Driver } from './contract.js';
import { createStepTranslator, type StepTranslator } from './translate.js';
import { SituationTracker } from './situations.js';
import { plaintextIds } from './checks/plaintext.js';

export interface Coverage {
  readonly states: Set<string>;
  readonly transitions: Set<string>;
  /** Requirements the steps exercised in the model (model/errors.ts codes, sign-out reasons...). */
  readonly requirements?: Set<RequirementId>;
  /** Named situations of the model's context reached (conformance/situations.ts). */
  readonly situations?: Set<string>;
}

export interface StepVerdict {
  readonly record: StepRecord;
  readonly differences: readonly Difference[];
  readonly note?: string;
}

export interface LockstepSession {
  /** What the model shows now (commands read it to decide whether a step is meaningful). */
  readonly expected: Observation;
  readonly records: readonly StepRecord[];
  /** The first step that differed, if any. */
  readonly firstFailure?: StepVerdict;
  readonly driver: Driver;
  readonly oracle: Oracle;
  step(event: LinkEvent): Promise<StepVerdict>;
  /**
   * E2E-01 in every session (issue 9 class 4): with 'traffic-inspection', read everything the
   * server relayed in this world (messages, history) and fail the session, as one more step, if a
   * message id sent in it shows in plaintext. Call once after the last step; does nothing when
   * the session already failed or the adapter cannot show its traffic.
   */
  inspectTraffic(): Promise<StepVerdict | undefined>;
  close(): Promise<void>;
}

/**
 * A watchdog, not a clock: no behaviour under test depends on it. The run wraps its adapter in
 * the adapter guard (conformance/adapterGuard.ts), which gives every call its own deadline; this
 * one is the backstop for sessions opened on an unguarded adapter. An adapter that never answers
 * ends the run as an adapter fault (exit 3, ADAPTER_TIMEOUT).
 */
export const STEP_DEADLINE_MS = 60_000;

async function withDeadline<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(adapterFault('ADAPTER_TIMEOUT', what, `the adapter did not answer ${what} within ${ms / 1000} s`)), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    // Whatever the adapter threw is its fault, named by the call, never a step result.
    throw error instanceof RunFaultError ? error.within(what) : adapterFault('ADAPTER_THREW', what, `the adapter threw: ${messageOf(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface LockstepOptions {
  readonly adapter: Adapter;
  readonly profile: Profile;
  readonly createOracle: (p: Profile) => Oracle;
  readonly coverage?: Coverage;
  /**
   * Checks whose subject is not NOTE-01 leave notices out: a missing notice (a SHOULD) must not
   * stop a check from judging the MUST it exists for. The property walks still compare them.
   */
  readonly compareNotices?: boolean;
  /** The watchdog per adapter call (default STEP_DEADLINE_MS). */
  readonly stepDeadlineMs?: number;
}

export async function openLockstep(options: LockstepOptions): Promise<LockstepSession> {
  const { adapter, profile, coverage } = options;
  const oracle = options.createOracle(profile);
  const deadlineMs = options.stepDeadlineMs ?? STEP_DEADLINE_MS;
  const driver = await withDeadline('open (a fresh world)', Promise.resolve().then(() => adapter.open(profile)), deadlineMs);
  const translator: StepTranslator = createStepTranslator(driver, profile);
  const ignore = { notices: !adapter.capabilities.has('notices') || options.compareNotices === false };
  const linkingBy = new Map<DeviceId, 'qr' | 'code'>();
  const primaryReturned = new Set<'A' | 'B'>();
  // Sign-outs of companions so far in this world, per account: a companion shown again after its
  // sign-out is 'linking' in the model, yet its freed slot is what an unexpected LIMIT_REACHED
  // may have kept (LIMIT-02, not LIMIT-01).
  const slotsFreed = { A: 0, B: 0 };
  let expected: Observation = oracle.observe();
  let actualBefore: Observation['accounts'] = await withDeadline('observe (the fresh world)', Promise.resolve().then(() => driver.observe()), deadlineMs);
  const records: StepRecord[] = [];
  let firstFailure: StepVerdict | undefined;
  for (const s of oracle.activeStates()) coverage?.states.add(s);
  const situations = coverage?.situations ? new SituationTracker(profile) : undefined;
  const sentIds = new Set<string>();

  return {
    get expected() { return expected; },
    get records() { return records; },
    get firstFailure() { return firstFailure; },
    driver,
    oracle,
    async step(event) {
      const expectedBefore = expected.accounts;
      if (event.type === 'SEND') sentIds.add(event.id);
      const predicted = oracle.step(event);
      for (const s of predicted.states) coverage?.states.add(s);
      for (const t of predicted.transitions) coverage?.transitions.add(t);
      for (const r of requirementsExercised(event, expected.accounts, predicted.observation)) coverage?.requirements?.add(r);
      if (situations) for (const s of situations.step(event, expected.accounts, predicted.observation)) coverage!.situations!.add(s);
      if (event.type === 'SHOW_QR') linkingBy.set(event.device, 'qr');
      if (event.type === 'REQUEST_CODE') linkingBy.set(event.device, 'code');
      if (event.type === 'GO_ONLINE' && event.device.endsWith('.primary') && expected.accounts[event.device.slice(0, 1) as 'A' | 'B'].devices[event.device]?.online === false) {
        primaryReturned.add(event.device.slice(0, 1) as 'A' | 'B');
      }
      // An adapter that throws, hangs or answers garbage is an adapter fault (RunFaultError), never
      // a refusal: a crash must not be judged as a step result (issue 11).
      const outcome = await withDeadline(`step ${records.length}: ${describeEvent(event)}`, translator.apply(event), deadlineMs);
      const actual: Observation = { result: outcome.result, accounts: await withDeadline(`observe after step ${records.length}: ${describeEvent(event)}`, Promise.resolve().then(() => driver.observe()), deadlineMs) };
      const differences = compareStep({
        event, expectedBefore, expected: predicted.observation, actualBefore, actual, ignore,
        linkingBy: (d) => linkingBy.get(d),
        primaryReturned: (a) => primaryReturned.has(a), maxCompanions: profile.maxCompanions,
        slotsFreed: (a) => slotsFreed[a],
      });
      for (const account of ['A', 'B'] as const) {
        for (const [id, view] of Object.entries(predicted.observation.accounts[account].devices)) {
          const was = expectedBefore[account].devices[id as DeviceId];
          if (view?.role === 'companion' && view.status === 'signed-out' && was?.status !== 'signed-out') slotsFreed[account] += 1;
        }
      }
      expected = predicted.observation;
      actualBefore = actual.accounts;
      const words = (side: 'expected' | 'actual', result: string) =>
        [result, ...differences.filter((d) => d.field !== 'result').map((d) => `${d.field} ${d[side]}`)].join('; ');
      const record: StepRecord = {
        index: records.length,
        event: describeEvent(event),
        expected: words('expected', describeResult(predicted.observation.result)),
        actual: words('actual', describeResult(outcome.result)) + (outcome.note ? ` (${outcome.note})` : ''),
        ok: differences.length === 0,
        eventData: { ...event },
      };
      records.push(record);
      const verdict: StepVerdict = { record, differences, note: outcome.note };
      if (!record.ok && !firstFailure) firstFailure = verdict;
      return verdict;
    },
    async inspectTraffic() {
      if (firstFailure || !adapter.capabilities.has('traffic-inspection') || !driver.relayedPayloads || sentIds.size === 0) return undefined;
      const payloads = await withDeadline('relayedPayloads', driver.relayedPayloads(), deadlineMs);
      const leaks = new Set<string>();
      for (const p of payloads) for (const id of plaintextIds(p, sentIds)) leaks.add(id);
      if (leaks.size === 0) return undefined;
      const shown = [...leaks].sort();
      const differences: Difference[] = [{ field: 'relayed payloads', expected: 'ciphertext only', actual: `message ${shown.join(', ')} readable by the server`, requirement: 'E2E-01' }];
      const record: StepRecord = {
        index: records.length, event: 'INSPECT what the server relayed', expected: 'ciphertext only',
        actual: `plaintext message ids: ${shown.join(', ')}`, ok: false,
      };
      records.push(record);
      firstFailure = { record, differences };
      return firstFailure;
    },
    async close() { await withDeadline('close (the world)', Promise.resolve().then(() => driver.close()), deadlineMs); },
  };
}

/** Runs a whole path; stops at the first difference (later steps would only repeat it). */
export async function runPath(options: LockstepOptions & { events: readonly LinkEvent[] }): Promise<LockstepSession> {
  const session = await openLockstep(options);
  try {
    for (const event of options.events) {
      const verdict = await session.step(event);
      if (!verdict.record.ok) break;
    }
    await session.inspectTraffic();
  } catch (error) {
    await closeAfterFault(session);
    throw error;
  }
  await session.close();
  return session;
}

/** Closes a session whose step failed, keeping the first error: a close that fails too is not the news. */
export async function closeAfterFault(session: LockstepSession): Promise<void> {
  try {
    await session.close();
  } catch {
    // the error that ended the session is the one reported
  }
}
