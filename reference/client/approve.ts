/**
 * The primary's side of linking (PAIR-02, PAIR-06, PAIR-07, AUTH-01, HIST-01, LIFE-02): from a
 * scanned QR text or an entered pairing code to one `link.approve` frame carrying
 * - the ADV details and their HMAC under the linking secret (QR) or the code-derived key,
 * - the account signature over the companion's identity key (only the primary can make it),
 * - the next device list (current devices + the companion, version + 1) signed by the primary,
 * - the primary's history sealed to the companion's box key.
 * The caller has already run the precheck and the ID check (PAIR-05 ordering).
 */
import { OK, refused, type OpResult } from '../../model/errors.js';
import type { Profile } from '../../model/profile.js';
import { sealFor } from '../crypto/envelope.js';
import { fromBase64, randomBytes, toBase64, tryFromBase64, verify, type DeviceKeys } from '../crypto/keys.js';
import { accountSignature, detailsHmac, encodeDetails, signDeviceList } from '../crypto/linking.js';
import { deriveCodeKey, normalisePairingCode } from '../crypto/pairingCode.js';
import { parseQrText } from '../qr/qrText.js';
import { boxKeyBytes, CODE_KEY_ITERATIONS } from '../protocol/constants.js';
import type { WireDevicesAnswer } from './trust.js';
import type { WireConnection } from './wire.js';
import type { FaultSet } from '../faults.js';

export interface LinkTarget {
  readonly wire: WireConnection;
  readonly keys: DeviceKeys;
  readonly phone: string;
  /** The primary's messages now: the history the companion receives. */
  readonly messages: readonly string[];
  readonly profile: Profile;
  /** Known-bad switches (reference/faults.ts). */
  readonly faults?: FaultSet;
}

export type LinkInput = { readonly kind: 'qr'; readonly text: string } | { readonly kind: 'code'; readonly code: string };

interface Companion { identity: Uint8Array; box: Uint8Array; hmacKey: Uint8Array; via: { ref: string } | { codeToken: string } }

async function fromCode(t: LinkTarget, code: string): Promise<Companion | OpResult> {
  const entered = await t.wire.request<{ codeToken: string; companion: { identityKey: string; boxKey: string; boxKeySignature: string } }>('code.enter', { code });
  if (!entered.ok) return refused(entered.code);
  const c = entered.value.companion;
  const identity = tryFromBase64(c.identityKey);
  const box = tryFromBase64(c.boxKey);
  const boxSig = tryFromBase64(c.boxKeySignature);
  if (!identity || !box || !boxSig || !verify(boxKeyBytes(box), boxSig, identity)) return refused('BAD_SIGNATURE');
  const normal = normalisePairingCode(code, t.profile.pairingCode) ?? code;
  const hmacKey = await deriveCodeKey(normal, identity, CODE_KEY_ITERATIONS);
  return { identity, box, hmacKey, via: { codeToken: entered.value.codeToken } };
}

function fromQr(text: string): Companion | OpResult {
  const content = parseQrText(text);
  if (!content) return refused('QR_INVALID');
  return {
    identity: fromBase64(content.identityPublic), box: fromBase64(content.noisePublic),
    hmacKey: fromBase64(content.advSecret), via: { ref: content.ref },
  };
}

export async function approveLink(t: LinkTarget, input: LinkInput): Promise<OpResult> {
  const companion = input.kind === 'qr' ? fromQr(input.text) : await fromCode(t, input.code);
  if ('ok' in companion) return companion;
  const current = await t.wire.request<WireDevicesAnswer>('devices.get', { phone: t.phone });
  if (!current.ok) return refused(current.code);
  const list = current.value.list;
  const version = list.version + 1;
  const companionId = toBase64(companion.identity);
  const devices = [...list.devices, { id: companionId, identityKey: companionId }];
  const rawId = new DataView(randomBytes(4).buffer).getUint32(0);
  const details = encodeDetails({ rawId, timestamp: Date.now(), keyIndex: version });
  const plain = new TextEncoder().encode(JSON.stringify({ messages: t.messages }));
  // Fault 'history-plaintext': the history is "sealed" by base64 only (E2E-01).
  const history = t.faults?.has('history-plaintext') ? { nonce: toBase64(randomBytes(24)), ciphertext: toBase64(plain) } : sealFor(plain, companion.box, t.keys.box.secretKey);
  const r = await t.wire.request('link.approve', {
    ...companion.via,
    companionIdentityKey: companionId,
    details: toBase64(details),
    detailsHmac: toBase64(detailsHmac(companion.hmacKey, details)),
    accountSignature: toBase64(accountSignature(t.keys.signing.secretKey, details, companion.identity)),
    list: { version, devices, signature: toBase64(signDeviceList(t.keys.signing.secretKey, { account: t.phone, version, devices })) },
    history,
  });
  return r.ok ? OK : refused(r.code);
}
