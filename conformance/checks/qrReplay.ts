/**
 * PAIR-03 and PAIR-04: a photo of a QR code links nothing once its reference was used or its
 * attempt cancelled, nor once the reference rotated out (expired).
 */
import { register, scan, sequenceCheck, showQr } from './defineCheck.js';

export const QR_PHOTO_REPLAY = sequenceCheck({
  id: 'qr-photo-replay',
  title: 'A photo of a used or cancelled QR code links nothing',
  requirements: ['PAIR-03'],
  needs: ['qr-image'],
  events: () => [
    register('A'),
    showQr('A.c1'), scan('A.c1'), scan('A.c1', { source: 'photo' }),
    showQr('A.c2'), { type: 'CANCEL_LINKING', device: 'A.c2' }, scan('A.c2', { source: 'photo' }),
  ],
});

export const QR_EXPIRED_REFERENCE = sequenceCheck({
  id: 'qr-expired-reference',
  title: 'A QR reference that rotated out links nothing; the one shown now still does',
  requirements: ['PAIR-04'],
  needs: ['qr-image', 'clock'],
  events: (profile) => [
    register('A'), showQr('A.c1'),
    { type: 'ADVANCE', ms: profile.qr.firstRefMs - 1 }, { type: 'ADVANCE', ms: 1 },
    scan('A.c1', { source: 'photo' }), scan('A.c1'),
  ],
});
