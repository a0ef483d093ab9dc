/**
 * The events the covering-path search tries from a state (search.ts). Account A gets the whole
 * vocabulary, refusal-producing variants included; account B registers and sends (the other end of
 * the conversation), and its companion B.c1 shows a QR for A's cross-account steps (A's primary
 * scanning it, entering its code; unlinking B's primary): B's own elements are covered by
 * mirroring A's paths (mirror.ts).
 *
 * One companion (A.c1) does everything. The others ("fillers") exist only to fill the slots up to
 * maxCompanions. A search tier may fix the first events of every path (a prefix): the empty
 * prefix covers what lies within a few steps of the empty world; prefixes.ts lists the others
 * (a primary with an ID check, all slots filled, a code worn down to its last attempt), which reach
 * the deep elements without a breadth-first search having to go that deep.
 * Time: ADVANCE to every boundary ahead − 1 ms and exactly to it (model/explore.ts timeSteps).
 *
 * Serves the coverage of every statechart element (all requirement IDs through them).
 */
import { COMPANION_SLOTS, type CompanionId, type DeviceId, type LinkEvent } from '../../model/events.js';
import { timeSteps } from '../../model/explore.js';
import type { Profile } from '../../model/profile.js';
import type { KeySpec } from '../../model/stateKey.js';
import type { SpaceNode } from '../../model/stateSpace.js';

export const PRIMARY: DeviceId = 'A.primary';
export const FULL: CompanionId = 'A.c1';
/** The other account's companion that A's cross-account steps act on. */
export const OTHER: CompanionId = 'B.c1';

export interface SearchAlphabet {
  readonly fillers: readonly CompanionId[];
  readonly keySpec: KeySpec;
  readonly maxMessages: number;
  readonly maxTimeSteps: number;
  events(node: SpaceNode): LinkEvent[];
}

export const scan = (device: CompanionId, by: DeviceId, more: Partial<Extract<LinkEvent, { type: 'SCAN_QR' }>> = {}): LinkEvent =>
  ({ type: 'SCAN_QR', device, by, source: 'live', idCheck: 'pass', tamper: 'none', ...more });
export const enter = (device: CompanionId, by: DeviceId, correct: boolean, idCheck: 'pass' | 'fail' = 'pass'): LinkEvent =>
  ({ type: 'ENTER_CODE', device, by, correct, idCheck });

/** Everything the full companion can try, refusals included. */
function companionEvents(c: CompanionId, other: CompanionId, sendId: string | null): LinkEvent[] {
  return [
    { type: 'SHOW_QR', device: c },
    scan(c, PRIMARY),
    scan(c, PRIMARY, { source: 'photo' }),
    scan(c, PRIMARY, { idCheck: 'fail' }),
    scan(c, PRIMARY, { tamper: 'ref' }),
    scan(c, PRIMARY, { tamper: 'key' }),
    scan(c, other),
    { type: 'REQUEST_CODE', device: c },
    enter(c, PRIMARY, true),
    enter(c, PRIMARY, false),
    enter(c, PRIMARY, true, 'fail'),
    enter(c, c, true),
    { type: 'CANCEL_LINKING', device: c },
    { type: 'GO_OFFLINE', device: c },
    { type: 'GO_ONLINE', device: c },
    { type: 'UNLINK', by: PRIMARY, target: c },
    { type: 'UNLINK', by: c, target: c },
    { type: 'UNLINK', by: c, target: other },
    { type: 'UNLINK', by: c, target: PRIMARY },
    ...(sendId ? [{ type: 'SEND', from: c, id: sendId } as LinkEvent] : []),
  ];
}

/** The companions that only fill slots: A.c2 … up to maxCompanions of them. */
export function fillerIds(profile: Profile): CompanionId[] {
  return COMPANION_SLOTS.slice(1, profile.maxCompanions + 1).map((s) => `A.${s}` as CompanionId);
}

export function searchAlphabet(profile: Profile, prefix: readonly LinkEvent[] = [], maxMessages = 1, maxTimeSteps = 3): SearchAlphabet {
  const fillers = fillerIds(profile);
  const keySpec: KeySpec = { groups: [['c1'], COMPANION_SLOTS.slice(profile.maxCompanions + 1)], fillers: fillers.map((f) => f.slice(2) as (typeof COMPANION_SLOTS)[number]) };
  return {
    fillers, keySpec, maxMessages, maxTimeSteps,
    events(node) {
      const { world } = node;
      if (node.depth < prefix.length) return [prefix[node.depth]!];
      const sendId = node.sent < maxMessages ? `m${node.sent + 1}` : null;
      return [
        // Without an ID check: REGISTER with one needs the adapter's 'id-check' capability, and a
        // path needing a capability the adapter lacks is skipped (prefixes.ts has a tier with one).
        { type: 'REGISTER', account: 'A', idCheck: false },
        { type: 'REGISTER', account: 'B', idCheck: false },
        { type: 'REREGISTER', account: 'A', proof: true },
        { type: 'REREGISTER', account: 'A', proof: false },
        { type: 'LOGOUT', account: 'A' },
        { type: 'GO_OFFLINE', device: PRIMARY },
        { type: 'GO_ONLINE', device: PRIMARY },
        { type: 'UNLINK', by: PRIMARY, target: PRIMARY },
        ...(sendId ? (['A.primary', 'B.primary'] as DeviceId[]).map((from): LinkEvent => ({ type: 'SEND', from, id: sendId })) : []),
        ...companionEvents(FULL, fillers[0] ?? FULL, sendId),
        // Cross-account steps (model/events.ts): B's companion, approved or unlinked from A.
        { type: 'SHOW_QR', device: OTHER },
        scan(OTHER, PRIMARY),
        enter(OTHER, PRIMARY, true),
        { type: 'UNLINK', by: PRIMARY, target: 'B.primary' },
        { type: 'UNLINK', by: PRIMARY, target: OTHER },
        ...(node.timeSteps >= maxTimeSteps ? [] : timeSteps(world)),
        { type: 'RESTART' },
      ];
    },
  };
}
