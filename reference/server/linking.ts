/**
 * Linking a companion, by QR reference or by pairing code (PAIR-01..07, LIMIT-01, AUTH-01,
 * HIST-01, NOTE-01, LIFE-02). The server never decides trust on its own: an approval links only
 * with the primary's valid account signature over the companion's key, a device list signed by
 * the primary, and the companion's own counter-signature after it checked the HMAC of the linking
 * secret the server never saw.
 *
 *   companion                    server                       primary
 *     | link.bind {keys, sig}      |                              |
 *     | link.start                 |                              |
 *     |<-- qr.ref {ref 0} ---------|   (rotates on the clock)     |
 *     |   (QR shows ref,box,identity,secret)  ---- camera ---->   |
 *     |                            |<-- link.precheck ------------|  NOT_PRIMARY, LIMIT_REACHED
 *     |                            |          (ID check on the primary: PAIR-05)
 *     |                            |<-- link.approve {ref, details, hmac, account sig, list v+1, history}
 *     |<-- link.offer -------------|   ref/used/expired/key checks, signatures
 *     | (checks HMAC + account sig)|                              |
 *     |--- link.answer {device sig}>|                              |
 *     |<-- linked, deliver history-|--- result ok --------------->|
 *
 * Refusal order on approval (model/events.ts SCAN_QR): NOT_PRIMARY, LIMIT_REACHED, QR_INVALID
 * (unknown ref), QR_USED (used or its attempt cancelled/linked), QR_EXPIRED (not the ref shown
 * now, or the attempt ended), QR_INVALID (altered key, or the companion refused the secret).
 */
import { tryFromBase64 } from '../crypto/keys.js';
import { verifyAccountSignature, verifyDeviceList, verifyDeviceSignature } from '../crypto/linking.js';
import { COMPANION_BLOB_BYTES } from '../crypto/codeExchange.js';
import { qrRefWindow } from '../../model/profile.js';
import { BIND_PREFIX, boxKeyBytes, challengeBytes, LINK_ANSWER_TIMEOUT_MS } from '../protocol/constants.js';
import { MAX_ACTIVE_CODES_PER_NUMBER } from './limits.js';
import type { Request } from '../protocol/frames.js';
import type { PairingCodeRecord, QrAttemptRecord } from '../storage/storage.js';
import {
  connectionOfCompanion, connectionOfDevice, deliverPending, done, fail, linkedCompanions, linkedDevices, token,
  type Connection, type HandlerResult, type ServerContext,
} from './context.js';
import { verifyB64 } from './registration.js';

/** link.bind: a companion announces its keys and binds this connection (proof: signature over the nonce). */
export function bind(ctx: ServerContext, conn: Connection, req: Request<'link.bind'>): HandlerResult {
  // A connection that speaks for a linked device stays that device: dropping its authentication
  // here, without recording it offline, let a primary escape its dormancy window (EXP-01).
  if (conn.deviceId) return fail('ALREADY_LINKED', 'this connection is authenticated as a linked device');
  if (!verifyB64(challengeBytes(BIND_PREFIX, conn.nonce), req.signature, req.identityKey)) return fail('AUTH_FAILED', 'bind signature');
  const box = tryFromBase64(req.boxKey);
  if (!box || box.length !== 32) return fail('BAD_FRAME', 'box key must be 32 bytes');
  if (!verifyB64(boxKeyBytes(box), req.boxKeySignature, req.identityKey)) return fail('BAD_SIGNATURE', 'box key signature');
  const existing = ctx.storage.getDevice(req.identityKey);
  if (existing) return fail(existing.status === 'linked' ? 'ALREADY_LINKED' : 'SIGNED_OUT', 'a used identity key cannot link again');
  ctx.storage.putPendingCompanion({ id: req.identityKey, boxKey: req.boxKey, boxKeySignature: req.boxKeySignature, name: req.name, platform: req.platform });
  const previous = connectionOfCompanion(ctx, req.identityKey);
  if (previous && previous !== conn) previous.companionId = undefined;
  // The companion this connection was bound as leaves it, as if it went offline (PAIR-03): its
  // attempt and code end. Otherwise one socket re-binding fresh keys kept a code request alive
  // per key and filled the number's requests alone (red-team F3).
  if (conn.companionId && conn.companionId !== req.identityKey) cancelLinkingOf(ctx, conn.companionId, undefined);
  conn.companionId = req.identityKey;
  conn.deviceId = undefined;
  // After a server restart the attempt is still in the store: show its current reference again.
  const attempt = ctx.storage.listActiveQrAttemptsOf(req.identityKey)[0];
  const ref = attempt ? ctx.storage.listQrRefs(attempt.attemptId).at(-1) : undefined;
  if (ref) conn.push({ type: 'qr.ref', ref: ref.ref, index: ref.index, untilMs: ref.untilMs });
  const code = activeCodeOf(ctx, req.identityKey);
  return done({ qr: ref ? { ref: ref.ref, index: ref.index } : null, code: code !== undefined });
}

