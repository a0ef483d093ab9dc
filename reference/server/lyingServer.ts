/**
 * A lying server (test control only; capability 'lying-server', issue 9 class 3). The server
 * controls what `devices.get` answers, so a malicious or compromised one can lie about an
 * account's devices; the clients must refuse every lie (AUTH-02, LIFE-02, E2E-03):
 * - `replay-old-list`: an older device list the primary did sign, with the device records it
 *   covered (a device removed since is back in it);
 * - `relist-removed`: the current signed list, plus the records of companions removed since
 *   (their ADV signatures are genuine; the list does not cover them);
 * - `unbound-key`: every companion's box key swapped for a key the server holds (its identity
 *   key's signature over the real box key left as it was).
 * From the lie on, the relay counts envelopes senders addressed to a device the lie introduced or
 * whose key it swapped, before any other check: a client that refused the lie addresses none.
 */
import { generateDeviceKeys, toBase64 } from '../crypto/keys.js';
import type { Request } from '../protocol/frames.js';
import { done, fail, type HandlerResult, type ServerContext } from './context.js';

export type ServerLie = 'replay-old-list' | 'relist-removed' | 'unbound-key';

interface WireDevice {
  id: string; role: string; identityKey: string; boxKey: string; boxKeySignature: string; name: string; platform: string; link: unknown;
}
interface Answer { registered: boolean; primaryIdentityKey: string | null; list: { readonly version: number; readonly devices: readonly { readonly id: string }[]; readonly signature: string | null }; devices: WireDevice[] }

interface LieState { kind: ServerLie; bogus: Set<string>; addressed: number }

/**
 * Per server context: the lies in force by phone, and every signed list answered so far (to
 * replay; on a cluster in the shared store instead). On a cluster each node holds its own lie
 * state: the harness starts the lie on every node and sums what each counted (a client fetches
 * lists and sends through the one node it is connected to).
 */
const lies = new WeakMap<ServerContext, Map<string, LieState>>();
const seen = new WeakMap<ServerContext, Map<string, Answer[]>>();

const wire = (d: { id: string; role: string; identityKey: string; boxKey: string; boxKeySignature: string; name: string; platform: string; link?: unknown }): WireDevice => ({
  id: d.id, role: d.role, identityKey: d.identityKey, boxKey: d.boxKey, boxKeySignature: d.boxKeySignature, name: d.name, platform: d.platform, link: d.link ?? null,
});

/**
 * Remember `answer` if it is signed and its version is new; every signed answer so far, oldest
 * first. On a cluster any node may have answered an older list, so they are kept in the shared
 * store, one key per version (written once, no read-modify-write between nodes).
 */
function signedAnswers(ctx: ServerContext, phone: string, answer: Answer): Answer[] {
  if (ctx.cluster) {
    const key = (version: number) => `tc-seen:${phone}:${version}`;
    if (answer.list.signature !== null && ctx.storage.getMeta(key(answer.list.version)) === undefined) ctx.storage.setMeta(key(answer.list.version), JSON.stringify(answer));
    const all: Answer[] = [];
    for (let version = 0; version <= answer.list.version; version++) {
      const text = ctx.storage.getMeta(key(version));
      if (text !== undefined) all.push(JSON.parse(text) as Answer);
    }
    return all;
  }
  const history = seen.get(ctx) ?? new Map<string, Answer[]>();
  seen.set(ctx, history);
  const mine = history.get(phone) ?? [];
  if (answer.list.signature !== null && !mine.some((a) => a.list.version === answer.list.version)) mine.push(structuredClone(answer));
  history.set(phone, mine);
  return mine;
}

/** devices.get: remember honest signed answers (test control only), then tell the lie in force, if any. */
export function tellDevices(ctx: ServerContext, phone: string, answer: Answer): Answer {
  // Only a server with test control keeps its relayed traffic (a plain Array, not the discarding log).
  if (ctx.relayLog.constructor !== Array) return answer;
  const mine = signedAnswers(ctx, phone, answer);
  const lie = lies.get(ctx)?.get(phone);
  if (!lie) return answer;
  const linked = new Set(answer.devices.map((d) => d.id));
  switch (lie.kind) {
    case 'replay-old-list': {
      const old = mine.find((a) => a.list.devices.some((d) => !linked.has(d.id)));
      if (!old) return answer;
      for (const d of old.list.devices) if (!linked.has(d.id)) lie.bogus.add(d.id);
      return { ...answer, list: old.list, devices: old.devices };
    }
    case 'relist-removed': {
      const removed = ctx.storage.listDevices(phone).filter((d) => d.role === 'companion' && d.status === 'signed-out' && !d.injected);
      for (const d of removed) lie.bogus.add(d.id);
      return { ...answer, devices: [...answer.devices, ...removed.map(wire)] };
    }
    case 'unbound-key': {
      const swapped = answer.devices.map((d) => {
        if (d.role !== 'companion') return d;
        lie.bogus.add(d.id);
        return { ...d, boxKey: toBase64(generateDeviceKeys().box.publicKey) };
      });
      return { ...answer, devices: swapped };
    }
  }
}

/** send: count envelopes addressed to what a lie introduced (before the relay's own checks). */
export function noteAddressed(ctx: ServerContext, envelopes: readonly { to: string }[]): void {
  const all = lies.get(ctx);
  if (!all) return;
  for (const lie of all.values()) for (const { to } of envelopes) if (lie.bogus.has(to)) lie.addressed += 1;
}

/** tc.lie {phone, kind}: from now on `devices.get` for phone lies that way. */
export function startLie(ctx: ServerContext, req: Request<'tc.lie'>): HandlerResult {
  if (!ctx.storage.getAccount(req.phone)?.registered) return fail('NOT_REGISTERED');
  const all = lies.get(ctx) ?? new Map<string, LieState>();
  all.set(req.phone, { kind: req.kind, bogus: new Set(), addressed: 0 });
  lies.set(ctx, all);
  return done();
}

/** tc.lieAddressed {phone}: envelopes addressed to what the lie introduced (the clients must make it 0). */
export function lieAddressed(ctx: ServerContext, req: Request<'tc.lieAddressed'>): HandlerResult {
  const lie = lies.get(ctx)?.get(req.phone);
  return lie ? done({ addressed: lie.addressed, introduced: lie.bogus.size }) : fail('NOT_LINKING', 'no lie in force for this phone');
}
