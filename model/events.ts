/**
 * The event vocabulary: the steps the harness feeds, one by one, to the model (the oracle) and,
 * through an adapter, to the implementation under test. Devices and accounts are symbolic names
 * the harness chooses; the implementation maps them to its own identifiers.
 *
 * The semantics below is normative: the statechart implements it and the reference implements it
 * independently. Every refused step changes nothing, except the wrong-code counter (PAIR-06).
 * When several refusals apply, the first in the listed order wins.
 *
 * REGISTER {account, idCheck}       ALREADY_REGISTERED.                        (LIFE-01, LIFE-03)
 *   The account gets a primary: linked, online, no messages; the device list version increases.
 *   idCheck says whether the primary has an ID check (PIN, biometric) set up (PAIR-05). The new
 *   primary proves it owns the number (LIFE-03): REGISTER always carries valid proof.
 * REREGISTER {account, proof}       NOT_REGISTERED, NUMBER_NOT_VERIFIED (proof false). (LIFE-01, LIFE-03)
 *   A new phone with a fresh identity key takes the number. `proof` says whether it proves owning
 *   the number (the one-time code sent out of band, or the previous primary's signature); false
 *   means no code or a wrong one: refused NUMBER_NOT_VERIFIED and nothing changes (the old
 *   primary keeps its key, connection, messages and companions). With proof: every linked
 *   companion is signed out ('primary-reregistered'), the primary is online with no messages and
 *   no pending deliveries; version increases.
 * LOGOUT {account}                  NOT_REGISTERED, DEVICE_OFFLINE (primary).          (LIFE-01)
 *   Every linked companion signed out ('primary-logout'), the primary too; the account is no
 *   longer registered; version increases. REGISTER may follow (a fresh primary).
 * GO_OFFLINE / GO_ONLINE {device}   UNKNOWN_DEVICE (device never created).
 *   Connectivity of one device; repeating the current state is accepted and changes nothing.
 *   Offline: a companion that was linking stops (status 'idle', its QR refs count as cancelled;
 *   its pairing code is cancelled). Offline starts the primary's dormancy window (EXP-01) or a
 *   linked companion's idleness window (EXP-04). Online: the device receives what was queued
 *   for it, in order (OFF-02); a primary coming online ends its dormancy window (EXP-02).
 * SHOW_QR {device: companion}       ALREADY_LINKED, DEVICE_OFFLINE.                    (PAIR-01)
 *   Creates the companion (online) if it does not exist. Starts a QR attempt: reference 0 shown
 *   for qr.firstRefMs, then references 1..refCount-1 for qr.nextRefMs each, then the attempt ends
 *   (status 'idle'). A previous attempt of this companion (QR or code) is cancelled. A signed-out
 *   or idle companion starts afresh as a new device: no messages, no notices. The first
 *   reference shown is kept as the companion's "photo" (see SCAN_QR source).
 * SCAN_QR {device, by, source, idCheck, tamper}                                         (PAIR-*)
 *   `by` scans the QR of companion `device` and approves; the step is judged in by's account
 *   (see "Cross-account steps"). source 'live': the QR shown now; 'photo': the QR captured when
 *   the latest attempt started (a replay). Refusals: NO_QR (live: not showing a QR; photo: none
 *   captured), NOT_REGISTERED (by's account), NOT_PRIMARY (by is a companion, of either account),
 *   DEVICE_OFFLINE (by), WRONG_ACCOUNT (device is linking to the other account), LIMIT_REACHED,
 *   ID_CHECK_FAILED (idCheck 'fail' and the account has one), QR_INVALID (tamper 'ref'), QR_USED
 *   (reference used or its attempt cancelled), QR_EXPIRED (reference not the one shown now, or
 *   attempt ended), QR_INVALID (tamper 'key' or 'secret'). Accepted: the companion is linked
 *   (see "Linking").
 * CANCEL_LINKING {device}           NOT_LINKING.                                       (PAIR-03)
 *   The companion stops its attempt (status 'idle'); its refs count as cancelled, its code too.
 * REQUEST_CODE {device: companion}  ALREADY_LINKED, DEVICE_OFFLINE, NOT_REGISTERED.      (PAIR-06)
 *   Creates the companion like SHOW_QR. The companion gets its OWN new active code for its
 *   account's phone number (WhatsApp: each linking companion is a separate request that the
 *   primary sees with the companion's name and platform), valid
 *   pairingCode.lifetimeMs, attempts 0. Only this companion's own earlier attempt (QR or code)
 *   is cancelled; every other companion's code is untouched, so a stranger asking for a code
 *   for the same number neither cancels nor replaces anyone's code. The companion's status is
 *   'linking'.
 * ENTER_CODE {device, by, correct, idCheck}                                            (PAIR-06)
 *   `by` picks the pending request of companion `device` (the primary lists its account's
 *   requests with each companion's name and platform) and types a code: `correct` = the code
 *   `device` shows, otherwise a wrong code. The step is judged in by's account, against
 *   `device`'s own code. Refusals: NOT_REGISTERED, NOT_PRIMARY, DEVICE_OFFLINE, LIMIT_REACHED,
 *   ID_CHECK_FAILED, then by device's code: none (device never asked for a code, or is not a
 *   companion of by's account, as a companion of the other account never is) → CODE_INVALID
 *   and nothing changes; exhausted → ATTEMPTS_EXHAUSTED; expired → CODE_EXPIRED; used or
 *   cancelled (including by device's own later attempt) → CODE_INVALID; active but wrong →
 *   CODE_INVALID and that code's attempts + 1, and at pairingCode.maxAttempts it is exhausted
 *   and device becomes 'idle'. Accepted: device is linked. A companion's code record stays
 *   (cancelled, used, expired or exhausted) until it asks for a new code, so the answers above
 *   are about its latest code; no other companion's code is ever read or changed. A signed-out
 *   or idle companion that starts afresh (SHOW_QR, REQUEST_CODE) is a new device: it has no code
 *   until it asks for one.
 * UNLINK {by, target}               NOT_REGISTERED (by's account), NOT_LINKED (by), DEVICE_OFFLINE
 *                                   (by), NOT_LINKED (by is the primary, target of the other
 *                                   account), PRIMARY_NOT_UNLINKABLE (by's own primary),
 *                                   NOT_PRIMARY (a companion unlinking any device but itself, of
 *                                   either account), NOT_LINKED (target).              (AUTH-03)
 *   target signed out ('unlinked'), its slot freed (LIMIT-02); version increases.
 * SEND {from, id}                                                                  (E2E-02, OFF-*)
 *   Message `id` from device `from` to the other account (the one conversation A↔B). Refusals:
 *   UNKNOWN_DEVICE, NOT_REGISTERED (from's account, or the recipient account), SIGNED_OUT (from
 *   a signed-out companion), NOT_LINKED (from a companion never linked or linking),
 *   DEVICE_OFFLINE. Accepted: `id` is appended to the sender's messages; every other linked
 *   device of both accounts receives it now if online, else on reconnect.
 * ADVANCE {ms}                      never refused.
 *   Virtual time passes. Deadlines reached (now ≥ deadline, so 14 d − 1 ms is still linked and
 *   14 d is not): QR references rotate and attempts end; pairing codes expire (holder 'idle');
 *   primary offline for primaryDormancyMs → every linked companion signed out
 *   ('primary-dormant', EXP-01); a linked companion offline for companionIdleMs → signed out
 *   ('idle', EXP-04). Each sign-out increases the version.
 * RESTART {}                        never refused.
 *   The server restarts; nothing acknowledged is lost, connected devices reconnect. No
 *   observable change.
 *
 * Cross-account steps (PAIR-07, PAIR-06, AUTH-03): a device of one account acting on a device of
 * the other. Each is judged entirely in the acting device's account and never changes the other
 * account:
 * - SCAN_QR {device: B.cX, by: A.primary}: a companion links only to the account it was started
 *   for (its account's phone number). After NO_QR, NOT_REGISTERED, NOT_PRIMARY and DEVICE_OFFLINE
 *   (by) it is refused WRONG_ACCOUNT; the companion is still linking and its QR reference is not
 *   consumed (a scan by its own primary can still use it).
 * - ENTER_CODE {device: B.cX, by: A.primary}: B.cX is not a companion of A, so it has no code in A
 *   (its request is never among A's pending requests): after NOT_REGISTERED, NOT_PRIMARY,
 *   DEVICE_OFFLINE, LIMIT_REACHED and ID_CHECK_FAILED it is refused CODE_INVALID and nothing
 *   changes in either account: no attempt is counted against any code, and B.cX's code is
 *   untouched (its own primary can still enter it if it is active).
 * - UNLINK {by: A.x, target: B.y}: after NOT_REGISTERED, NOT_LINKED (by) and DEVICE_OFFLINE (by)
 *   it is refused NOT_LINKED when A.x is A's primary (the target is not a device of A), before
 *   PRIMARY_NOT_UNLINKABLE; NOT_PRIMARY when A.x is a companion (a companion unlinks only itself;
 *   a server cannot tell the account of a device id it never saw, e.g. B's primary before B
 *   registered).
 *
 * Linking (PAIR-02, HIST-01, NOTE-01): the companion becomes 'linked' and online, its messages
 * become a copy of the primary's messages (history), every other linked device of the account
 * is told (its notices get the companion's name, now if online, else on reconnect); version
 * increases.
 * Sign-out of a companion (any reason): status 'signed-out' with the reason, nothing queued for
 * it is delivered any more (E2E-03), its messages stay as they were, its slot is free.
 */