function activeCodeOf(ctx: ServerContext, companionId: string): PairingCodeRecord | undefined {
  return ctx.storage.listActiveCodes().find((c) => c.companionId === companionId);
}

/**
 * Stop every linking attempt of the companion: its QR attempts count as cancelled (PAIR-03), its
 * code is cancelled. `notify` is the connection to tell (none when the companion itself asked).
 * Returns whether anything was active.
 */
export function cancelLinkingOf(ctx: ServerContext, companionId: string, notify: Connection | undefined): boolean {
  let any = false;
  for (const attempt of ctx.storage.listActiveQrAttemptsOf(companionId)) {
    ctx.storage.putQrAttempt({ ...attempt, state: 'cancelled' });
    notify?.push({ type: 'qr.ended', reason: 'cancelled' });
    any = true;
  }
  const code = activeCodeOf(ctx, companionId);
  if (code) {
    ctx.storage.putCode({ ...code, state: 'cancelled' });
    notify?.push({ type: 'code.ended', reason: 'cancelled' });
    any = true;
  }
  return any;
}

/** Issue reference `index` of the attempt on the profile's schedule and show it to the companion. */
export function issueRef(ctx: ServerContext, attempt: QrAttemptRecord, index: number): void {
  const window = qrRefWindow(ctx.profile, index);
  const ref = { ref: token(), attemptId: attempt.attemptId, index, fromMs: attempt.startedAt + window.fromMs, untilMs: attempt.startedAt + window.untilMs, used: false };
  ctx.storage.putQrRef(ref);
  connectionOfCompanion(ctx, attempt.companionId)?.push({ type: 'qr.ref', ref: ref.ref, index, untilMs: ref.untilMs });
}

function boundCompanion(ctx: ServerContext, conn: Connection): string | HandlerResult {
  if (!conn.companionId) return fail('OUT_OF_ORDER', 'link.bind first');
  if (ctx.storage.getDevice(conn.companionId)?.status === 'linked') return fail('ALREADY_LINKED');
  return conn.companionId;
}

/**
 * link.start {phone} (PAIR-01, PAIR-07): a new QR attempt to link to the account of `phone`; any
 * earlier attempt or code of this companion is cancelled.
 */
export function startQr(ctx: ServerContext, conn: Connection, req: Request<'link.start'>): HandlerResult {
  const companionId = boundCompanion(ctx, conn);
  if (typeof companionId !== 'string') return companionId;
  ctx.storage.transaction(() => {
    cancelLinkingOf(ctx, companionId, undefined);
    const pending = ctx.storage.getPendingCompanion(companionId);
    if (pending) ctx.storage.putPendingCompanion({ ...pending, phone: req.phone });
    const attempt: QrAttemptRecord = { attemptId: token(), companionId, startedAt: ctx.clock.now(), state: 'active', phone: req.phone };
    ctx.storage.putQrAttempt(attempt);
    issueRef(ctx, attempt, 0);
  });
  return done();
}

/** link.cancel (PAIR-03): NOT_LINKING when there is nothing to stop. */
export function cancel(ctx: ServerContext, conn: Connection): HandlerResult {
  if (!conn.companionId) return fail('NOT_LINKING');
  return cancelLinkingOf(ctx, conn.companionId, undefined) ? done() : fail('NOT_LINKING');
}

/**
 * code.request (PAIR-06, PAIR-08): the companion's wrapped key becomes ITS OWN active code for the
 * number (model/events.ts REQUEST_CODE). Only this companion's earlier attempt (QR or code) is
 * cancelled: another companion's request for the same number, a stranger's included, never
 * touches it. The server never sees the code itself.
 *
 * A number holds at most MAX_ACTIVE_CODES_PER_NUMBER active requests (limits.ts): one more from a
 * companion that holds none is refused TOO_MANY_CODE_REQUESTS and nothing changes. The newcomer is
 * refused rather than the oldest evicted, because evicting would let a stranger cancel a
 * victim's code by filling the number; refusing keeps every pending code valid until it is
 * entered, cancelled by its own companion, or expires.
 */
