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
import { normalisePairingCode } from '../crypto/pairingCode.js';
import { confirmationMatches, primaryAnswer } from '../crypto/codeExchange.js';
import { parseQrText } from '../qr/qrText.js';
import { boxKeyBytes } from '../protocol/constants.js';
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

/** A scanned QR text, or a typed code for the pending code request of `companion` (its identity key, from `code.list`). */
export type LinkInput = { readonly kind: 'qr'; readonly text: string } | { readonly kind: 'code'; readonly companion: string; readonly code: string };

interface Companion { identity: Uint8Array; box: Uint8Array; hmacKey: Uint8Array; via: { ref: string } | { codeToken: string } }

/**
 * PAIR-06/08: the typed code never goes to the server. The user picked the request of
 * `companion`; the primary unwraps that request's key with the code, sends its own wrapped key,
 * and links only if the holder proves it derived the same link key (crypto/codeExchange.ts);
 * otherwise the attempt is reported failed and the answer is CODE_INVALID.
 */
async function fromCode(t: LinkTarget, companion: string, code: string): Promise<Companion | OpResult> {
  const entered = await t.wire.request<{ codeToken: string; wrapped: string; companion: { identityKey: string; boxKey: string; boxKeySignature: string } }>('code.enter', { companion });
  if (!entered.ok) return refused(entered.code);
  const { codeToken, companion: c } = entered.value;
  const identity = tryFromBase64(c.identityKey);
  const box = tryFromBase64(c.boxKey);
  const boxSig = tryFromBase64(c.boxKeySignature);
  const blob = tryFromBase64(entered.value.wrapped);
  if (!identity || !box || !boxSig || !blob || !verify(boxKeyBytes(box), boxSig, identity)) return refused('BAD_SIGNATURE');
  // The server must answer for the request the user picked, not another companion's.
  if (c.identityKey !== companion) return refused('CODE_INVALID');
  const normal = normalisePairingCode(code, t.profile.pairingCode) ?? code;
  const answer = await primaryAnswer(normal, blob);
  if (!answer) return refused('CODE_INVALID');
  const challenged = await t.wire.request<{ confirm: string }>('code.challenge', { codeToken, wrapped: toBase64(answer.blob) });
  if (!challenged.ok) return refused(challenged.code);
  const confirm = tryFromBase64(challenged.value.confirm);
  if (!confirm || !confirmationMatches(answer.linkKey, identity, confirm)) {
    await t.wire.request('code.fail', { codeToken });
    return refused('CODE_INVALID');
  }
  return { identity, box, hmacKey: answer.linkKey, via: { codeToken } };
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
  const companion = input.kind === 'qr' ? fromQr(input.text) : await fromCode(t, input.companion, input.code);
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