export const ACCOUNTS = ['A', 'B'] as const;
export type AccountId = (typeof ACCOUNTS)[number];

export const COMPANION_SLOTS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'] as const;
export type CompanionSlot = (typeof COMPANION_SLOTS)[number];

export type PrimaryId = `${AccountId}.primary`;
export type CompanionId = `${AccountId}.${CompanionSlot}`;
export type DeviceId = PrimaryId | CompanionId;

export type IdCheckOutcome = 'pass' | 'fail';
export type QrSource = 'live' | 'photo';
export type QrTamper = 'none' | 'ref' | 'key' | 'secret';

export type LinkEvent =
  | { type: 'REGISTER'; account: AccountId; idCheck: boolean }
  | { type: 'REREGISTER'; account: AccountId; proof: boolean }
  | { type: 'LOGOUT'; account: AccountId }
  | { type: 'GO_OFFLINE'; device: DeviceId }
  | { type: 'GO_ONLINE'; device: DeviceId }
  | { type: 'SHOW_QR'; device: CompanionId }
  | { type: 'SCAN_QR'; device: CompanionId; by: DeviceId; source: QrSource; idCheck: IdCheckOutcome; tamper: QrTamper }
  | { type: 'CANCEL_LINKING'; device: CompanionId }
  | { type: 'REQUEST_CODE'; device: CompanionId }
  | { type: 'ENTER_CODE'; device: CompanionId; by: DeviceId; correct: boolean; idCheck: IdCheckOutcome }
  | { type: 'UNLINK'; by: DeviceId; target: DeviceId }
  | { type: 'SEND'; from: DeviceId; id: string }
  | { type: 'ADVANCE'; ms: number }
  | { type: 'RESTART' };

