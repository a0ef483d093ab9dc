/**
 * Replay ONE explicit event sequence, in lockstep, through the model (oracle) and the in-process
 * reference, and print every step: expected, actual, and the first difference. Used to confirm
 * the shortest exposing sequence of an escaped bug (run it inside a patched copy: seq.sh).
 * Not part of npm test. Usage:
 *   npx tsx selftest/escapes/sequence.ts "REGISTER A; link A.c1; GO_OFFLINE A.primary; ADVANCE 14d"
 * Steps (separated by ';'): REGISTER A [idcheck] | REREGISTER A | LOGOUT A | GO_OFFLINE X | GO_ONLINE X |
 * SHOW_QR A.c1 | CANCEL_LINKING A.c1 | REQUEST_CODE A.c1 | SCAN_QR A.c1 by A.primary [photo] [fail] [tamper=key] |
 * ENTER_CODE A.c1 by A.primary [wrong] [fail] | UNLINK A.c1 by A.primary | SEND m1 from A.primary |
 * ADVANCE 14d (units d h min s ms, e.g. 13d23h59min59s999ms) | RESTART |
 * macros: link A.c1 (SHOW_QR + SCAN_QR by the primary), SEND m1..m21 from A.primary, X*N (repeat).
 * Exit 0: no difference; 1: a difference (printed); 2: bad input.
 */
import type { CompanionId, DeviceId, LinkEvent } from '../../model/events.js';
import { describeEvent } from '../../model/events.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { createOracle } from '../../model/createOracle.js';
import { createReferenceAdapter } from '../../adapters/reference/index.js';
import { openLockstep } from '../../conformance/lockstep.js';

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, min: 60_000, s: 1000, ms: 1 };

function duration(text: string): number {
  let ms = 0;
  const re = /(\d+)\s*(ms|min|d|h|s)/g;
  let m: RegExpExecArray | null;
  let seen = '';
  while ((m = re.exec(text))) { ms += Number(m[1]) * UNITS[m[2]!]!; seen += m[0]; }
  if (seen.replace(/\s/g, '') !== text.replace(/\s/g, '')) throw new Error(`bad duration: ${text}`);
  return ms;
}

function parseStep(step: string): LinkEvent[] {
  const rep = /^(.*)\*(\d+)$/.exec(step);
  if (rep) return Array.from({ length: Number(rep[2]) }, () => parseStep(rep[1]!.trim())).flat();
  const w = step.split(/\s+/);
  const flags = new Set(w.slice(1));
  const dev = (s: string | undefined) => { if (!s || !/^[AB]\.(primary|c\d)$/.test(s)) throw new Error(`bad device in: ${step}`); return s as DeviceId; };
  switch (w[0]) {
    case 'REGISTER': return [{ type: 'REGISTER', account: w[1] as 'A', idCheck: flags.has('idcheck') }];
    case 'REREGISTER': return [{ type: 'REREGISTER', account: w[1] as 'A', proof: !flags.has('noproof') } as LinkEvent];
    case 'LOGOUT': return [{ type: 'LOGOUT', account: w[1] as 'A' }];
    case 'GO_OFFLINE': case 'GO_ONLINE': return [{ type: w[0], device: dev(w[1]) }];
    case 'SHOW_QR': case 'CANCEL_LINKING': case 'REQUEST_CODE': return [{ type: w[0], device: dev(w[1]) as CompanionId }];
    case 'link': {
      const d = dev(w[1]) as CompanionId;
      return [{ type: 'SHOW_QR', device: d }, { type: 'SCAN_QR', device: d, by: `${d[0]}.primary` as DeviceId, source: 'live', idCheck: 'pass', tamper: 'none' }];
    }
    case 'SCAN_QR': {
      const tamper = [...flags].find((f) => f.startsWith('tamper='))?.slice(7) ?? 'none';
      return [{ type: 'SCAN_QR', device: dev(w[1]) as CompanionId, by: dev(w[3]), source: flags.has('photo') ? 'photo' : 'live', idCheck: flags.has('fail') ? 'fail' : 'pass', tamper: tamper as 'none' }];
    }
    case 'ENTER_CODE': return [{ type: 'ENTER_CODE', device: dev(w[1]) as CompanionId, by: dev(w[3]), correct: !flags.has('wrong'), idCheck: flags.has('fail') ? 'fail' : 'pass' }];
    case 'UNLINK': return [{ type: 'UNLINK', target: dev(w[1]), by: dev(w[3]) }];
    case 'SEND': {
      const range = /^m(\d+)\.\.m(\d+)$/.exec(w[1]!);
      const ids = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => `m${Number(range[1]) + i}`) : [w[1]!];
      return ids.map((id) => ({ type: 'SEND', id, from: dev(w[3]) }) as LinkEvent);
    }
    case 'ADVANCE': return [{ type: 'ADVANCE', ms: duration(w.slice(1).join('')) }];
    case 'RESTART': return [{ type: 'RESTART' }];
    default: throw new Error(`unknown step: ${step}`);
  }
}

async function main(): Promise<number> {
  const text = process.argv.slice(2).join(' ');
  let events: LinkEvent[];
  try {
    events = text.split(';').map((s) => s.trim()).filter(Boolean).flatMap(parseStep);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const session = await openLockstep({ adapter: createReferenceAdapter(), profile: DEFAULT_PROFILE, createOracle: (p) => createOracle(p), compareNotices: true });
  let error: string | undefined;
  try {
    for (const event of events) {
      try {
        const verdict = await session.step(event);
        if (!verdict.record.ok) break;
      } catch (e) {
        // An adapter that hangs or throws (e.g. deliveries never settle) is a finding too.
        error = `${describeEvent(event)}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
        break;
      }
    }
    // E2E-01: the server must relay ciphertext only: look for every sent id in every relayed payload, as is and base64-decoded.
    if (!error && !session.firstFailure && session.driver.relayedPayloads) {
      const ids = events.flatMap((e) => (e.type === 'SEND' ? [e.id] : []));
      const payloads = await session.driver.relayedPayloads();
      for (const p of payloads) {
        const texts = [p];
        try { for (const v of Object.values(JSON.parse(p) as Record<string, unknown>)) if (typeof v === 'string') texts.push(Buffer.from(v, 'base64').toString('latin1')); } catch { /* not JSON */ }
        const seen = ids.find((id) => texts.some((t) => t.includes(`"${id}"`)));
        if (seen) { error = `relayed payload carries message id ${seen} readable by the server (E2E-01): ${p.slice(0, 80)}`; break; }
      }
    }
  } finally {
    await session.close().catch(() => undefined);
  }
  for (const r of session.records) {
    console.log(`${r.ok ? 'ok  ' : 'DIFF'} ${r.index + 1}. ${r.event}`);
    if (!r.ok) console.log(`       expected: ${r.expected}\n       actual:   ${r.actual}`);
  }
  if (error) console.log(`DIFF ${session.records.length + 1}. finding: ${error}`);
  const failed = session.firstFailure !== undefined || error !== undefined;
  console.log(failed ? `difference at step ${Math.min((session.firstFailure?.record.index ?? session.records.length) + 1, events.length)} of ${events.length}` : `no difference in ${events.length} steps`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
