/**
 * The prefixes of the search tiers (search.ts): each fixes the first events of every path of a
 * tier, so that elements lying deep (many steps from the empty world) are found by a shallow
 * breadth-first search after it. The empty prefix comes first: whatever it reaches keeps its
 * shortest path from the empty world.
 *
 * Serves LIMIT-01 (all slots filled), PAIR-05 (a primary with an ID check) and PAIR-06 (a code
 * worn down to its last attempt).
 */
import type { LinkEvent } from '../../model/events.js';
import type { Profile } from '../../model/profile.js';
import { enter, fillerIds, FULL, PRIMARY, scan } from './alphabet.js';

export interface SearchTier {
  readonly name: string;
  readonly prefix: readonly LinkEvent[];
  /** Events searched after the prefix, at most. */
  readonly depthAfterPrefix: number;
}

const REGISTER_A: LinkEvent = { type: 'REGISTER', account: 'A', idCheck: false };

export function searchTiers(profile: Profile): SearchTier[] {
  return [
    { name: 'from the empty world', prefix: [], depthAfterPrefix: 6 },
    // Only the ID-check refusals need one: other paths stay runnable without 'id-check'.
    { name: 'a primary with an ID check', prefix: [{ type: 'REGISTER', account: 'A', idCheck: true }], depthAfterPrefix: 3 },
    {
      name: 'all slots filled',
      prefix: [REGISTER_A, ...fillerIds(profile).flatMap((f): LinkEvent[] => [{ type: 'SHOW_QR', device: f }, scan(f, PRIMARY)])],
      depthAfterPrefix: 3,
    },
    {
      name: 'a code at its last attempt',
      prefix: [REGISTER_A, { type: 'REQUEST_CODE', device: FULL },
        ...Array.from({ length: profile.pairingCode.maxAttempts - 1 }, () => enter(FULL, PRIMARY, false))],
      depthAfterPrefix: 3,
    },
  ];
}
