/**
 * The companion's side of linking (PAIR-02, PAIR-06, PAIR-07): a `link.offer` is counter-signed
 * only when (1) the details HMAC verifies under the companion's own linking secret (QR) or its
 * code-derived key (pairing code), proving the approver read THIS companion's code, and (2) the
 * account signature verifies over THIS companion's identity key under the offered primary key.
 * Anything else is refused with the code the primary will see (QR_INVALID / CODE_INVALID).
 */
import { timingSafeEqual } from 'node:crypto';
import { toBase64, tryFromBase64, type DeviceKeys } from '../crypto/keys.js';
import { deviceSignature, detailsHmac, verifyAccountSignature } from '../crypto/linking.js';
import { NO_FAULTS, type FaultSet } from '../faults.js';

export interface LinkOffer {
  readonly details: string;
  readonly detailsHmac: string;
  readonly accountSignature: string;
  readonly primaryIdentityKey: string;
  readonly via: 'qr' | 'code';
}

/** What the companion is linking with: the QR's secret, or the link key its pairing-code exchange derived (null: none yet). */
export type LinkingSecret = { readonly kind: 'qr'; readonly secret: Uint8Array } | { readonly kind: 'code'; readonly linkKey: Uint8Array | null };

export type OfferAnswer = { readonly deviceSignature: string } | { readonly refuse: 'QR_INVALID' | 'CODE_INVALID' };

export async function answerLinkOffer(offer: LinkOffer, linking: LinkingSecret | null, keys: DeviceKeys, faults: FaultSet = NO_FAULTS): Promise<OfferAnswer> {
  const wrong = offer.via === 'code' ? 'CODE_INVALID' : 'QR_INVALID';
  const details = tryFromBase64(offer.details);
  const mac = tryFromBase64(offer.detailsHmac);
  const accountSig = tryFromBase64(offer.accountSignature);
  const primaryKey = tryFromBase64(offer.primaryIdentityKey);
  if (!details || !mac || !accountSig || !primaryKey || !linking || linking.kind !== offer.via) return { refuse: wrong };
  const key = linking.kind === 'qr' ? linking.secret : linking.linkKey;
  if (!key) return { refuse: wrong };
  const expected = detailsHmac(key, details);
  // Fault 'hmac-unchecked': the linking secret is never checked (PAIR-07).
  const macOk = expected.length === mac.length && timingSafeEqual(expected, mac);
  if (!macOk && !faults.has('hmac-unchecked')) return { refuse: wrong };
  if (!verifyAccountSignature(primaryKey, details, keys.signing.publicKey, accountSig)) return { refuse: wrong };
  return { deviceSignature: toBase64(deviceSignature(keys.signing.secretKey, details, keys.signing.publicKey, primaryKey)) };
}
