/**
 * The verdict rules of issue 9: a difference is blamed on the requirement of what the
 * implementation actually did whenever that is a MUST, and a MUST violation is never reported
 * as a non-strict (SHOULD) deviation.
 */
import { describe, expect, it } from 'vitest';
import { OK, refused, type OpResult } from '../../model/errors.js';
import type { LinkEvent } from '../../model/events.js';
import { EMPTY_ACCOUNT, type DeviceView, type Observation } from '../../model/observation.js';
import { requirementVerdicts } from '../verdicts.js';
import { compareStep, type Difference } from '../compare.js';
import { blamedRequirement, failureFromDifferences } from '../failure.js';
import type { CheckResult } from '../../reports/schema.js';

const dev = (over: Partial<DeviceView> = {}): DeviceView => ({ role: 'companion', status: 'linked', online: true, messages: [], notices: [], ...over });
const primary = dev({ role: 'primary' });
const out = (reason: DeviceView['signOutReason']) => dev({ status: 'signed-out', signOutReason: reason });

function accounts(devices: Record<string, DeviceView>, b: Record<string, DeviceView> = {}): Observation['accounts'] {
  return {
    A: { registered: true, deviceListVersion: 5, devices },
    B: Object.keys(b).length ? { registered: true, deviceListVersion: 2, devices: b } : EMPTY_ACCOUNT,
  };
}

function resultBlame(event: LinkEvent, before: Observation['accounts'], expected: OpResult, actual: OpResult, actualAfter = before): string {
  const diffs = compareStep({ event, expectedBefore: before, expected: { result: expected, accounts: before }, actualBefore: before, actual: { result: actual, accounts: actualAfter }, maxCompanions: 4 });
  return diffs.find((d) => d.field === 'result')!.requirement;
}

const enterCode = (device: 'A.c5' | 'B.c1', by: 'A.primary' = 'A.primary'): LinkEvent => ({ type: 'ENTER_CODE', device, by, correct: false, idCheck: 'pass' });
const scan = (device: 'A.c5' | 'B.c1', by: 'A.primary' | 'A.c1' = 'A.primary'): LinkEvent => ({ type: 'SCAN_QR', device, by, source: 'live', idCheck: 'pass', tamper: 'none' });