export function requestCode(ctx: ServerContext, conn: Connection, req: Request<'code.request'>): HandlerResult {
  const companionId = boundCompanion(ctx, conn);
  if (typeof companionId !== 'string') return companionId;
  if (!ctx.storage.getAccount(req.phone)?.registered) return fail('NOT_REGISTERED');
  if (tryFromBase64(req.wrapped)?.length !== COMPANION_BLOB_BYTES) return fail('BAD_FRAME', `wrapped must be ${COMPANION_BLOB_BYTES} bytes`);
  const others = ctx.storage.listActiveCodesOf(req.phone).filter((c) => c.companionId !== companionId);
  if (others.length >= MAX_ACTIVE_CODES_PER_NUMBER) return fail('TOO_MANY_CODE_REQUESTS', `the number already has ${others.length} pending code requests`);
  ctx.storage.transaction(() => {
    // Fault 'code-attempts-carried-over': the companion's wrong attempts survive its own new code (PAIR-06).
    const earlier = ctx.faults.has('code-attempts-carried-over') ? ctx.storage.getLatestCodeOf(req.phone, companionId) : undefined;
    cancelLinkingOf(ctx, companionId, undefined);
    // Fault 'code-latest-wins': the number's latest request cancels every other one (issue 10).
    if (ctx.faults.has('code-latest-wins')) {
      for (const other of others) {
        ctx.storage.putCode({ ...other, state: 'cancelled' });
        connectionOfCompanion(ctx, other.companionId)?.push({ type: 'code.ended', reason: 'cancelled' });
      }
    }
    const now = ctx.clock.now();
    ctx.storage.putCode({ codeId: token(), phone: req.phone, wrapped: req.wrapped, companionId, issuedAt: now, expiresAt: now + ctx.profile.pairingCode.lifetimeMs, attempts: earlier?.attempts ?? 0, state: 'active' });
  });
  return done();
}

/**
 * code.list (PAIR-06, NOTE-01): the pending code requests of the primary's own number, one per
 * linking companion, with the name and platform it announced, so the user picks the device they
 * are linking (the defence against code phishing). Never a code or a blob.
 */
export function listCodes(ctx: ServerContext, conn: Connection): HandlerResult {
  const primary = actingPrimary(ctx, conn, undefined, false);
  if ('ok' in primary) return primary;
  const requests = ctx.storage.listActiveCodesOf(primary.phone).flatMap((code) => {
    const companion = ctx.storage.getPendingCompanion(code.companionId);
    return companion ? [{ companion: code.companionId, name: companion.name, platform: companion.platform, issuedAt: code.issuedAt, expiresAt: code.expiresAt }] : [];
  });
  return done({ requests });
}

/** Companions holding a slot: the linked ones (LIMIT-02: any sign-out frees the slot). */
function slotsTaken(ctx: ServerContext, phone: string): number {
  const { faults } = ctx;
  // Fault 'limit-from-signed-list': the count is the last list the primary signed (LIMIT-02).
  if (faults.has('limit-from-signed-list')) {
    const signed = ctx.storage.getDeviceList(phone)?.lastSigned;
    if (signed) return signed.devices.length - 1;
  }
  // Faults 'expired-sessions-hold-slots' and 'lifecycle-sign-outs-hold-slots': some sign-outs keep the slot (LIMIT-02).
  const holds = new Set<string>([
    ...(faults.has('expired-sessions-hold-slots') ? ['primary-dormant', 'idle'] : []),
    ...(faults.has('lifecycle-sign-outs-hold-slots') ? ['primary-reregistered', 'primary-logout'] : []),
  ]);
  const held = holds.size ? ctx.storage.listDevices(phone).filter((d) => d.role === 'companion' && !d.injected && d.status === 'signed-out' && holds.has(d.signOutReason ?? '')).length : 0;
  return linkedCompanions(ctx, phone).length + held;
}

