/**
 * The statechart's extended state: what the spec remembers about both accounts, their devices,
 * pairing sessions and delivery queues, plus the virtual clock. Pure data and pure queries; the
 * changes live in worldEffects.ts. The statechart (linkMachine.ts) carries this as its context and
 * its state nodes mirror the parts of it an auditor reasons about (registration, primary
 * connectivity and dormancy).
 *
 * Serves every stateful requirement; see linkMachine.ts for which rule cites which ID.
 */
import type { OpResult } from './errors.js';
import { OK } from './errors.js';
import {
  ACCOUNTS, COMPANION_SLOTS, accountOf, isPrimaryId,
  type AccountId, type CompanionId, type CompanionSlot, type DeviceId, type LinkEvent,
} from './events.js';
import type { DeviceStatus, SignOutReason } from './observation.js';
import { qrAttemptMs, qrRefWindow, type Profile } from './profile.js';

export interface DeviceState {
  status: DeviceStatus;
  signOutReason?: SignOutReason;
  online: boolean;
  messages: string[];
  notices: string[];
  /** Delivered on reconnect, in order (OFF-02); dropped at sign-out (E2E-03). */
  pendingMessages: string[];
  pendingNotices: string[];
  /** When it last went offline; starts the dormancy (primary) or idleness (companion) window. */
  offlineSince: number | null;
}

/**
 * A QR attempt: reference `i` is shown during qrRefWindow(i) after `startedAt`. `outcome` records
 * how it stopped; `usedRef` is the reference a successful scan used.
 */
export interface QrAttempt {
  startedAt: number;
  outcome: 'showing' | 'ended' | 'cancelled' | 'used';
  usedRef: number | null;
}

export interface CompanionState extends DeviceState {
  /** How the companion is linking now; null unless status is 'linking'. */
  linkingBy: 'qr' | 'code' | null;
  /** The latest QR attempt: its reference 0 is the "photo" a replay scans (PAIR-03). */
  qr: QrAttempt | null;
  /**
   * The companion's own latest pairing code (PAIR-06): each linking companion holds its own, so
   * one number can have several active codes and nobody's request touches another's.
   */
  code: PairingCode | null;
}

/** A companion's pairing code for its account's phone number (PAIR-06). */
export interface PairingCode {
  issuedAt: number;
  attempts: number;
  state: 'active' | 'exhausted' | 'expired' | 'used' | 'cancelled';
}

export interface AccountState {
  registered: boolean;
  idCheck: boolean;
  version: number;
  /** Null until the first REGISTER; stays (signed out) after LOGOUT. */
  primary: DeviceState | null;
  companions: Partial<Record<CompanionSlot, CompanionState>>;
  /** Set when the primary's dormancy reached the limit and its companions were signed out. */
  dormancyReached: boolean;
}

export interface World {
  readonly profile: Profile;
  now: number;
  /** Set while an ADVANCE is being processed: the time it advances to. */
  advanceTo: number | null;
  accounts: Record<AccountId, AccountState>;
  /** The result of the step just taken. */
  result: OpResult;
  /**
   * Ids of the transitions taken, appended by every action (each transition has exactly one).
   * Not part of the spec's state: the explorer reads it to know which transitions an event took.
   */
  trace: readonly string[];
}

export function emptyAccount(): AccountState {
  return { registered: false, idCheck: false, version: 0, primary: null, companions: {}, dormancyReached: false };
}

export function initialWorld(profile: Profile): World {
  return { profile, now: 0, advanceTo: null, accounts: { A: emptyAccount(), B: emptyAccount() }, result: OK, trace: [] };
}

export function freshDevice(status: DeviceStatus): DeviceState {
  return { status, online: true, messages: [], notices: [], pendingMessages: [], pendingNotices: [], offlineSince: null };
}

export function slotOf(device: CompanionId): CompanionSlot {
  return device.slice(device.indexOf('.') + 1) as CompanionSlot;
}

export function companionIds(account: AccountId): CompanionId[] {
  return COMPANION_SLOTS.map((slot) => `${account}.${slot}` as CompanionId);
}

export function companionOf(world: World, device: CompanionId): CompanionState | undefined {
  return world.accounts[accountOf(device)].companions[slotOf(device)];
}

export function deviceOf(world: World, device: DeviceId): DeviceState | undefined {
  if (isPrimaryId(device)) return world.accounts[accountOf(device)].primary ?? undefined;
  return companionOf(world, device);
}

/** A device that is in its account's device list: the registered primary or a linked companion. */
export function isLinked(world: World, device: DeviceId): boolean {
  return deviceOf(world, device)?.status === 'linked';
}

export function linkedCompanions(world: World, account: AccountId): CompanionId[] {
  return companionIds(account).filter((id) => companionOf(world, id)?.status === 'linked');
}

/** Every device of the account in its device list (primary first). */
export function linkedDevices(world: World, account: AccountId): DeviceId[] {
  const primary: DeviceId[] = world.accounts[account].registered ? [`${account}.primary`] : [];
  return [...primary, ...linkedCompanions(world, account)];
}

/** Which reference of the attempt is shown at `now`, or null once the attempt is over. */
export function shownRef(profile: Profile, attempt: QrAttempt, now: number): number | null {
  if (attempt.outcome !== 'showing') return null;
  const elapsed = now - attempt.startedAt;
  for (let i = 0; i < profile.qr.refCount; i += 1) {
    const { fromMs, untilMs } = qrRefWindow(profile, i);
    if (elapsed >= fromMs && elapsed < untilMs) return i;
  }
  return null;
}

export function qrAttemptEndsAt(profile: Profile, attempt: QrAttempt): number {
  return attempt.startedAt + qrAttemptMs(profile);
}

/**
 * The account an event is about: its statechart region handles it. The acting device's account
 * judges the step: SCAN_QR and ENTER_CODE go to the approver's account (a companion of the other
 * account is refused there: model/events.ts "Cross-account steps"), UNLINK to the acting
 * device's, SEND to the sender's. ADVANCE and RESTART concern no account (the clock region).
 */
export function accountOfEvent(event: LinkEvent): AccountId | null {
  switch (event.type) {
    case 'REGISTER': case 'REREGISTER': case 'LOGOUT': return event.account;
    case 'GO_OFFLINE': case 'GO_ONLINE': case 'SHOW_QR': case 'CANCEL_LINKING': case 'REQUEST_CODE':
      return accountOf(event.device);
    case 'SCAN_QR': case 'ENTER_CODE': case 'UNLINK': return accountOf(event.by);
    case 'SEND': return accountOf(event.from);
    case 'ADVANCE': case 'RESTART': return null;
  }
}

export { ACCOUNTS };
