/**
 * The targeted negative and security checks (suite 3), in report order.
 */
import { COMPANION_APPROVES, CODE_ATTEMPTS, ID_CHECK_FAILS, ONE_TOO_MANY } from './authority.js';
import type { SecurityCheck } from './defineCheck.js';
import { QR_EXPIRED_REFERENCE, QR_PHOTO_REPLAY } from './qrReplay.js';
import { QR_TAMPER_KEY, QR_TAMPER_REF, QR_TAMPER_SECRET } from './qrTamper.js';
import { RELAY_IS_CIPHERTEXT, SERVER_INJECTED_DEVICE } from './security.js';
import { DORMANCY_BOUNDARY, DORMANCY_WINDOW_RESTARTS, RESTART_DELIVERS_ONCE, SIGNED_OUT_STAYS_OUT, COMPANION_IDLE_BOUNDARY } from './timeAndDelivery.js';

export type { SecurityCheck, CheckContext, CheckOutcome } from './defineCheck.js';

export const SECURITY_CHECKS: readonly SecurityCheck[] = [
  QR_TAMPER_REF, QR_TAMPER_KEY, QR_TAMPER_SECRET,
  QR_PHOTO_REPLAY, QR_EXPIRED_REFERENCE,
  COMPANION_APPROVES, ID_CHECK_FAILS, ONE_TOO_MANY, CODE_ATTEMPTS,
  SERVER_INJECTED_DEVICE, RELAY_IS_CIPHERTEXT,
  RESTART_DELIVERS_ONCE, DORMANCY_BOUNDARY, DORMANCY_WINDOW_RESTARTS, SIGNED_OUT_STAYS_OUT, COMPANION_IDLE_BOUNDARY,
];