export type LinkEventType = LinkEvent['type'];

export function accountOf(device: DeviceId): AccountId {
  return device.slice(0, device.indexOf('.')) as AccountId;
}

export function isPrimaryId(device: DeviceId): device is PrimaryId {
  return device.endsWith('.primary');
}

export function primaryOf(account: AccountId): PrimaryId {
  return `${account}.primary`;
}

export function otherAccount(account: AccountId): AccountId {
  return account === 'A' ? 'B' : 'A';
}

/** A step as a report shows it: `SCAN_QR A.c1 by A.primary (live, id check pass)`. */
export function describeEvent(event: LinkEvent): string {
  switch (event.type) {
    case 'REGISTER': return `REGISTER ${event.account}${event.idCheck ? ' with ID check' : ''}`;
    case 'REREGISTER': return `REREGISTER ${event.account} ${event.proof ? 'with' : 'without'} proof`;
    case 'LOGOUT': return `LOGOUT ${event.account}`;
    case 'GO_OFFLINE': case 'GO_ONLINE': case 'SHOW_QR': case 'CANCEL_LINKING': case 'REQUEST_CODE':
      return `${event.type} ${event.device}`;
    case 'SCAN_QR':
      return `SCAN_QR ${event.device} by ${event.by} (${event.source}, id check ${event.idCheck}${event.tamper === 'none' ? '' : `, tampered ${event.tamper}`})`;
    case 'ENTER_CODE':
      return `ENTER_CODE ${event.device} by ${event.by} (${event.correct ? 'right' : 'wrong'} code, id check ${event.idCheck})`;
    case 'UNLINK': return `UNLINK ${event.target} by ${event.by}`;
    case 'SEND': return `SEND ${event.id} from ${event.from}`;
    case 'ADVANCE': return `ADVANCE ${formatDuration(event.ms)}`;
    case 'RESTART': return 'RESTART';
  }
}

export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1]];
  if (ms === 0) return '0 ms';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) { parts.push(`${n} ${unit}`); rest -= n * size; }
  }
  return parts.join(' ');
}
