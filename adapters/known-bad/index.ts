/**
 * Known-bad variants of the reference (STYLE.md item 9): the real reference server and client
 * with one fault switch on (reference/faults.ts), each a bug a real team could ship. The
 * conformance suite must fail every one of them under the requirement it breaks; `linkspec
 * selftest` (selftest/runSelftest.ts) checks exactly that. `--adapter known-bad:<id>` runs one.
 * Serves every requirement listed in `breaks` below.
 */
import type { Adapter } from '../../conformance/contract.js';
import type { RequirementId } from '../../model/requirements.js';
import type { Fault } from '../../reference/faults.js';
import { createReferenceAdapter } from '../reference/index.js';

export interface KnownBadVariant {
  /** Stable id, used as `known-bad:<id>`; the same as the fault's name. */
  readonly id: string;
  readonly title: string;
  /** The requirement the bug breaks: the suite must fail it (MUST) or mark it non-strict (SHOULD). */
  readonly breaks: RequirementId;
  readonly fault: Fault;
}

const variant = (fault: Fault, breaks: RequirementId, title: string): KnownBadVariant => Object.freeze({ id: fault, title, breaks, fault });

export const KNOWN_BAD: readonly KnownBadVariant[] = Object.freeze([
  variant('fifth-companion', 'LIMIT-01', 'A fifth companion is allowed (limit checked with > instead of >=)'),
  variant('companion-approves', 'AUTH-01', 'A companion may approve a link'),
  variant('qr-reusable', 'PAIR-03', 'A used or cancelled QR reference links again'),
  variant('expired-qr-accepted', 'PAIR-04', 'An expired QR reference is accepted'),
  variant('id-check-skipped', 'PAIR-05', 'The primary links without running its ID check'),
  variant('dormancy-early', 'EXP-01', 'Companions signed out at 14 d - 1 ms of dormancy'),
  variant('dormancy-late', 'EXP-01', 'Companions signed out only at 14 d + 1 ms of dormancy'),
  variant('primary-activity-ignored', 'EXP-02', 'Primary activity does not restart the dormancy window'),
  variant('companions-need-primary', 'OFF-01', 'Companions cannot send while the primary is offline'),
  variant('offline-loses-message', 'OFF-02', 'A message to an offline device is lost'),
  variant('offline-duplicate', 'OFF-02', 'An offline device gets its backlog twice on reconnect'),
  variant('unlinked-still-receives', 'E2E-03', 'An unlinked device keeps receiving'),
  variant('trusts-server-devices', 'AUTH-02', 'Senders encrypt to a device the server injected'),
  variant('list-version-stuck', 'LIFE-02', 'A server-asserted device-list change keeps the old version'),
  variant('reregister-keeps-companions', 'LIFE-01', 'Re-registering the primary leaves companions linked'),
  variant('unlimited-code-attempts', 'PAIR-06', 'Pairing-code attempts are unlimited'),
  variant('no-history', 'HIST-01', 'A new companion gets no history'),
  variant('hmac-unchecked', 'PAIR-07', 'A QR code with a tampered linking secret links'),
  variant('plaintext-relay', 'E2E-01', 'The server relays messages in plaintext'),
  variant('no-link-notice', 'NOTE-01', 'Other devices are not told of a new link'),
  variant('idle-never-signed-out', 'EXP-04', 'Idle companions are never signed out'),
  // Issue 9: bugs in situations the walks used to miss (class 1, 2, 4, 5).
  variant('dormancy-spares-offline-companions', 'EXP-01', 'The dormancy sweep leaves offline companions linked'),
  variant('companion-reconnect-restarts-window', 'EXP-01', 'A companion reconnecting restarts the primary\'s dormancy window'),
  variant('companion-send-restarts-window', 'EXP-01', 'A companion sending restarts the primary\'s dormancy window'),
  variant('restart-restarts-window', 'EXP-01', 'A server restart restarts every offline window'),
  variant('restart-cancels-linking', 'PAIR-02', 'A server restart cancels every QR attempt and pairing code'),
  variant('expired-sessions-hold-slots', 'LIMIT-02', 'Companions signed out by dormancy or idleness keep their slot'),
  variant('lifecycle-sign-outs-hold-slots', 'LIMIT-02', 'Companions signed out by re-registration or logout keep their slot'),
  variant('limit-from-signed-list', 'LIMIT-02', 'The limit counts the last signed list, which still holds self-unlinked and idle companions'),
  variant('dormant-companion-revives', 'EXP-03', 'A companion signed out by dormancy is restored when it reconnects'),
  variant('history-truncated', 'HIST-01', 'The history holds only the last 8 messages'),
  variant('history-omits-own-companions', 'HIST-01', 'The history leaves out what the account\'s companions sent'),
  variant('history-snapshot-cached', 'HIST-01', 'The history is gathered once and reused for later links'),
  variant('id-check-once-per-session', 'PAIR-05', 'The ID check is asked once per connection, not at every approval'),
  variant('code-attempts-in-memory', 'PAIR-06', 'Wrong-code attempts are forgotten by a restart'),
  variant('code-attempts-carried-over', 'PAIR-06', "A companion's new code inherits the wrong attempts of its own code it replaces"),
  variant('code-latest-wins', 'PAIR-06', "A stranger's code request for the same number cancels the companion's code (the latest request wins)"),
  variant('queue-expires-after-14-days', 'OFF-02', 'Messages queued 14 days for an offline device are purged'),
  variant('backlog-dropped-without-primary', 'OFF-02', 'A companion reconnecting while its primary is offline loses its backlog'),
  variant('unlink-any-account', 'AUTH-03', 'A primary can unlink another account\'s companion'),
  variant('copies-only-to-primary', 'E2E-02', 'A companion\'s message is copied to its primary only'),
  variant('notice-only-online', 'NOTE-01', 'Link notices reach only devices online at the time'),
  variant('history-plaintext', 'E2E-01', 'The history reaches a new companion unsealed'),
  variant('accepts-older-list', 'LIFE-02', 'A client believes a replayed older device list'),
  variant('trusts-adv-without-list', 'E2E-03', 'A client encrypts to a removed device the server lists again'),
  variant('box-key-unchecked', 'AUTH-02', 'A client encrypts to a box key the server swapped in'),
]);

export const KNOWN_BAD_PREFIX = 'known-bad:';

export function knownBadVariant(id: string): KnownBadVariant | undefined {
  return KNOWN_BAD.find((v) => v.id === id);
}

/** The reference with this variant's fault switched on, named `known-bad:<id>`. Throws on an unknown id. */
export function createKnownBadAdapter(id: string): Adapter {
  const v = knownBadVariant(id);
  if (!v) throw new Error(`no known-bad variant '${id}'; known: ${KNOWN_BAD.map((k) => k.id).join(', ')}`);
  const reference = createReferenceAdapter({ faults: new Set([v.fault]) });
  return {
    name: `${KNOWN_BAD_PREFIX}${v.id}`,
    description: `KNOWN BAD (${v.breaks}): ${v.title}. The reference with fault '${v.fault}' (reference/faults.ts).`,
    capabilities: reference.capabilities,
    open: (profile) => reference.open(profile),
    ...(reference.dispose ? { dispose: () => reference.dispose!() } : {}),
  };
}