/** LIMIT-01: no room for one more companion. Fault 'fifth-companion': `>` instead of `>=`. */
function atLimit(ctx: ServerContext, phone: string): boolean {
  const linked = slotsTaken(ctx, phone);
  return ctx.faults.has('fifth-companion') ? linked > ctx.profile.maxCompanions : linked >= ctx.profile.maxCompanions;
}

/** What a scanned QR names: its reference and the companion's identity key (either may be tampered). */
interface Scanned { readonly ref?: string; readonly companionIdentityKey?: string }

/**
 * The account a scanned companion is linking to (PAIR-07): the QR reference's attempt, else the
 * companion the key names; undefined when neither is known (the QR checks answer later).
 */
function scannedAccount(ctx: ServerContext, scanned: Scanned): string | undefined {
  const ref = scanned.ref !== undefined ? ctx.storage.getQrRef(scanned.ref) : undefined;
  const attempt = ref ? ctx.storage.getQrAttempt(ref.attemptId) : undefined;
  if (attempt) return attempt.phone ?? ctx.storage.getPendingCompanion(attempt.companionId)?.phone;
  return scanned.companionIdentityKey !== undefined ? ctx.storage.getPendingCompanion(scanned.companionIdentityKey)?.phone : undefined;
}

/**
 * The approver's refusals, in model order (model/events.ts SCAN_QR / ENTER_CODE): NOT_REGISTERED,
 * NOT_PRIMARY, then for a scanned QR WRONG_ACCOUNT (the companion links to another account; nothing
 * changes, its reference is not consumed, PAIR-07), then LIMIT_REACHED.
 */
function actingPrimary(ctx: ServerContext, conn: Connection, scanned?: Scanned, checkLimit = true): { phone: string; id: string; key: string } | HandlerResult {
  const device = conn.deviceId ? ctx.storage.getDevice(conn.deviceId) : undefined;
  if (!device || device.status !== 'linked') return fail('OUT_OF_ORDER', 'authenticate first');
  if (!ctx.storage.getAccount(device.phone)?.registered) return fail('NOT_REGISTERED');
  // Fault 'companion-approves': the role is never checked (AUTH-01).
  if (device.role !== 'primary' && !ctx.faults.has('companion-approves')) return fail('NOT_PRIMARY');
  const other = scanned ? scannedAccount(ctx, scanned) : undefined;
  if (other !== undefined && other !== device.phone) return fail('WRONG_ACCOUNT', 'this companion is linking to another account');
  if (checkLimit && atLimit(ctx, device.phone)) return fail('LIMIT_REACHED');
  return { phone: device.phone, id: device.id, key: device.identityKey };
}

/** link.precheck: the refusals that come before the primary's ID check (PAIR-05 ordering). */
export function precheck(ctx: ServerContext, conn: Connection, req: Request<'link.precheck'>): HandlerResult {
  const primary = actingPrimary(ctx, conn, req);
  return 'ok' in primary ? primary : done();
}

/** Fault 'code-attempts-in-memory': per server process (keyed by its context's token map). */
const memoryAttempts = new WeakMap<object, Map<string, number>>();

/** Failed or pending entries against a code (PAIR-06). Fault 'code-attempts-in-memory': kept in the process, not the store. */
export function codeAttempts(ctx: ServerContext, code: PairingCodeRecord): number {
  return ctx.faults.has('code-attempts-in-memory') ? memoryAttempts.get(ctx.codeTokens)?.get(code.codeId) ?? 0 : code.attempts;
}

/** One more entry against the code; returns the new count. */
export function countAttempt(ctx: ServerContext, code: PairingCodeRecord): number {
  const attempts = codeAttempts(ctx, code) + 1;
  if (ctx.faults.has('code-attempts-in-memory')) {
    const m = memoryAttempts.get(ctx.codeTokens) ?? new Map<string, number>();
    m.set(code.codeId, attempts);
    memoryAttempts.set(ctx.codeTokens, m);
  } else {
    ctx.storage.putCode({ ...code, attempts });
  }
  return attempts;
}

/**
 * code.enter {companion} (PAIR-06): the code of the request the primary picked (its companion),
 * judged in model order (none, exhausted, expired, used or cancelled); an active one is answered
 * with its holder's wrapped key and keys and a link token for the exchange
 * (server/codeExchange.ts). Whether the typed code is right is decided by cryptography between
 * the two devices, never here (PAIR-08).
 */
