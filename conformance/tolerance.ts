/**
 * Continuing past a SHOULD deviation. A property walk stops at its first difference; when that
 * difference breaks a SHOULD (a non-strict verdict), the MUST requirements behind it would go
 * unexamined. So the walks run again with the deviation set aside, by narrowing what is
 * generated or compared so the two sides cannot drift apart on it:
 *   NOTE-01  notices are not compared;  PAIR-06  no pairing-code steps;
 *   EXP-04   companions never go offline (so none is idle long enough).
 * The continuation is a check of its own, `property-random-walks~NOTE-01`, replayable by that id.
 */
import { isRequirementId, type RequirementId } from '../model/requirements.js';
import type { Adapter, Capability } from './contract.js';

export const SET_ASIDE: Partial<Record<RequirementId, string>> = {
  'NOTE-01': 'notices not compared',
  'PAIR-06': 'no pairing-code steps',
  'EXP-04': 'companions never go offline',
};

const DROPPED_CAPABILITY: Partial<Record<RequirementId, Capability>> = { 'NOTE-01': 'notices', 'PAIR-06': 'pairing-code' };

export function canSetAside(id: string): id is RequirementId {
  return isRequirementId(id) && SET_ASIDE[id] !== undefined;
}

/** `base~A~B` -> [A, B]; undefined when `id` is not `base` or a continuation of it. */
export function parseContinuationId(id: string, base: string): RequirementId[] | undefined {
  const [head, ...rest] = id.split('~');
  if (head !== base || !rest.every(canSetAside)) return undefined;
  return rest as RequirementId[];
}

export function continuationId(base: string, setAside: readonly RequirementId[]): string {
  return [base, ...setAside].join('~');
}

/** The adapter as the continuation sees it: capabilities of set-aside requirements withdrawn. */
export function narrowAdapter(adapter: Adapter, setAside: readonly RequirementId[]): Adapter {
  if (!setAside.length) return adapter;
  const dropped = new Set(setAside.map((r) => DROPPED_CAPABILITY[r]).filter((c): c is Capability => c !== undefined));
  return {
    name: adapter.name,
    description: adapter.description,
    capabilities: new Set([...adapter.capabilities].filter((c) => !dropped.has(c))),
    open: (profile) => adapter.open(profile),
  };
}
