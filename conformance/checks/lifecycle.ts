/**
 * LIFE-01 and LIFE-02 as targeted checks, so that they do not depend on a random walk happening
 * upon them: re-registering the primary (new phone) signs every companion out, and every change
 * to an account's devices - a link, a companion unlinking itself, a dormancy sign-out, a logout,
 * a re-registration - yields a strictly higher device-list version (the lockstep comparison
 * checks the version after every step). Found by `linkspec selftest --fast`: the known-bad
 * variants 'list-version-stuck' and 'reregister-keeps-companions' were caught only by the
 * property walks.
 */
import { sequenceCheck, linkByQr, register } from './defineCheck.js';

export const DEVICE_LIST_VERSION_INCREASES = sequenceCheck({
  id: 'device-list-version-increases',
  title: 'Every device change increases the device-list version: link, self-unlink, dormancy sign-out, logout',
  requirements: ['LIFE-02'],
  needs: ['qr-image', 'clock', 'offline', 'lifecycle'],
  events: (profile) => [
    register('A'), ...linkByQr('A.c1'), ...linkByQr('A.c2'),
    { type: 'UNLINK', by: 'A.c2', target: 'A.c2' },
    { type: 'GO_OFFLINE', device: 'A.primary' }, { type: 'ADVANCE', ms: profile.primaryDormancyMs },
    { type: 'GO_ONLINE', device: 'A.primary' }, ...linkByQr('A.c3'),
    { type: 'LOGOUT', account: 'A' },
  ],
});

export const REREGISTER_SIGNS_OUT = sequenceCheck({
  id: 'reregister-signs-out-companions',
  title: 'A primary re-registering (new phone) signs out every companion; they come back only by pairing again',
  requirements: ['LIFE-01'],
  needs: ['qr-image', 'lifecycle'],
  events: () => [
    register('A'), ...linkByQr('A.c1'), ...linkByQr('A.c2'),
    { type: 'REREGISTER', account: 'A', proof: true },
    ...linkByQr('A.c1'),
  ],
});
