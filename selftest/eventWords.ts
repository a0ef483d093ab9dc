/**
 * Reads a step back from its words (model/events.ts describeEvent), so that a failure's path in a
 * report can be replayed through the model. Guarantees: `parseEventWords(describeEvent(e))`
 * describes back to the same words for every event; anything else gives undefined, never a guess.
 */
import { describeEvent, type CompanionId, type DeviceId, type LinkEvent } from '../model/events.js';

const DEVICE = '([AB]\\.(?:primary|c\\d+))';
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, min: 60_000, s: 1000, ms: 1 };

function parseDuration(text: string): number | undefined {
  const parts = text.trim().split(' ');
  if (parts.length % 2 !== 0) return undefined;
  let ms = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const unit = UNIT_MS[parts[i + 1]!];
    if (unit === undefined || !/^\d+$/.test(parts[i]!)) return undefined;
    ms += Number(parts[i]) * unit;
  }
  return ms;
}

function parse(words: string): LinkEvent | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^REGISTER ([AB])( with ID check)?$/.exec(words))) return { type: 'REGISTER', account: m[1] as 'A', idCheck: m[2] !== undefined };
  if ((m = /^REREGISTER ([AB]) (with|without) proof$/.exec(words))) return { type: 'REREGISTER', account: m[1] as 'A', proof: m[2] === 'with' };
  if ((m = /^LOGOUT ([AB])$/.exec(words))) return { type: 'LOGOUT', account: m[1] as 'A' };
  if ((m = new RegExp(`^(GO_OFFLINE|GO_ONLINE) ${DEVICE}$`).exec(words))) return { type: m[1] as 'GO_ONLINE', device: m[2] as DeviceId };
  if ((m = new RegExp(`^(SHOW_QR|CANCEL_LINKING|REQUEST_CODE) ${DEVICE}$`).exec(words))) return { type: m[1] as 'SHOW_QR', device: m[2] as CompanionId };
  if ((m = new RegExp(`^SCAN_QR ${DEVICE} by ${DEVICE} \\((live|photo), id check (pass|fail)(?:, tampered (ref|key|secret))?\\)$`).exec(words))) {
    return { type: 'SCAN_QR', device: m[1] as CompanionId, by: m[2] as DeviceId, source: m[3] as 'live', idCheck: m[4] as 'pass', tamper: (m[5] ?? 'none') as 'none' };
  }
  if ((m = new RegExp(`^ENTER_CODE ${DEVICE} by ${DEVICE} \\((right|wrong) code, id check (pass|fail)\\)$`).exec(words))) {
    return { type: 'ENTER_CODE', device: m[1] as CompanionId, by: m[2] as DeviceId, correct: m[3] === 'right', idCheck: m[4] as 'pass' };
  }
  if ((m = new RegExp(`^UNLINK ${DEVICE} by ${DEVICE}$`).exec(words))) return { type: 'UNLINK', target: m[1] as DeviceId, by: m[2] as DeviceId };
  if ((m = new RegExp(`^SEND (\\S+) from ${DEVICE}$`).exec(words))) return { type: 'SEND', id: m[1]!, from: m[2] as DeviceId };
  if ((m = /^ADVANCE (.+)$/.exec(words))) {
    const ms = parseDuration(m[1]!);
    return ms === undefined ? undefined : { type: 'ADVANCE', ms };
  }
  if (words === 'RESTART') return { type: 'RESTART' };
  return undefined;
}

export function parseEventWords(words: string): LinkEvent | undefined {
  const event = parse(words);
  return event && describeEvent(event) === words ? event : undefined;
}
