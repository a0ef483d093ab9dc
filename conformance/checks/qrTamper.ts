/**
 * PAIR-07: a QR code with one field altered (reference, identity key, linking secret) links
 * nothing; the untampered code still links afterwards (so the refusal was about the tamper).
 */
import type { QrTamper } from '../../model/events.js';
import { register, scan, sequenceCheck, showQr } from './defineCheck.js';

const tamperCheck = (tamper: Exclude<QrTamper, 'none'>, what: string) => sequenceCheck({
  id: `qr-tamper-${tamper}`,
  title: `A QR code with an altered ${what} links nothing`,
  requirements: ['PAIR-07'],
  needs: ['qr-image'],
  events: () => [register('A'), showQr('A.c1'), scan('A.c1', { tamper }), scan('A.c1')],
});

export const QR_TAMPER_REF = tamperCheck('ref', 'reference');
export const QR_TAMPER_KEY = tamperCheck('key', 'identity key');
export const QR_TAMPER_SECRET = tamperCheck('secret', 'linking secret');
