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
