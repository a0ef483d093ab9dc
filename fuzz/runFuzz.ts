/**
 * The fuzzer (issue 6): hostile frames (frames.ts) from several connections at once against an
 * in-process reference server, while a canary (canary.ts) keeps linking and messaging.
 *
 * Guarantees checked, each failure kept with its frame and seed:
 * - no crash: no uncaught exception or unhandled rejection in the process, and the server still
 *   answers a fresh connection at the end;
 * - every frame answered exactly once with `ok` or a stable code of model/errors.ts (an ack may
 *   get no answer), or the connection closed with a documented close code (1009 only: for a
 *   frame above the hard size, or above the pre-authentication read limit on a connection that
 *   is not an authenticated device - the anonymous and companion roles, or a primary after its
 *   own `disconnect`/`logout`); INTERNAL counts as a failure (a handler threw on input);
 * - other clients unaffected: the canary's rounds, its final link and its device lists;
 * - a flood against a server with the DEFAULT frame budget is answered RATE_LIMITED, frame by frame,
 *   while another connection is served.
 * The main phase raises the frame-rate limit (limits.ts) so the frames reach the handlers; the
 * flood phase checks that limit on its own.
 * Connections cycle through three roles: anonymous, a bound linking companion, an authenticated
 * primary of its own account, so out-of-order steps are tried in every state.
 */
import fc from 'fast-check';
import { isErrorCode } from '../model/errors.js';
import { generateDeviceKeys, sign, toBase64 } from '../reference/crypto/keys.js';
import { signDeviceList } from '../reference/crypto/linking.js';
import { AUTH_PREFIX, BIND_PREFIX, boxKeyBytes, challengeBytes, CLOSE } from '../reference/protocol/constants.js';
import { ReferenceServer } from '../reference/server/server.js';
import { fromBase64 } from '../reference/crypto/keys.js';
import { Canary, type CanaryOutcome, type CodeReader } from './canary.js';
import { describeFrame, fuzzFrameArb, hardOversized, materialise, type FuzzFrame, type FuzzPool } from './frames.js';
import { FuzzSocket, type Exchange } from './socket.js';

export interface FuzzOptions {
  readonly frames: number;
  readonly seed: number;
  /** Concurrent fuzzing connections (default 8). */
  readonly workers?: number;
  /** Frames per connection before it is replaced by a fresh one in the next role (default 500). */
  readonly framesPerConnection?: number;
  /** Frames of the flood phase (default 3000). */
  readonly floodFrames?: number;
  readonly onProgress?: (framesDone: number) => void;
}

export interface FuzzFailure {
  readonly kind: 'crash' | 'unanswered' | 'answered-twice' | 'undocumented-code' | 'internal' | 'unexpected-close' | 'server-dead' | 'flood';
  readonly family: string;
  readonly frame: string;
  readonly detail: string;
  /** Reproduce: the same seed; `session` names the connection (worker/generation). */
  readonly session: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly frames: number;
  readonly durationMs: number;
  /** Frames by outcome: `ok`, an error code, `no-answer(ack)`, `closed:<code>`, or a failure kind. */
  readonly outcomes: Record<string, number>;
  readonly families: Record<string, Record<string, number>>;
  readonly failureCount: number;
  /** The first 20 failures. */
  readonly failures: readonly FuzzFailure[];
  readonly canary: CanaryOutcome;
  readonly flood: { readonly frames: number; readonly ok: number; readonly rateLimited: number; readonly otherConnectionServed: boolean };
  readonly verdict: 'pass' | 'fail';
}

const ANSWER_TIMEOUT_MS = 5_000;
const ROLES = ['anonymous', 'companion', 'primary'] as const;

class Tally {
  readonly outcomes: Record<string, number> = {};
  readonly families: Record<string, Record<string, number>> = {};
  readonly failures: FuzzFailure[] = [];
  failureCount = 0;
  frames = 0;

  count(family: string, outcome: string): void {
    this.frames++;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    const f = (this.families[family] ??= {});
    f[outcome] = (f[outcome] ?? 0) + 1;
  }

  fail(failure: FuzzFailure): void {
    this.failureCount++;
    if (this.failures.length < 20) this.failures.push(failure);
  }
}

