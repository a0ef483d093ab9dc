/**
 * The server's part of the pairing-code exchange (PAIR-06, PAIR-08; reference/crypto/codeExchange.ts):
 * it relays opaque blobs between the primary and the code's holder and counts attempts; it never
 * learns the code and cannot tell a right code from a wrong one by itself.
 *
 *   primary                          server                                holder companion
 *     |-- code.enter {companion} ------>|  that companion's code, model order   |
 *     |<-- {codeToken, wrapped, keys} -|                                       |
 *     |-- code.challenge {token, wrapped P} ->| attempts + 1 (stored)          |
 *     |                                |-- push code.challenge {id, wrapped P} ->|
 *     |                                |<-- code.response {id, confirm} -------|
 *     |<-- ok {confirm} ---------------|                                       |
 *     |  confirm verifies: link.approve {codeToken, HMAC(linkKey, details) …} (linking.ts)
 *     |  it does not: code.fail {token} -> at the attempt limit the code is exhausted
 *
 * Attempts are counted when a challenge is relayed, so a primary that never reports its failure
 * still spends the attempt (pickedCode exhausts the code at the next entry). Every count and
 * exhaustion is of the picked companion's own code: no other request of the number is touched.
 */
import type { Request } from '../protocol/frames.js';
import { LINK_ANSWER_TIMEOUT_MS } from '../protocol/constants.js';
import { tryFromBase64 } from '../crypto/keys.js';
import { PRIMARY_BLOB_BYTES } from '../crypto/codeExchange.js';
import { connectionOfCompanion, done, fail, token, type Connection, type HandlerResult, type ServerContext } from './context.js';
import { codeAttempts, countAttempt, exhaust, pickedCode } from './linking.js';

/**
 * The code `codeToken` was issued for (by code.enter to this primary, for a code of its own
 * number), judged again as code.enter judged it, or the refusal.
 */
function tokenCode(ctx: ServerContext, conn: Connection, codeToken: string) {
  const device = conn.deviceId ? ctx.storage.getDevice(conn.deviceId) : undefined;
  if (!device || device.status !== 'linked' || device.role !== 'primary') return fail('OUT_OF_ORDER', 'code.enter first, as the primary');
  const codeId = ctx.codeTokens.get(codeToken);
  // Only the primary of the code's own number may use (or spend) its token: to anyone else it is
  // unknown, and stays valid for its owner (red-team F2).
  if (!codeId || ctx.storage.getCode(codeId)?.phone !== device.phone) return fail('CODE_INVALID', 'unknown or finished code token');
  const issued = ctx.storage.listActiveCodesOf(device.phone).find((c) => c.codeId === codeId);
  if (!issued) { ctx.codeTokens.delete(codeToken); return fail('CODE_INVALID', 'the code is no longer active'); }
  const picked = pickedCode(ctx, device.phone, issued.companionId);
  if ('ok' in picked) { ctx.codeTokens.delete(codeToken); return picked; }
  if (picked.codeId !== codeId) { ctx.codeTokens.delete(codeToken); return fail('CODE_INVALID', 'the companion asked for a new code'); }
  return picked;
}

export async function challengeCode(ctx: ServerContext, conn: Connection, req: Request<'code.challenge'>): Promise<HandlerResult> {
  if (tryFromBase64(req.wrapped)?.length !== PRIMARY_BLOB_BYTES) return fail('BAD_FRAME', `wrapped must be ${PRIMARY_BLOB_BYTES} bytes`);
  const code = tokenCode(ctx, conn, req.codeToken);
  if ('ok' in code) return code;
  countAttempt(ctx, code);
  const holder = connectionOfCompanion(ctx, code.companionId);
  if (!holder) return fail('CODE_INVALID', 'the holder is gone');
  const challengeId = token();
  const confirm = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => { ctx.challenges.delete(challengeId); resolve(null); }, LINK_ANSWER_TIMEOUT_MS);
    ctx.challenges.set(challengeId, { companionId: code.companionId, resolve: (c) => { clearTimeout(timer); ctx.challenges.delete(challengeId); resolve(c); } });
    holder.push({ type: 'code.challenge', challengeId, wrapped: req.wrapped });
  });
  if (confirm === null) return fail('CODE_INVALID', 'the holder did not answer');
  return done({ confirm });
}

export function respondCode(ctx: ServerContext, conn: Connection, req: Request<'code.response'>): HandlerResult {
  const pending = ctx.challenges.get(req.challengeId);
  // On a cluster the primary's code.challenge may be waiting on another node: the response goes there (reference/bus/cluster.ts).
  if (!pending && conn.companionId && ctx.cluster?.forwardCodeResponse(req.challengeId, conn.companionId, req.confirm)) return done();
  if (!pending || pending.companionId !== conn.companionId) return fail('OUT_OF_ORDER', 'no such challenge for this companion');
  pending.resolve(req.confirm);
  return done();
}

/** The primary's confirmation check failed (a wrong code): at the limit the code is exhausted (PAIR-06). */
export function failCode(ctx: ServerContext, conn: Connection, req: Request<'code.fail'>): HandlerResult {
  // Refused like code.challenge (OUT_OF_ORDER, CODE_INVALID) unless this is the token's primary:
  // a stranger's code.fail must not spend or end someone else's exchange (red-team F2).
  const code = tokenCode(ctx, conn, req.codeToken);
  if ('ok' in code) return code;
  ctx.codeTokens.delete(req.codeToken);
  // Fault 'unlimited-code-attempts': counted, never enforced (PAIR-06).
  if (codeAttempts(ctx, code) >= ctx.profile.pairingCode.maxAttempts && !ctx.faults.has('unlimited-code-attempts')) exhaust(ctx, code);
  return done();
}
