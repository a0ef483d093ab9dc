/**
 * Deadlines the other targeted checks never reach, found by mutation testing of the reference
 * (`npm run mutation`, selftest/MUTATION.md): mutants in these paths survived the suite.
 * - PAIR-04: a QR attempt ends after its last reference; then there is no QR and a photo of it
 *   links nothing.
 * - PAIR-06: a pairing code expires at its lifetime; another companion's request for the same
 *   number cancels nothing (each companion holds its own code); a cancelled code links nothing.
 * - EXP-02 / EXP-04: a device back online is not signed out later by a window that ended when it
 *   came back.
 * - EXP-04 with EXP-01: two deadlines passed in one ADVANCE are processed in time order (the
 *   companion's idleness, earlier, decides its sign-out reason, not the primary's dormancy).
 */
import type { CompanionId, LinkEvent } from '../../model/events.js';
import { linkByQr, register, scan, sequenceCheck, showQr } from './defineCheck.js';

const DAY = 86_400_000;
const advance = (ms: number): LinkEvent => ({ type: 'ADVANCE', ms });
const enter = (device: CompanionId, correct = true): LinkEvent => ({ type: 'ENTER_CODE', device, by: 'A.primary', correct, idCheck: 'pass' });
const requestCode = (device: CompanionId): LinkEvent => ({ type: 'REQUEST_CODE', device });

export const QR_ATTEMPT_ENDS = sequenceCheck({
  id: 'qr-attempt-ends',
  title: 'A QR attempt ends after its last reference: no QR is shown and a photo of it links nothing',
  requirements: ['PAIR-04'],
  needs: ['qr-image', 'clock'],
  events: (profile) => {
    const attemptMs = profile.qr.firstRefMs + (profile.qr.refCount - 1) * profile.qr.nextRefMs;
    return [register('A'), showQr('A.c1'), advance(attemptMs - 1), advance(1), scan('A.c1'), scan('A.c1', { source: 'photo' }), ...linkByQr('A.c1')];
  },
});

export const PAIRING_CODE_LIFECYCLE = sequenceCheck({
  id: 'pairing-code-lifecycle',
  title: "A pairing code expires at its lifetime, another companion's request for the number cancels nothing, a cancelled code links nothing",
  requirements: ['PAIR-06'],
  needs: ['pairing-code', 'clock'],
  events: (profile) => [
    register('A'),
    requestCode('A.c1'), advance(profile.pairingCode.lifetimeMs - 1), advance(1), enter('A.c1'),
    requestCode('A.c1'), requestCode('A.c2'), enter('A.c2', false), enter('A.c1'),
    { type: 'CANCEL_LINKING', device: 'A.c2' }, enter('A.c2'),
    requestCode('A.c2'), requestCode('A.c2'), enter('A.c2'),
  ],
});

export const BACK_ONLINE_STAYS_LINKED = sequenceCheck({
  id: 'back-online-stays-linked',
  title: 'A primary (or companion) back online before its limit is not signed out later by the window it ended',
  requirements: ['EXP-02', 'EXP-04'],
  needs: ['qr-image', 'clock', 'offline'],
  events: (profile) => [
    register('A'), ...linkByQr('A.c1'),
    { type: 'GO_OFFLINE', device: 'A.primary' }, advance(profile.primaryDormancyMs - 1), { type: 'GO_ONLINE', device: 'A.primary' },
    advance(profile.primaryDormancyMs),
    { type: 'GO_OFFLINE', device: 'A.c1' }, advance(profile.companionIdleMs - 1), { type: 'GO_ONLINE', device: 'A.c1' },
    advance(profile.companionIdleMs),
  ],
});

export const DEADLINES_IN_TIME_ORDER = sequenceCheck({
  id: 'deadlines-in-time-order',
  title: 'Deadlines passed in one step are processed in time order: an idle companion is signed out as idle before the primary turns dormant',
  requirements: ['EXP-04', 'EXP-01'],
  needs: ['qr-image', 'clock', 'offline'],
  events: (profile) => {
    // The companion's idle deadline comes first when the primary leaves late enough.
    const primaryLeaves = Math.max(profile.companionIdleMs - profile.primaryDormancyMs + DAY, DAY);
    return [
      register('A'), ...linkByQr('A.c1'), { type: 'GO_OFFLINE', device: 'A.c1' }, advance(primaryLeaves),
      { type: 'GO_OFFLINE', device: 'A.primary' }, advance(profile.companionIdleMs + profile.primaryDormancyMs),
    ];
  },
});