describe('blame on what the implementation did', () => {
  // Four slots were used, one freed by an unlink: the model has 3 linked and room for one more.
  const freed = accounts({ 'A.primary': primary, 'A.c1': out('unlinked'), 'A.c2': dev(), 'A.c3': dev(), 'A.c4': dev(), 'A.c5': dev({ status: 'linking' }) });
  const roomy = accounts({ 'A.primary': primary, 'A.c1': dev(), 'A.c5': dev({ status: 'linking' }) });

  it('an unexpected LIMIT_REACHED where the model predicted a PAIR-06 refusal is LIMIT-02 when a freed slot was not reused', () => {
    expect(resultBlame(enterCode('A.c5'), freed, refused('CODE_INVALID'), refused('LIMIT_REACHED'))).toBe('LIMIT-02');
  });

  it('an unexpected LIMIT_REACHED is LIMIT-01 when the account was not at the limit and no slot was freed', () => {
    expect(resultBlame(scan('A.c5'), roomy, OK, refused('LIMIT_REACHED'))).toBe('LIMIT-01');
    expect(resultBlame(enterCode('A.c5'), roomy, refused('CODE_INVALID'), refused('LIMIT_REACHED'))).toBe('LIMIT-01');
  });

  it('a LIMIT_REACHED instead of another refusal at the limit is a precedence difference: the predicted refusal decides', () => {
    const full = accounts({ 'A.primary': primary, 'A.c1': dev(), 'A.c2': dev(), 'A.c3': dev(), 'A.c4': dev(), 'A.c5': dev({ status: 'linking' }) });
    expect(resultBlame(enterCode('A.c5'), full, refused('CODE_INVALID'), refused('LIMIT_REACHED'))).toBe('PAIR-06');
  });

  it('an acceptance that links a fifth companion is LIMIT-01, whatever refusal the model predicted', () => {
    const full = accounts({ 'A.primary': primary, 'A.c1': dev(), 'A.c2': dev(), 'A.c3': dev(), 'A.c4': dev(), 'A.c5': dev({ status: 'linking' }) });
    const after = accounts({ ...full.A.devices as Record<string, DeviceView>, 'A.c5': dev() });
    expect(resultBlame(enterCode('A.c5'), full, refused('CODE_INVALID'), OK, after)).toBe('LIMIT-01');
  });

  it("an acceptance that links another account's companion is PAIR-07, not the PAIR-06 refusal predicted", () => {
    const before = accounts({ 'A.primary': primary }, { 'B.primary': primary, 'B.c1': dev({ status: 'linking' }) });
    expect(resultBlame(enterCode('B.c1'), before, refused('CODE_INVALID'), OK)).toBe('PAIR-07');
  });

  it('a primary refused as a companion breaks PAIR-02 (linking) or AUTH-03 (unlinking)', () => {
    expect(resultBlame(scan('A.c5'), roomy, OK, refused('NOT_PRIMARY'))).toBe('PAIR-02');
    expect(resultBlame({ type: 'UNLINK', by: 'A.primary', target: 'A.c1' }, roomy, OK, refused('NOT_PRIMARY'))).toBe('AUTH-03');
  });

  it('a companion approving keeps AUTH-01; a failed ID check that passed is PAIR-05', () => {
    expect(resultBlame(scan('A.c5', 'A.c1'), roomy, refused('NOT_PRIMARY'), OK)).toBe('AUTH-01');
    expect(resultBlame(scan('A.c5'), roomy, OK, refused('ID_CHECK_FAILED'))).toBe('PAIR-05');
  });

  it('the status difference of a linking step follows the same rule as its result', () => {
    const diffs = compareStep({ event: enterCode('A.c5'), expectedBefore: freed, expected: { result: refused('CODE_INVALID'), accounts: freed }, actualBefore: freed, actual: { result: refused('LIMIT_REACHED'), accounts: freed }, maxCompanions: 4 });
    expect(diffs.map((d) => d.requirement)).toEqual(['LIMIT-02']);
  });
});

describe('a MUST violation is never non-strict', () => {
  const d = (requirement: Difference['requirement']): Difference => ({ field: requirement, expected: 'x', actual: 'y', requirement });

  it('blames the first MUST difference even when a SHOULD one reads first', () => {
    expect(blamedRequirement([d('NOTE-01'), d('PAIR-06'), d('LIFE-02'), d('LIMIT-01')])).toBe('LIFE-02');
    expect(blamedRequirement([d('PAIR-04'), d('NOTE-01')])).toBe('PAIR-04');
    const step = { index: 0, event: 'e', expected: 'x', actual: 'y', ok: false };
    expect(failureFromDifferences([step], 0, [d('PAIR-06'), d('LIMIT-02')]).requirement).toBe('LIMIT-02');
  });

  it('a failing check blamed on a MUST makes that requirement fail and the SHOULD stays unjudged by it', () => {
    const step = { index: 0, event: 'e', expected: 'x', actual: 'y', ok: false };
    const failure = { ...failureFromDifferences([step], 0, [d('PAIR-06'), d('LIMIT-02')]), replay: 'r' };
    const check: CheckResult = { id: 'c', title: 't', kind: 'model-path', requirements: ['PAIR-06'], status: 'fail', durationMs: 0, steps: 1, failure };
    const verdicts = requirementVerdicts(['PAIR-06', 'LIMIT-02'], [check], []);
    expect(verdicts.find((v) => v.id === 'LIMIT-02')?.verdict).toBe('fail');
    expect(verdicts.find((v) => v.id === 'PAIR-06')?.verdict).not.toBe('non-strict');
  });
});
