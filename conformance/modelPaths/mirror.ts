/**
 * Renaming accounts A ↔ B in an event path. The statechart's two account regions are one
 * definition instantiated twice (model/accountRegion.ts), so a path covering an element of A
 * covers, mirrored, the same element of B; the oracle confirms it (cover.ts replays every path).
 *
 * Serves the coverage of account B's elements.
 */
import type { LinkEvent } from '../../model/events.js';

const swap = <T extends string>(name: T): T => name.replace(/^(A|B)\b/, (a) => (a === 'A' ? 'B' : 'A')) as T;

export function mirrorEvent(event: LinkEvent): LinkEvent {
  switch (event.type) {
    case 'REGISTER': case 'REREGISTER': case 'LOGOUT': return { ...event, account: swap(event.account) };
    case 'GO_OFFLINE': case 'GO_ONLINE': case 'SHOW_QR': case 'CANCEL_LINKING': case 'REQUEST_CODE':
      return { ...event, device: swap(event.device) } as LinkEvent; // same kind of device, other account
    case 'SCAN_QR': case 'ENTER_CODE': return { ...event, device: swap(event.device), by: swap(event.by) };
    case 'UNLINK': return { ...event, by: swap(event.by), target: swap(event.target) };
    case 'SEND': return { ...event, from: swap(event.from) };
    case 'ADVANCE': case 'RESTART': return event;
  }
}

/** The element id of the same element in the other account (clock elements are shared). */
export function mirrorElementId(id: string): string {
  return swap(id);
}

export function mirrorPath(events: readonly LinkEvent[]): LinkEvent[] {
  return events.map(mirrorEvent);
}
