/**
 * AUTH-03 refusals the other checks do not reach, found by mutation testing of the reference
 * (selftest/MUTATION.md): nobody unlinks the primary, not even the primary; a primary cannot
 * unlink a device of another account, one that never existed, or one already unlinked.
 */
import type { DeviceId, LinkEvent } from '../../model/events.js';
import { linkByQr, register, sequenceCheck } from './defineCheck.js';

const unlink = (by: DeviceId, target: DeviceId): LinkEvent => ({ type: 'UNLINK', by, target });

export const UNLINK_REFUSALS = sequenceCheck({
  id: 'unlink-refusals',
  title: 'Nobody unlinks the primary; a primary unlinks only its own linked companions',
  requirements: ['AUTH-03'],
  needs: ['qr-image'],
  events: () => [
    register('A'), register('B'), ...linkByQr('A.c1'), ...linkByQr('B.c1'),
    unlink('A.primary', 'A.primary'), unlink('A.c1', 'A.primary'),
    unlink('A.primary', 'B.c1'), unlink('A.primary', 'A.c2'),
    unlink('A.primary', 'A.c1'), unlink('A.primary', 'A.c1'),
  ],
});