export function enterCode(ctx: ServerContext, conn: Connection, req: Request<'code.enter'>): HandlerResult {
  const primary = actingPrimary(ctx, conn);
  if ('ok' in primary) return primary;
  const picked = pickedCode(ctx, primary.phone, req.companion);
  if ('ok' in picked) return picked;
  const companion = ctx.storage.getPendingCompanion(picked.companionId);
  if (!companion) return fail('INTERNAL', 'the holder never announced its keys');
  const linkToken = mintCodeToken(ctx, picked.codeId);
  return done({
    codeToken: linkToken, wrapped: picked.wrapped,
    companion: { identityKey: companion.id, boxKey: companion.boxKey, boxKeySignature: companion.boxKeySignature, name: companion.name, platform: companion.platform },
  });
}

/**
 * A link token for an entry into `codeId` (issue 10: pending records pruned). ctx.codeTokens
 * holds at most one token per active code: minting drops the earlier token of the same code (an
 * entry abandoned before its challenge) and every token whose code is no longer active, so the
 * map never outgrows the active codes.
 */
function mintCodeToken(ctx: ServerContext, codeId: string): string {
  const active = new Set(ctx.storage.listActiveCodes().map((c) => c.codeId));
  for (const [t, id] of ctx.codeTokens) if (id === codeId || !active.has(id)) ctx.codeTokens.delete(t);
  const linkToken = token();
  ctx.codeTokens.set(linkToken, codeId);
  return linkToken;
}

/**
 * The picked companion's code for this number if it can still be entered, else the model's
 * refusal for it: none (the companion never asked this number for a code: a companion of another
 * account answers exactly like an unknown one) → CODE_INVALID, exhausted, expired, used or
 * cancelled. A code whose failed attempts reached the limit without being closed (a primary that
 * never reported its failure) is exhausted here. No other code is read or changed.
 */
export function pickedCode(ctx: ServerContext, phone: string, companionId: string): PairingCodeRecord | HandlerResult {
  const code = ctx.storage.getLatestCodeOf(phone, companionId);
  if (!code) return fail('CODE_INVALID', 'no code request of this companion for this number');
  if (code.state === 'exhausted') return fail('ATTEMPTS_EXHAUSTED');
  if (code.state === 'expired') return fail('CODE_EXPIRED');
  if (code.state !== 'active') return fail('CODE_INVALID', `the code was ${code.state}`);
  if (codeAttempts(ctx, code) >= ctx.profile.pairingCode.maxAttempts && !ctx.faults.has('unlimited-code-attempts')) {
    exhaust(ctx, code);
    return fail('ATTEMPTS_EXHAUSTED');
  }
  return code;
}

/** PAIR-06: the code is exhausted; its holder stops linking. */
export function exhaust(ctx: ServerContext, code: PairingCodeRecord): void {
  ctx.storage.putCode({ ...code, state: 'exhausted' });
  connectionOfCompanion(ctx, code.companionId)?.push({ type: 'code.ended', reason: 'exhausted' });
}

interface Target {
  readonly companionId: string;
  readonly via: 'qr' | 'code';
  /** Re-checked after the companion answered; returns a refusal if the target went away. */
  readonly stillValid: () => HandlerResult | null;
  readonly consume: () => void;
}

function qrTarget(ctx: ServerContext, refText: string): Target | HandlerResult {
  const check = (): HandlerResult | Target => {
    const ref = ctx.storage.getQrRef(refText);
    if (!ref) return fail('QR_INVALID', 'unknown reference');
    const attempt = ctx.storage.getQrAttempt(ref.attemptId);
    if (!attempt) return fail('QR_INVALID', 'unknown reference');
    // Faults 'qr-reusable' (PAIR-03) and 'expired-qr-accepted' (PAIR-04): a check left out.
    const reused = ref.used || attempt.state === 'cancelled' || attempt.state === 'linked';
    if (reused && !ctx.faults.has('qr-reusable')) return fail('QR_USED');
    const latest = ctx.storage.listQrRefs(attempt.attemptId).at(-1);
    const now = ctx.clock.now();
    const expired = attempt.state === 'ended' || latest?.ref !== ref.ref || now < ref.fromMs || now >= ref.untilMs;
    if (expired && !ctx.faults.has('expired-qr-accepted')) return fail('QR_EXPIRED');
    return {
      companionId: attempt.companionId, via: 'qr', stillValid: () => { const again = check(); return 'ok' in again ? again : null; },
      consume: () => {
        ctx.storage.putQrRef({ ...ref, used: true });
        ctx.storage.putQrAttempt({ ...attempt, state: 'linked' });
      },
    };
  };
  return check();
}

