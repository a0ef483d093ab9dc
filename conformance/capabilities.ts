/**
 * Which capabilities (conformance/contract.ts CAPABILITIES) a step or a requirement needs. A
 * check, model path or generated step needing one the adapter lacks is skipped with the reason
 * or left out, and the report says so: nothing an adapter cannot do is ever passed.
 */
import type { LinkEvent } from '../model/events.js';
import type { RequirementId } from '../model/requirements.js';
import { CAPABILITIES, type Capability } from './contract.js';

export function eventNeeds(event: LinkEvent): Capability[] {
  switch (event.type) {
    case 'REGISTER': return event.idCheck ? ['id-check'] : [];
    case 'REREGISTER': case 'LOGOUT': return ['lifecycle'];
    case 'GO_OFFLINE': case 'GO_ONLINE': return ['offline'];
    case 'SHOW_QR': case 'SCAN_QR': return event.type === 'SCAN_QR' && event.idCheck === 'fail' ? ['qr-image', 'id-check'] : ['qr-image'];
    case 'CANCEL_LINKING': return [];
    case 'REQUEST_CODE': return ['pairing-code'];
    case 'ENTER_CODE': return event.idCheck === 'fail' ? ['pairing-code', 'id-check'] : ['pairing-code'];
    case 'UNLINK': return [];
    case 'SEND': return ['messaging'];
    case 'ADVANCE': return ['clock'];
    case 'RESTART': return ['restart'];
  }
}

/** What a requirement needs to be exercised at all (by paths, property runs or checks). */
export const REQUIREMENT_NEEDS: Record<RequirementId, readonly Capability[]> = {
  'PAIR-01': ['qr-image'], 'PAIR-02': ['qr-image'], 'PAIR-03': ['qr-image'], 'PAIR-04': ['qr-image', 'clock'],
  'PAIR-05': ['qr-image', 'id-check'], 'PAIR-06': ['pairing-code'], 'PAIR-07': ['qr-image'],
  // PAIR-08 is judged on what the server saw while a code linked (a targeted check).
  'PAIR-08': ['pairing-code', 'server-traffic'],
  'LIMIT-01': ['qr-image'], 'LIMIT-02': ['qr-image'],
  'AUTH-01': ['qr-image'], 'AUTH-02': ['server-injection', 'messaging'], 'AUTH-03': ['qr-image'],
  'OFF-01': ['offline', 'messaging'], 'OFF-02': ['offline', 'messaging'],
  'EXP-01': ['clock', 'offline'], 'EXP-02': ['clock', 'offline'], 'EXP-03': ['clock', 'offline'], 'EXP-04': ['clock', 'offline'],
  'E2E-01': ['traffic-inspection', 'messaging'], 'E2E-02': ['messaging'], 'E2E-03': ['messaging'],
  'HIST-01': ['history', 'messaging'], 'LIFE-01': ['lifecycle'], 'LIFE-02': [],
  // LIFE-03 has two halves: a re-registration without proof is refused (state, 'lifecycle') and
  // contacts surface a changed key ('key-change-notice'); one without the other is not a pass.
  'LIFE-03': ['lifecycle', 'key-change-notice'],
  'NOTE-01': ['notices'],
};

/** The capabilities in `needs` the adapter lacks. */
export function missing(needs: Iterable<Capability>, has: ReadonlySet<Capability>): Capability[] {
  return [...new Set(needs)].filter((c) => !has.has(c));
}

/**
 * The skip reason of one check: capability names only. What each capability is is said once per
 * run (the claim's missing capabilities, with CAPABILITIES' text), not once per skipped check.
 */
export function skipReason(lacking: readonly Capability[]): string {
  return `the adapter lacks ${lacking.map((c) => `'${c}'`).join(', ')}`;
}

/** A capability in words, from the contract's text. */
export function describeCapability(capability: Capability): string {
  return `'${capability}' (${CAPABILITIES[capability]})`;
}
