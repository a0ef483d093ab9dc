/**
 * The comparison rules of model/observation.ts and the requirement each difference maps to.
 */
import { describe, expect, it } from 'vitest';
import { OK, refused } from '../../model/errors.js';
import type { LinkEvent } from '../../model/events.js';
import { EMPTY_ACCOUNT, type DeviceView, type Observation } from '../../model/observation.js';
import { compareStep } from '../compare.js';

const dev = (over: Partial<DeviceView> = {}): DeviceView => ({ role: 'companion', status: 'linked', online: true, messages: [], notices: [], ...over });
const primary = (over: Partial<DeviceView> = {}): DeviceView => dev({ role: 'primary', ...over });

function world(version: number, devices: Record<string, DeviceView>): Observation['accounts'] {
  return { A: { registered: true, deviceListVersion: version, devices }, B: EMPTY_ACCOUNT };
}

function compare(event: LinkEvent, before: Observation['accounts'], expected: Observation, actual: Observation) {
  return compareStep({ event, expectedBefore: before, expected, actualBefore: before, actual });
}

describe('compareStep', () => {
  it('finds nothing when both sides agree', () => {
    const w = world(2, { 'A.primary': primary(), 'A.c1': dev() });
    expect(compare({ type: 'RESTART' }, w, { result: OK, accounts: w }, { result: OK, accounts: w })).toEqual([]);
  });

  it('maps an accepted fifth link to LIMIT-01, first among its consequences', () => {
    const before = world(5, { 'A.primary': primary(), 'A.c5': dev({ status: 'linking' }) });
    const after = world(6, { 'A.primary': primary({ notices: ['A.c5'] }), 'A.c5': dev() });
    const diffs = compare({ type: 'SCAN_QR', device: 'A.c5', by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' }, before, { result: refused('LIMIT_REACHED'), accounts: before }, { result: OK, accounts: after });
    expect(diffs[0]).toMatchObject({ field: 'result', expected: 'LIMIT_REACHED', actual: 'ok', requirement: 'LIMIT-01' });
    expect(diffs.map((d) => d.requirement)).toContain('LIFE-02');
  });

  it('maps a companion still linked after the dormancy ADVANCE to EXP-01', () => {
    const before = world(2, { 'A.primary': primary({ online: false }), 'A.c1': dev() });
    const expected = world(3, { 'A.primary': primary({ online: false }), 'A.c1': dev({ status: 'signed-out', signOutReason: 'primary-dormant' }) });
    const diffs = compare({ type: 'ADVANCE', ms: 1 }, before, { result: OK, accounts: expected }, { result: OK, accounts: before });
    expect(diffs[0]).toMatchObject({ field: 'A.c1 status', requirement: 'EXP-01' });
    expect(diffs[1]).toMatchObject({ field: 'A device list version', requirement: 'LIFE-02' });
  });

  it('maps a message reaching a signed-out device to E2E-03 and a missing one on reconnect to OFF-02', () => {
    const before = world(3, { 'A.primary': primary(), 'A.c1': dev({ status: 'signed-out', signOutReason: 'unlinked' }), 'A.c2': dev({ online: false }) });
    const expected = world(3, { 'A.primary': primary({ messages: ['m1'] }), 'A.c1': dev({ status: 'signed-out', signOutReason: 'unlinked' }), 'A.c2': dev({ online: false }) });
    const leaked = world(3, { 'A.primary': primary({ messages: ['m1'] }), 'A.c1': dev({ status: 'signed-out', signOutReason: 'unlinked', messages: ['m1'] }), 'A.c2': dev({ online: false }) });
    expect(compare({ type: 'SEND', from: 'A.primary', id: 'm1' }, before, { result: OK, accounts: expected }, { result: OK, accounts: leaked })[0].requirement).toBe('E2E-03');

    const back = world(3, { ...expected.A.devices, 'A.c2': dev({ messages: ['m1'] }) } as Record<string, DeviceView>);
    const lost = world(3, { ...expected.A.devices, 'A.c2': dev() } as Record<string, DeviceView>);
    const diffs = compare({ type: 'GO_ONLINE', device: 'A.c2' }, expected, { result: OK, accounts: back }, { result: OK, accounts: lost });
    expect(diffs).toEqual([{ field: 'A.c2 messages', expected: '[m1]', actual: '[]', requirement: 'OFF-02' }]);
  });

  it('compares the device-list version by change, not value', () => {
    const before = world(2, { 'A.primary': primary() });
    const implBefore = world(40, { 'A.primary': primary() });
    const step = (actualVersion: number, modelVersion: number) => compareStep({
      event: { type: 'RESTART' }, expectedBefore: before, expected: { result: OK, accounts: world(modelVersion, before.A.devices as Record<string, DeviceView>) },
      actualBefore: implBefore, actual: { result: OK, accounts: world(actualVersion, before.A.devices as Record<string, DeviceView>) },
    });
    expect(step(40, 2)).toEqual([]);
    expect(step(97, 3)).toEqual([]);
    expect(step(40, 3)[0]).toMatchObject({ requirement: 'LIFE-02', expected: 'increased above 40' });
    expect(step(41, 2)[0]).toMatchObject({ requirement: 'LIFE-02', expected: 'unchanged at 40' });
  });

  it('ignores notices when the adapter cannot show them', () => {
    const w = world(2, { 'A.primary': primary({ notices: ['A.c1'] }) });
    const a = world(2, { 'A.primary': primary() });
    const base = { event: { type: 'RESTART' } as LinkEvent, expectedBefore: w, actualBefore: w, expected: { result: OK, accounts: w }, actual: { result: OK, accounts: a } };
    expect(compareStep(base)[0].requirement).toBe('NOTE-01');
    expect(compareStep({ ...base, ignore: { notices: true } })).toEqual([]);
  });

  it('blames EXP-02 for a premature dormancy sign-out after the primary came back, EXP-01 otherwise', () => {
    const before = world(2, { 'A.primary': primary({ online: false }), 'A.c1': dev() });
    const early = world(3, { 'A.primary': primary({ online: false }), 'A.c1': dev({ status: 'signed-out', signOutReason: 'primary-dormant' }) });
    const base = { event: { type: 'ADVANCE', ms: 1 } as LinkEvent, expectedBefore: before, actualBefore: before, expected: { result: OK, accounts: before }, actual: { result: OK, accounts: early } };
    expect(compareStep({ ...base, primaryReturned: () => true })[0].requirement).toBe('EXP-02');
    expect(compareStep({ ...base, primaryReturned: () => false })[0].requirement).toBe('EXP-01');
  });

  it('blames OFF-01 when a companion cannot send while its primary is offline, whatever the code', () => {
    const before = world(2, { 'A.primary': primary({ online: false }), 'A.c1': dev() });
    const diffs = compare({ type: 'SEND', from: 'A.c1', id: 'm1' }, before, { result: OK, accounts: before }, { result: refused('NOT_LINKED'), accounts: before });
    expect(diffs[0]).toMatchObject({ field: 'result', requirement: 'OFF-01' });
  });
});