function codeTarget(ctx: ServerContext, linkToken: string): Target | HandlerResult {
  const check = (): HandlerResult | Target => {
    const codeId = ctx.codeTokens.get(linkToken);
    const code = codeId ? ctx.storage.listActiveCodes().find((c) => c.codeId === codeId) : undefined;
    if (!code) return fail('CODE_INVALID', 'unknown or finished code token');
    return {
      companionId: code.companionId, via: 'code', stillValid: () => { const again = check(); return 'ok' in again ? again : null; },
      consume: () => {
        const now = ctx.storage.listActiveCodes().find((c) => c.codeId === code.codeId) ?? code;
        ctx.storage.putCode({ ...now, state: 'used' });
        ctx.codeTokens.delete(linkToken);
      },
    };
  };
  return check();
}

const sameDevices = (a: readonly { id: string; identityKey: string }[], b: readonly { id: string; identityKey: string }[]) => {
  const key = (d: { id: string; identityKey: string }) => `${d.id} ${d.identityKey}`;
  const left = new Set(a.map(key));
  return a.length === b.length && left.size === a.length && b.every((d) => left.has(key(d)));
};

/** link.approve: see the diagram at the top of this file. */
export async function approve(ctx: ServerContext, conn: Connection, req: Request<'link.approve'>): Promise<HandlerResult> {
  // Race fault 'limit-at-precheck-only': the approval trusts the limit check of link.precheck (LIMIT-01).
  const limitChecked = !ctx.faults.has('limit-at-precheck-only');
  const primary = actingPrimary(ctx, conn, req.ref !== undefined ? { ref: req.ref, companionIdentityKey: req.companionIdentityKey } : undefined, limitChecked);
  if ('ok' in primary) return primary;
  if ((req.ref === undefined) === (req.codeToken === undefined)) return fail('BAD_FRAME', 'exactly one of ref, codeToken');
  const target = req.ref !== undefined ? qrTarget(ctx, req.ref) : codeTarget(ctx, req.codeToken!);
  if ('ok' in target) return target;
  const wrongKey = target.via === 'qr' ? 'QR_INVALID' : 'CODE_INVALID';
  if (req.companionIdentityKey !== target.companionId) return fail(wrongKey, 'the key is not the one that showed this code');
  const companion = ctx.storage.getPendingCompanion(target.companionId);
  const companionConn = connectionOfCompanion(ctx, target.companionId);
  if (!companion || !companionConn) return fail(target.via === 'qr' ? 'QR_USED' : 'CODE_INVALID', 'the companion is gone');

  const details = tryFromBase64(req.details);
  const companionKey = tryFromBase64(companion.id)!;
  const primaryKey = tryFromBase64(primary.key)!;
  const accountSig = tryFromBase64(req.accountSignature);
  if (!details || !accountSig || !verifyAccountSignature(primaryKey, details, companionKey, accountSig)) {
    return fail('BAD_SIGNATURE', 'account signature (AUTH-01)');
  }
  const current = ctx.storage.getDeviceList(primary.phone)!;
  if (req.list.version !== current.version + 1) return fail('STALE_DEVICE_LIST', `version must be ${current.version + 1}`);
  const expected = [...current.devices, { id: companion.id, identityKey: companion.id }];
  if (!sameDevices(req.list.devices, expected)) return fail('BAD_FRAME', 'the list must be the current devices plus the companion');
  const listSig = tryFromBase64(req.list.signature);
  if (!listSig || !verifyDeviceList(primaryKey, { account: primary.phone, version: req.list.version, devices: req.list.devices }, listSig)) {
    return fail('BAD_SIGNATURE', 'device list signature (LIFE-02)');
  }

  // Ask the companion: it checks the HMAC of its linking secret and the account signature.
  const offerId = token();
  const answer = await new Promise<{ deviceSignature?: string; refuse?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ refuse: 'TIMEOUT' }), LINK_ANSWER_TIMEOUT_MS);
    ctx.offers.set(offerId, { companionId: companion.id, resolve: (a) => { clearTimeout(timer); resolve(a); } });
    companionConn.push({
      type: 'link.offer', offerId, phone: primary.phone, primaryIdentityKey: primary.key,
      details: req.details, detailsHmac: req.detailsHmac, accountSignature: req.accountSignature, via: target.via,
    });
  });
  ctx.offers.delete(offerId);
  if (answer.refuse === 'TIMEOUT') return fail('INTERNAL', 'the companion did not answer the offer');
  if (answer.refuse !== undefined) return fail(wrongKey, `the companion refused: ${answer.refuse}`);
  const deviceSig = tryFromBase64(answer.deviceSignature ?? '');
  if (!deviceSig || !verifyDeviceSignature(companionKey, details, primaryKey, deviceSig)) return fail('BAD_SIGNATURE', 'device signature');
  if (connectionOfCompanion(ctx, companion.id) !== companionConn) return fail(target.via === 'qr' ? 'QR_USED' : 'CODE_INVALID', 'the companion went away');

  // The decision and the writes in one transaction holding the account's lock: on a cluster
  // another node may have linked, unlinked or signed out meanwhile (LIMIT-01, LIFE-02).
  let others: ReturnType<typeof linkedDevices> = [];
  const refusal = ctx.storage.transaction((): HandlerResult | null => {
    ctx.storage.lockAccount?.(primary.phone);
    const again = target.stillValid() ?? (limitChecked && atLimit(ctx, primary.phone) ? fail('LIMIT_REACHED') : null);
    if (again) return again;
    if (ctx.storage.getDeviceList(primary.phone)?.version !== req.list.version - 1) return fail('STALE_DEVICE_LIST', 'the device list changed meanwhile');
    others = linkedDevices(ctx, primary.phone).filter((d) => !d.injected);
    target.consume();
    ctx.storage.putDevice({
      id: companion.id, phone: primary.phone, role: 'companion', identityKey: companion.id, boxKey: companion.boxKey,
      boxKeySignature: companion.boxKeySignature, name: companion.name, platform: companion.platform, status: 'linked',
      linkedAt: ctx.clock.now(), offlineSince: null, injected: false,
      link: { details: req.details, accountSignature: req.accountSignature, deviceSignature: answer.deviceSignature!, primaryIdentityKey: primary.key },
    });
    const signed = { version: req.list.version, devices: req.list.devices, signature: req.list.signature };
    ctx.storage.putDeviceList({ phone: primary.phone, ...signed, lastSigned: signed });
    const history = JSON.stringify(req.history);
    ctx.storage.enqueue({ recipientDeviceId: companion.id, kind: 'history', senderDeviceId: primary.id, payload: history });
    ctx.relayLog.push({ to: companion.id, from: primary.id, payload: history });
    const notice = JSON.stringify({ deviceId: companion.id, name: companion.name, platform: companion.platform });
    // Fault 'no-link-notice': the other devices are never told (NOTE-01).
    // Fault 'notice-only-online': only devices with an open connection are told (NOTE-01).
    const told = ctx.faults.has('no-link-notice') ? [] : ctx.faults.has('notice-only-online') ? others.filter((d) => connectionOfDevice(ctx, d.id)) : others;
    for (const d of told) ctx.storage.enqueue({ recipientDeviceId: d.id, kind: 'notice', senderDeviceId: primary.id, payload: notice });
    return null;
  });
  if (refusal) return refusal;
  companionConn.companionId = undefined;
  companionConn.deviceId = companion.id;
  companionConn.phone = primary.phone;
  companionConn.offlineRecorded = false;
  companionConn.push({ type: 'linked', deviceId: companion.id, phone: primary.phone });
  deliverPending(ctx, companion.id);
  for (const d of others) deliverPending(ctx, d.id);
  return done({ deviceId: companion.id });
}

/** link.answer: the companion's reply to a `link.offer` it was pushed. */
export function answerOffer(ctx: ServerContext, conn: Connection, req: Request<'link.answer'>): HandlerResult {
  const offer = ctx.offers.get(req.offerId);
  const answer = { deviceSignature: req.deviceSignature, refuse: req.refuse ?? (req.deviceSignature ? undefined : 'QR_INVALID') };
  // On a cluster the approval may be waiting on another node: the answer goes there (reference/bus/cluster.ts).
  if (!offer && conn.companionId && ctx.cluster?.forwardAnswer(req.offerId, conn.companionId, answer)) return done();
  if (!offer || offer.companionId !== conn.companionId) return fail('OUT_OF_ORDER', 'no such offer for this connection');
  offer.resolve(answer);
  return done();
}
