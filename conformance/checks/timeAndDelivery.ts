/**
 * EXP-01 at its boundary (still linked at dormancy − 1 ms, signed out at dormancy), EXP-02
 * (primary activity restarts the window), EXP-03 (a signed-out companion neither sends nor
 * receives, and returns only through a new pairing), EXP-04 (a companion idle too long is
 * signed out, at its boundary), NOTE-01 (link notices, queued for offline devices), OFF-01 (companions work with the primary offline), OFF-02 across a server restart (queued messages
 * delivered on reconnect exactly once, in order).
 */
import type { LinkEvent } from '../../model/events.js';
import { linkByQr, register, sequenceCheck } from './defineCheck.js';

const offline = (device: 'A.primary' | 'A.c1'): LinkEvent => ({ type: 'GO_OFFLINE', device });
const online = (device: 'A.primary' | 'A.c1'): LinkEvent => ({ type: 'GO_ONLINE', device });

export const DORMANCY_BOUNDARY = sequenceCheck({
  id: 'dormancy-boundary',
  title: 'Companions are still linked at dormancy − 1 ms and signed out at dormancy',
  requirements: ['EXP-01'],
  needs: ['qr-image', 'clock', 'offline'],
  events: (profile) => [
    register('A'), ...linkByQr('A.c1'), offline('A.primary'),
    { type: 'ADVANCE', ms: profile.primaryDormancyMs - 1 }, { type: 'ADVANCE', ms: 1 },
  ],
});

export const DORMANCY_WINDOW_RESTARTS = sequenceCheck({
  id: 'dormancy-window-restarts',
  title: 'The primary coming online before the limit restarts the dormancy window',
  requirements: ['EXP-02'],
  needs: ['qr-image', 'clock', 'offline'],
  events: (profile) => [
    register('A'), ...linkByQr('A.c1'), offline('A.primary'),
    { type: 'ADVANCE', ms: profile.primaryDormancyMs - 1 }, online('A.primary'), offline('A.primary'),
    { type: 'ADVANCE', ms: profile.primaryDormancyMs - 1 }, { type: 'ADVANCE', ms: 1 },
  ],
});

export const RESTART_DELIVERS_ONCE = sequenceCheck({
  id: 'restart-delivers-once',
  title: 'Messages queued for an offline device survive a restart and arrive exactly once, in order',
  requirements: ['OFF-02'],
  needs: ['qr-image', 'offline', 'messaging', 'restart'],
  events: () => [
    register('A'), register('B'), ...linkByQr('A.c1'), offline('A.c1'),
    { type: 'SEND', from: 'B.primary', id: 'm1' }, { type: 'SEND', from: 'B.primary', id: 'm2' },
    { type: 'RESTART' }, online('A.c1'), { type: 'RESTART' },
    { type: 'SEND', from: 'B.primary', id: 'm3' },
  ],
});

export const SIGNED_OUT_STAYS_OUT = sequenceCheck({
  id: 'signed-out-stays-out',
  title: 'A companion signed out by dormancy neither sends nor receives until it is paired again',
  requirements: ['EXP-03', 'E2E-03'],
  needs: ['qr-image', 'clock', 'offline', 'messaging'],
  events: (profile) => [
    register('A'), register('B'), ...linkByQr('A.c1'), offline('A.primary'),
    { type: 'ADVANCE', ms: profile.primaryDormancyMs }, online('A.primary'),
    { type: 'SEND', from: 'A.c1', id: 'm1' }, { type: 'SEND', from: 'B.primary', id: 'm2' },
    ...linkByQr('A.c1'), { type: 'SEND', from: 'A.c1', id: 'm3' },
  ],
});

/**
 * The same, for a companion that was OFFLINE when dormancy signed it out and reconnects only after
 * the primary is back: its reconnect must find it signed out. A server that treats dormancy as a
 * suspension lifted by the primary's return (restoring the session at authentication) passes
 * signed-out-stays-out, where the companion stays connected throughout, and fails here.
 */
export const DORMANT_STAYS_OUT_ON_RECONNECT = sequenceCheck({
  id: 'dormant-stays-out-on-reconnect',
  title: 'A companion offline through dormancy is still signed out when it reconnects after the primary is back',
  requirements: ['EXP-03', 'E2E-03'],
  needs: ['qr-image', 'clock', 'offline', 'messaging'],
  events: (profile) => [
    register('A'), register('B'), ...linkByQr('A.c1'), offline('A.c1'), offline('A.primary'),
    { type: 'ADVANCE', ms: profile.primaryDormancyMs }, online('A.primary'), online('A.c1'),
    { type: 'SEND', from: 'A.c1', id: 'm1' }, { type: 'SEND', from: 'B.primary', id: 'm2' },
  ],
});

export const COMPANION_IDLE_BOUNDARY = sequenceCheck({
  id: 'companion-idle-boundary',
  title: 'A companion offline for the idle limit − 1 ms is still linked, at the limit it is signed out',
  requirements: ['EXP-04'],
  needs: ['qr-image', 'clock', 'offline'],
  events: (profile) => [
    register('A'), ...linkByQr('A.c1'), offline('A.c1'),
    { type: 'ADVANCE', ms: profile.companionIdleMs - 1 }, { type: 'ADVANCE', ms: 1 },
  ],
});

export const COMPANIONS_WITHOUT_PRIMARY = sequenceCheck({
  id: 'companions-without-primary',
  title: 'With the primary offline, a companion still sends, receives and keeps its history',
  requirements: ['OFF-01'],
  needs: ['qr-image', 'offline', 'messaging'],
  events: () => [
    register('A'), register('B'), { type: 'SEND', from: 'A.primary', id: 'm1' }, ...linkByQr('A.c1'), offline('A.primary'),
    { type: 'SEND', from: 'A.c1', id: 'm2' }, { type: 'SEND', from: 'B.primary', id: 'm3' }, online('A.primary'),
  ],
});

export const OFFLINE_RECEIVES_ON_RECONNECT = sequenceCheck({
  id: 'offline-receives-on-reconnect',
  title: 'A device that was offline receives on reconnect everything sent to it meanwhile, once each, in order',
  requirements: ['OFF-02'],
  needs: ['qr-image', 'offline', 'messaging'],
  events: () => [
    register('A'), register('B'), ...linkByQr('A.c1'), offline('A.c1'), offline('A.primary'),
    { type: 'SEND', from: 'B.primary', id: 'm1' }, { type: 'SEND', from: 'B.primary', id: 'm2' },
    online('A.primary'), { type: 'SEND', from: 'A.primary', id: 'm3' }, online('A.c1'),
  ],
});

export const LINK_NOTICE = sequenceCheck({
  id: 'link-notice',
  title: 'Every device of the account is told of a new link: now if online, on reconnect if not',
  requirements: ['NOTE-01'],
  needs: ['qr-image', 'offline', 'notices'],
  events: () => [register('A'), ...linkByQr('A.c1'), offline('A.c1'), ...linkByQr('A.c2'), online('A.c1')],
});
