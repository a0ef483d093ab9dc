/**
 * AUTH-01 (only the primary approves a link), AUTH-03 with E2E-03 (an unlinked companion
 * receives nothing after its removal), PAIR-05 (a failed ID check links nothing), LIMIT-01 (no fifth companion, and the refusal
 * changes nothing) with LIMIT-02 (unlinking frees the slot), PAIR-06 (pairing-code attempts are
 * limited).
 */
import { COMPANION_SLOTS, type CompanionId, type LinkEvent } from '../../model/events.js';
import { linkByQr, register, scan, sequenceCheck, showQr } from './defineCheck.js';

export const COMPANION_APPROVES = sequenceCheck({
  id: 'companion-approves',
  title: 'A companion approving a link is refused and links nothing',
  requirements: ['AUTH-01'],
  needs: ['qr-image'],
  events: () => [register('A'), ...linkByQr('A.c1'), showQr('A.c2'), scan('A.c2', { by: 'A.c1' }), scan('A.c2')],
});

export const ONE_TOO_MANY = sequenceCheck({
  id: 'limit-one-too-many',
  title: 'One companion more than the limit is refused; unlinking one frees its slot',
  requirements: ['LIMIT-01', 'LIMIT-02'],
  needs: ['qr-image'],
  events: (profile) => {
    const slots = COMPANION_SLOTS.slice(0, Math.min(profile.maxCompanions + 1, COMPANION_SLOTS.length)).map((s) => `A.${s}` as CompanionId);
    const extra = slots[slots.length - 1];
    const events: LinkEvent[] = [register('A')];
    for (const device of slots.slice(0, -1)) events.push(...linkByQr(device));
    events.push(showQr(extra), scan(extra), { type: 'UNLINK', by: 'A.primary', target: slots[0] }, scan(extra));
    return events;
  },
});

export const CODE_ATTEMPTS = sequenceCheck({
  id: 'code-attempts-limit',
  title: 'Wrong pairing codes are limited: after the last attempt even the right code is refused',
  requirements: ['PAIR-06'],
  needs: ['pairing-code'],
  events: (profile) => [
    register('A'),
    { type: 'REQUEST_CODE', device: 'A.c1' },
    ...Array.from({ length: profile.pairingCode.maxAttempts }, (): LinkEvent => ({ type: 'ENTER_CODE', device: 'A.c1', by: 'A.primary', correct: false, idCheck: 'pass' })),
    { type: 'ENTER_CODE', device: 'A.c1', by: 'A.primary', correct: true, idCheck: 'pass' },
  ],
});

export const ID_CHECK_FAILS = sequenceCheck({
  id: 'id-check-fails',
  title: 'With an ID check set up, a failed check links nothing; a passing one links',
  requirements: ['PAIR-05'],
  needs: ['qr-image', 'id-check'],
  events: () => [register('A', true), showQr('A.c1'), scan('A.c1', { idCheck: 'fail' }), scan('A.c1', { idCheck: 'pass' })],
});

export const UNLINKED_RECEIVES_NOTHING = sequenceCheck({
  id: 'unlinked-receives-nothing',
  title: 'A companion unlinked by the primary receives nothing sent after its removal; a companion unlinks only itself',
  requirements: ['AUTH-03', 'E2E-03'],
  needs: ['qr-image', 'messaging'],
  events: () => [
    register('A'), register('B'), ...linkByQr('A.c1'), ...linkByQr('A.c2'),
    { type: 'UNLINK', by: 'A.c2', target: 'A.c1' }, { type: 'UNLINK', by: 'A.primary', target: 'A.c1' },
    { type: 'SEND', from: 'B.primary', id: 'm1' }, { type: 'SEND', from: 'A.c2', id: 'm2' },
    { type: 'UNLINK', by: 'A.c2', target: 'A.c2' }, { type: 'SEND', from: 'B.primary', id: 'm3' },
  ],
});
