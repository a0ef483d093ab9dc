/**
 * HIST-01 as a targeted check: a companion linked after messages were exchanged receives the
 * primary's history, by QR and by pairing code. Found by `linkspec selftest --fast`: the
 * known-bad variant 'no-history' was caught only when a property walk happened to link a
 * companion after a message.
 */
import { sequenceCheck, linkByQr, register } from './defineCheck.js';

export const NEW_COMPANION_GETS_HISTORY = sequenceCheck({
  id: 'new-companion-gets-history',
  title: 'A companion linked after messages were exchanged holds the primary\'s history',
  requirements: ['HIST-01'],
  needs: ['qr-image', 'messaging', 'history'],
  events: () => [
    register('A'), register('B'),
    { type: 'SEND', from: 'B.primary', id: 'm1' }, { type: 'SEND', from: 'A.primary', id: 'm2' },
    ...linkByQr('A.c1'),
  ],
});