/** What a frame's exchange means: its outcome, and the failure if it is one (exported for its tests). */
export function judge(f: FuzzFrame, e: Exchange, device = true): { outcome: string; failure?: FuzzFailure['kind']; detail?: string } {
  if (e.kind === 'silent') return { outcome: 'unanswered', failure: 'unanswered', detail: `no answer within ${ANSWER_TIMEOUT_MS} ms` };
  if (e.kind === 'closed') {
    // Before authenticating as a device a connection's messages are read up to 64 KiB only (PROTOCOL.md §1 Limits).
    const documented = e.code === CLOSE.TOO_BIG && (f.family === 'hard-oversized' || (f.family === 'oversized' && !device));
    return documented ? { outcome: `closed:${e.code}` } : { outcome: `closed:${e.code}`, failure: 'unexpected-close', detail: `close ${e.code}` };
  }
  if (e.answers.length === 0) {
    const isAck = f.kind === 'text' && /^\{"type":"ack"/.test(f.text);
    return isAck ? { outcome: 'no-answer(ack)' } : { outcome: 'unanswered', failure: 'unanswered', detail: 'the sentinel was answered, the frame was not' };
  }
  if (e.answers.length > 1) return { outcome: 'answered-twice', failure: 'answered-twice', detail: JSON.stringify(e.answers) };
  const a = e.answers[0]!;
  if (a.type === 'result' && a.ok === true) return { outcome: 'ok' };
  if (!isErrorCode(a.code)) return { outcome: 'undocumented-code', failure: 'undocumented-code', detail: String(a.code) };
  if (a.code === 'INTERNAL') return { outcome: 'INTERNAL', failure: 'internal', detail: 'a handler failed on this input' };
  return { outcome: a.code };
}

interface Session { socket: FuzzSocket; pool: FuzzPool }

/** Open a connection in `role` with fresh keys; the replayed signature is over the FIRST nonce seen. */
async function openSession(url: string, role: (typeof ROLES)[number], phone: string, canary: Canary, replay: { sig?: string }, codes: CodeReader): Promise<Session> {
  const socket = await FuzzSocket.open(url);
  const keys = generateDeviceKeys();
  const id = toBase64(keys.signing.publicKey);
  const nonce = fromBase64(socket.nonce);
  replay.sig ??= toBase64(sign(challengeBytes(AUTH_PREFIX, nonce), keys.signing.secretKey));
  const announce = {
    identityKey: id, boxKey: toBase64(keys.box.publicKey),
    boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)), name: 'fuzz', platform: 'fuzz',
  };
  if (role === 'companion') {
    await socket.request({ type: 'link.bind', ...announce, signature: toBase64(sign(challengeBytes(BIND_PREFIX, nonce), keys.signing.secretKey)) }, ANSWER_TIMEOUT_MS);
  } else if (role === 'primary') {
    const devices = [{ id, identityKey: id }];
    const signature = toBase64(signDeviceList(keys.signing.secretKey, { account: phone, version: 1, devices }));
    // LIFE-03: prove the number with the code the server sent out of band.
    await socket.request({ type: 'verify.request', phone }, ANSWER_TIMEOUT_MS);
    await socket.request({ type: 'verify.confirm', phone, code: codes(phone) ?? 'none' }, ANSWER_TIMEOUT_MS);
    await socket.request({ type: 'register', phone, replace: false, ...announce, list: { version: 1, devices, signature } }, ANSWER_TIMEOUT_MS);
  }
  const pool: FuzzPool = {
    canaryPhones: canary.phones, canaryDeviceIds: canary.deviceIds, ownPhone: phone, ownDeviceId: id,
    ownSigningSecret: keys.signing.secretKey, replayedSignature: replay.sig,
  };
  return { socket, pool };
}

async function worker(url: string, w: number, frames: number, options: Required<Pick<FuzzOptions, 'seed' | 'framesPerConnection'>>, canary: Canary, tally: Tally, progress: () => void, codes: CodeReader): Promise<void> {
  const replay: { sig?: string } = {};
  let done = 0;
  for (let gen = 0; done < frames; gen++) {
    const role = ROLES[(w + gen) % ROLES.length]!;
    const { socket, pool } = await openSession(url, role, `+1999${w}0${gen}`, canary, replay, codes);
    const count = Math.min(options.framesPerConnection, frames - done);
    const batch: FuzzFrame[] = fc.sample(fuzzFrameArb(pool), { seed: (options.seed + w * 1_000_003 + gen * 7919) | 0, numRuns: count });
    // Every 16th connection ends with a frame above the hard limit (it costs the connection).
    if (gen % 16 === 15) batch[batch.length - 1] = hardOversized;
    // Whether the connection is (still) an authenticated device: a `disconnect` or `logout` ends it.
    let device = role === 'primary';
    for (const f of batch) {
      const exchange = await socket.exchange(materialise(f), ANSWER_TIMEOUT_MS);
      const verdict = judge(f, exchange, device);
      if (f.kind === 'text' && /"type":"(disconnect|logout)"/.test(f.text)) device = false;
      tally.count(f.family, verdict.outcome);
      if (verdict.failure) tally.fail({ kind: verdict.failure, family: f.family, frame: describeFrame(f), detail: verdict.detail ?? '', session: `worker ${w} connection ${gen} (${role})` });
      done++;
      progress();
      if (exchange.kind !== 'answered') break;
    }
    socket.close();
  }
}

/**
 * What a handler answered, not a limit: `ok`, or OUT_OF_ORDER (account.info before authenticating,
 * issue 10) - the cheap request both the flood and the health check send.
 */
const served = (a: { type?: string; ok?: boolean; code?: string } | undefined) => a?.type === 'result' && (a.ok === true || a.code === 'OUT_OF_ORDER');

/**
 * Flood one connection of a server with the DEFAULT frame budget; another connection must still
 * be served. The flooder does not authenticate: its own smaller budgets (which close it, 1008
 * RATE_LIMITED; parseBudget.test.ts) are lifted so that the frame budget is what is judged.
 */
