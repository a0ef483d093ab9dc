/**
 * The test-control extension: ONLY enabled by the server option `testControl: true` (CLI
 * `linkspec serve --test-control`); otherwise every `tc.*` frame is answered UNKNOWN_TYPE. It is
 * how a harness drives a server at a URL: advance the virtual clock, read the server's view,
 * wait for quiescence, play the malicious server (inject a device the primary did not sign,
 * AUTH-02) and read what was relayed (E2E-01). Never enable it in production: it lets any
 * connection read and change everything.
 */
import { generateDeviceKeys, sign, toBase64, tryFromBase64 } from '../crypto/keys.js';
import { openFrom } from '../crypto/envelope.js';
import { boxKeyBytes } from '../protocol/constants.js';
import type { Request } from '../protocol/frames.js';
import { done, fail, type HandlerResult, type ServerContext } from './context.js';
import { advance } from './deadlines.js';

/** Secret box keys of injected devices: the malicious server can read what is sent to them. */
const injectedSecrets = new WeakMap<ServerContext, Map<string, Uint8Array>>();

export interface InspectView {
  readonly now: number;
  readonly accounts: readonly {
    readonly phone: string;
    readonly registered: boolean;
    readonly version: number;
    readonly listSigned: boolean;
    readonly primaryDeviceId: string | null;
    readonly devices: readonly {
      readonly id: string; readonly role: string; readonly name: string; readonly platform: string;
      readonly status: string; readonly signOutReason?: string; readonly online: boolean; readonly injected: boolean;
      readonly pending: number;
    }[];
  }[];
}

export function inspect(ctx: ServerContext): InspectView {
  const online = ctx.cluster?.onlineDevices() ?? new Set([...ctx.connections].map((c) => c.deviceId).filter((id): id is string => id !== undefined));
  return {
    now: ctx.clock.now(),
    accounts: ctx.storage.listAccounts().map((a) => {
      const list = ctx.storage.getDeviceList(a.phone);
      return {
        phone: a.phone, registered: a.registered, version: list?.version ?? 0, listSigned: list?.signature != null,
        primaryDeviceId: a.primaryDeviceId,
        devices: ctx.storage.listDevices(a.phone).map((d) => ({
          id: d.id, role: d.role, name: d.name, platform: d.platform, status: d.status,
          ...(d.signOutReason ? { signOutReason: d.signOutReason } : {}),
          online: online.has(d.id), injected: d.injected, pending: ctx.storage.countPending(d.id),
        })),
      };
    }),
  };
}

/** Quiet: nothing queued for a connected device, every control push acked, no link offer open. */
export function quiescence(ctx: ServerContext) {
  let pendingDeliveries = 0;
  let unackedPushes = 0;
  for (const c of ctx.connections) {
    if (c.deviceId) pendingDeliveries += ctx.storage.countPending(c.deviceId);
    unackedPushes += c.unacked.size;
  }
  const openOffers = ctx.offers.size;
  return { quiet: pendingDeliveries + unackedPushes + openOffers === 0, pendingDeliveries, unackedPushes, openOffers };
}

/** Long polls of `tc.quiescent {waitMs}` per world, re-checked by `wakeQuiescenceWaiters`. */
const quietWaiters = new WeakMap<ServerContext, Set<() => void>>();

/**
 * `tc.quiescent`: the quiescence figures now, or with `waitMs` once they are quiet (answered
 * from `wakeQuiescenceWaiters`, so a harness needs no polling) or when `waitMs` of real time
 * has passed (a bound only: the answer then says `quiet: false` and what is still open).
 * With `view`, `tc.inspect`'s view taken at the same moment rides along.
 *
 * The answer carries the very reading that decided it, never a second one: on a cluster another
 * node commits to the shared store at any moment (race mode: the other operation's send), and a
 * second reading could turn a wait that found quiet into `quiet: false` long before `waitMs`,
 * which the harness takes as "did not settle" (race-reconnect-delivery, race-send-vs-unlink).
 */
export function awaitQuiescence(ctx: ServerContext, req: Request<'tc.quiescent'>): HandlerResult | Promise<HandlerResult> {
  const answer = (figures: ReturnType<typeof quiescence>): HandlerResult => done({ ...figures, ...(req.view ? { view: inspect(ctx) } : {}) });
  const now = quiescence(ctx);
  if (!req.waitMs || now.quiet) return answer(now);
  const waiters = quietWaiters.get(ctx) ?? new Set<() => void>();
  quietWaiters.set(ctx, waiters);
  return new Promise((resolve) => {
    const finish = (figures: ReturnType<typeof quiescence>): void => { clearTimeout(timer); waiters.delete(check); resolve(answer(figures)); };
    const check = (): void => { const figures = quiescence(ctx); if (figures.quiet) finish(figures); };
    const timer = setTimeout(() => finish(quiescence(ctx)), req.waitMs);
    waiters.add(check);
  });
}

/** The server calls this after every frame it handled and every socket that closed: quiescence may have been reached. */
export function wakeQuiescenceWaiters(ctx: ServerContext): void {
  const waiters = quietWaiters.get(ctx);
  if (waiters) for (const check of [...waiters]) check();
}

export function inject(ctx: ServerContext, req: Request<'tc.inject'>): HandlerResult {
  if (!ctx.storage.getAccount(req.phone)?.registered) return fail('NOT_REGISTERED');
  const keys = generateDeviceKeys();
  const id = toBase64(keys.signing.publicKey);
  ctx.storage.putDevice({
    id, phone: req.phone, role: 'companion', identityKey: id, boxKey: toBase64(keys.box.publicKey),
    boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)),
    name: req.name, platform: 'injected', status: 'linked', linkedAt: ctx.clock.now(), offlineSince: null, injected: true,
  });
  const secrets = injectedSecrets.get(ctx) ?? new Map<string, Uint8Array>();
  secrets.set(id, keys.box.secretKey);
  injectedSecrets.set(ctx, secrets);
  // On a cluster the other nodes relayed envelopes too: they find the secret in the shared store.
  if (ctx.cluster) ctx.storage.setMeta(`tc-injected-secret:${id}`, toBase64(keys.box.secretKey));
  return done({ deviceId: id });
}

/** How many relayed envelopes addressed to the injected device it could open (AUTH-02: must be 0). */
export function injectedReceived(ctx: ServerContext, req: Request<'tc.injectedReceived'>): HandlerResult {
  const shared = ctx.cluster ? ctx.storage.getMeta(`tc-injected-secret:${req.deviceId}`) : undefined;
  const secret = injectedSecrets.get(ctx)?.get(req.deviceId) ?? (shared ? tryFromBase64(shared) ?? undefined : undefined);
  if (!secret) return fail('UNKNOWN_DEVICE');
  let opened = 0;
  for (const entry of ctx.relayLog) {
    if (entry.to !== req.deviceId) continue;
    const sender = ctx.storage.getDevice(entry.from);
    const senderBox = sender ? tryFromBase64(sender.boxKey) : null;
    if (senderBox && openFrom(JSON.parse(entry.payload), senderBox, secret) !== null) opened++;
  }
  return done({ opened, addressed: ctx.relayLog.filter((e) => e.to === req.deviceId).length });
}

export function advanceClock(ctx: ServerContext, req: Request<'tc.advance'>): HandlerResult {
  advance(ctx, req.ms);
  return done({ now: ctx.clock.now() });
}