async function flood(frames: number, tally: Tally): Promise<FuzzReport['flood']> {
  const server = new ReferenceServer({ limits: { unauthenticatedFrameBurst: 1e9, unauthenticatedBytesBurst: 1e9 } });
  const url = await server.start();
  try {
    const [flooder, other] = await Promise.all([FuzzSocket.open(url), FuzzSocket.open(url)]);
    const answers = new Map<string, string>();
    const all = new Promise<void>((resolve) => {
      (flooder as any).ws.on('message', (data: Buffer) => {
        const f = JSON.parse(String(data));
        if (typeof f.id === 'string' && f.id.startsWith('flood')) answers.set(f.id, served(f) ? 'ok' : String(f.code));
        if (answers.size === frames) resolve();
      });
    });
    for (let i = 0; i < frames; i++) (flooder as any).ws.send(JSON.stringify({ type: 'account.info', id: `flood${i}`, phone: '+1' }));
    const answer = await other.request({ type: 'account.info', phone: '+1' }, ANSWER_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
    clearTimeout(timer);
    let ok = 0;
    let rateLimited = 0;
    for (let i = 0; i < frames; i++) {
      const outcome = answers.get(`flood${i}`) ?? 'unanswered';
      tally.count('flood', outcome);
      if (outcome === 'ok') ok++;
      else if (outcome === 'RATE_LIMITED') rateLimited++;
      else tally.fail({ kind: outcome === 'unanswered' ? 'unanswered' : 'flood', family: 'flood', frame: `account.info flood${i}`, detail: outcome, session: 'flood' });
    }
    const otherConnectionServed = served(answer);
    if (!otherConnectionServed) tally.fail({ kind: 'flood', family: 'flood', frame: 'account.info', detail: 'another connection was not served during the flood', session: 'flood' });
    if (frames > 2_000 && rateLimited === 0) tally.fail({ kind: 'flood', family: 'flood', frame: '-', detail: 'a flood above the burst was never RATE_LIMITED', session: 'flood' });
    flooder.close();
    other.close();
    return { frames, ok, rateLimited, otherConnectionServed };
  } finally {
    await server.stop();
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const tally = new Tally();
  const crash = (kind: string) => (e: unknown) => tally.fail({ kind: 'crash', family: '-', frame: '-', detail: `${kind}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, session: '-' });
  const onException = crash('uncaughtException');
  const onRejection = crash('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  // The main phase judges frames, not time: an anonymous session may outlast the authentication deadline under load.
  const server = new ReferenceServer({ limits: { frameBurst: 1e9, framesPerSecond: 1e9, unauthenticatedFrameBurst: 1e9, unauthenticatedBytesBurst: 1e9, authDeadlineMs: 3_600_000 } });
  const url = await server.start();
  let canaryOutcome: CanaryOutcome = { ok: false, rounds: 0, reason: 'not started' };
  let floodOutcome: FuzzReport['flood'] = { frames: 0, ok: 0, rateLimited: 0, otherConnectionServed: false };
  try {
    const canary = await Canary.start(url, (phone) => server.verificationCode(phone));
    const workers = options.workers ?? 8;
    let done = 0;
    const progress = () => { if (++done % 1000 === 0) options.onProgress?.(done); };
    let fuzzing = true;
    const rounds = (async () => { while (fuzzing) { await canary.round(); await new Promise((r) => setTimeout(r, 100)); } })();
    await Promise.all(Array.from({ length: workers }, (_, w) => {
      const share = Math.floor(options.frames / workers) + (w < options.frames % workers ? 1 : 0);
      return worker(url, w, share, { seed: options.seed, framesPerConnection: options.framesPerConnection ?? 500 }, canary, tally, progress, (phone) => server.verificationCode(phone));
    }));
    fuzzing = false;
    await rounds;
    canaryOutcome = await canary.finish();
    await canary.close();
    const health = await FuzzSocket.open(url).then(async (s) => { const a = await s.request({ type: 'account.info', phone: '+1' }, ANSWER_TIMEOUT_MS); s.close(); return a; }).catch(() => undefined);
    if (!served(health)) tally.fail({ kind: 'server-dead', family: '-', frame: '-', detail: 'a fresh connection was not served after the fuzz', session: '-' });
    // Counted apart (families.flood) so `frames` and `outcomes` are the fuzz frames only.
    const floodTally = new Tally();
    floodOutcome = await flood(options.floodFrames ?? 3_000, floodTally);
    tally.families.flood = floodTally.outcomes;
    for (const f of floodTally.failures) tally.fail(f);
  } finally {
    await server.stop();
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  }
  return {
    seed: options.seed, frames: tally.frames, durationMs: Math.round(performance.now() - started),
    outcomes: tally.outcomes, families: tally.families, failureCount: tally.failureCount, failures: tally.failures,
    canary: canaryOutcome, flood: floodOutcome,
    verdict: tally.failureCount === 0 && canaryOutcome.ok ? 'pass' : 'fail',
  };
}
