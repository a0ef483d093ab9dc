/**
 * Which devices a client encrypts to (AUTH-02, LIFE-02): only devices covered by a device list
 * the account's primary signed, each with both ADV signatures valid and its box key bound to its
 * identity key. A device the server lists but the primary never signed gets nothing.
 *
 * Rules:
 * - A signed list must verify under the account's primary identity key.
 * - An unsigned list is a server-asserted removal: accepted only if the last signed list verifies,
 *   its version is above that one's, and its devices are a subset of it (the server may remove,
 *   never add).
 * - A list older than the last one this client accepted for the account is rejected.
 * - The primary key is pinned on first use: the first signed list fetched, the offer a companion
 *   verified, or the first delivery from the account's primary (its own key is the root it
 *   claims, checked by its box-key signature: a message that primary sent before the number moved
 *   to a new phone still opens, OFF-02).
 * - A changed key (re-registration, LIFE-01, which the server allows only with proof of the
 *   number, LIFE-03) is accepted as the new root AND recorded as a key change, the event a
 *   client shows as "the safety number changed" (LIFE-03: never trusted silently).
 */
import type { ErrorCode } from '../../model/errors.js';
import { tryFromBase64, verify } from '../crypto/keys.js';
import { verifyAccountSignature, verifyDeviceList, verifyDeviceSignature, type DeviceListEntry } from '../crypto/linking.js';
import { boxKeyBytes } from '../protocol/constants.js';
import { NO_FAULTS, type FaultSet } from '../faults.js';

export interface WireDeviceInfo {
  readonly id: string;
  readonly role: 'primary' | 'companion';
  readonly identityKey: string;
  readonly boxKey: string;
  readonly boxKeySignature: string;
  readonly name: string;
  readonly platform: string;
  readonly link: { details: string; accountSignature: string; deviceSignature: string; primaryIdentityKey?: string } | null;
}

export interface WireDevicesAnswer {
  readonly registered: boolean;
  readonly primaryIdentityKey: string | null;
  readonly list: {
    readonly version: number;
    readonly devices: DeviceListEntry[];
    readonly signature: string | null;
    readonly lastSigned: { version: number; devices: DeviceListEntry[]; signature: string } | null;
  };
  readonly devices: readonly WireDeviceInfo[];
}

export interface TrustedDevice {
  readonly id: string;
  readonly phone: string;
  readonly role: 'primary' | 'companion';
  readonly identityKey: Uint8Array;
  readonly boxKey: Uint8Array;
}

/** LIFE-03: an account's primary key changed since this client pinned it (a safety-number change). */
export interface KeyChange {
  readonly phone: string;
  readonly from: string;
  readonly to: string;
}

export type TrustOutcome =
  | { readonly ok: true; readonly version: number; readonly devices: readonly TrustedDevice[]; readonly rejected: readonly string[]; readonly keyChange?: KeyChange }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

/** What the client remembers per account between fetches. */
export interface TrustAnchor {
  primaryKey?: string;
  lastVersion: number;
}

export function verifyDevices(phone: string, answer: WireDevicesAnswer, anchor: TrustAnchor, trustServer = false, faults: FaultSet = NO_FAULTS): TrustOutcome {
  const primaryKeyText = answer.primaryIdentityKey;
  const primaryKey = primaryKeyText ? tryFromBase64(primaryKeyText) : null;
  if (!primaryKeyText || !primaryKey) return { ok: false, code: 'NOT_REGISTERED', reason: 'no primary key' };
  const keyChanged = anchor.primaryKey !== undefined && anchor.primaryKey !== primaryKeyText;
  const { list } = answer;
  // Fault 'accepts-older-list': the version is never compared with the last one accepted (LIFE-02).
  if (!keyChanged && list.version < anchor.lastVersion && !faults.has('accepts-older-list')) {
    return { ok: false, code: 'STALE_DEVICE_LIST', reason: `version ${list.version} is older than ${anchor.lastVersion}` };
  }
  let covered: readonly DeviceListEntry[];
  if (list.signature !== null) {
    const sig = tryFromBase64(list.signature);
    if (!sig || !verifyDeviceList(primaryKey, { account: phone, version: list.version, devices: list.devices }, sig)) {
      return { ok: false, code: 'BAD_SIGNATURE', reason: 'the device list is not signed by the primary' };
    }
    covered = list.devices;
  } else {
    const last = list.lastSigned;
    const sig = last ? tryFromBase64(last.signature) : null;
    if (!last || !sig || !verifyDeviceList(primaryKey, { account: phone, version: last.version, devices: last.devices }, sig)) {
      return { ok: false, code: 'BAD_SIGNATURE', reason: 'an unsigned list without a valid signed predecessor' };
    }
    const signedIds = new Map(last.devices.map((d) => [d.id, d.identityKey]));
    if (list.version <= last.version || !list.devices.every((d) => signedIds.get(d.id) === d.identityKey)) {
      return { ok: false, code: 'BAD_SIGNATURE', reason: 'the server may only remove devices from a signed list' };
    }
    covered = list.devices;
  }
  const keyChange = keyChanged ? { phone, from: anchor.primaryKey!, to: primaryKeyText } : undefined;
  anchor.primaryKey = primaryKeyText;
  anchor.lastVersion = list.version;

  const trusted: TrustedDevice[] = [];
  const rejected: string[] = [];
  for (const info of answer.devices) {
    const entry = covered.find((d) => d.id === info.id);
    // Fault 'trusts-server-devices': whatever the server lists is trusted (AUTH-02).
    // Fault 'trusts-adv-without-list': a device with valid ADV signatures is trusted even if the list does not cover it (E2E-03).
    const covers = (entry && entry.identityKey === info.identityKey) || faults.has('trusts-adv-without-list');
    const device = trustServer ? serverClaimed(phone, info) : covers ? checkDevice(phone, info, primaryKeyText, faults) : null;
    if (device) trusted.push(device);
    else rejected.push(info.id);
  }
  return { ok: true, version: list.version, devices: trusted, rejected, ...(keyChange ? { keyChange } : {}) };
}

/** One device's own proofs: box key bound to its identity; a companion's two ADV signatures under the primary key. */
export function checkDevice(phone: string, info: WireDeviceInfo, primaryKeyText: string, faults: FaultSet = NO_FAULTS): TrustedDevice | null {
  const primaryKey = tryFromBase64(primaryKeyText);
  if (!primaryKey || !info) return null;
  const identityKey = tryFromBase64(info.identityKey);
  const boxKey = tryFromBase64(info.boxKey);
  const boxSig = tryFromBase64(info.boxKeySignature);
  // Fault 'box-key-unchecked': the box key's binding to the identity key is not verified (AUTH-02).
  if (!identityKey || !boxKey || !boxSig || (!faults.has('box-key-unchecked') && !verify(boxKeyBytes(boxKey), boxSig, identityKey))) return null;
  if (info.role === 'primary') {
    if (info.identityKey !== primaryKeyText) return null;
  } else {
    // Both ADV signatures, as WhatsApp senders check before encrypting to a companion.
    const details = info.link ? tryFromBase64(info.link.details) : null;
    const accountSig = info.link ? tryFromBase64(info.link.accountSignature) : null;
    const deviceSig = info.link ? tryFromBase64(info.link.deviceSignature) : null;
    if (!details || !accountSig || !deviceSig) return null;
    if (!verifyAccountSignature(primaryKey, details, identityKey, accountSig)) return null;
    if (!verifyDeviceSignature(identityKey, details, primaryKey, deviceSig)) return null;
  }
  return { id: info.id, phone, role: info.role, identityKey, boxKey };
}

/** The server's record taken at its word (fault 'trusts-server-devices'). */
function serverClaimed(phone: string, info: WireDeviceInfo): TrustedDevice | null {
  const identityKey = tryFromBase64(info.identityKey);
  const boxKey = tryFromBase64(info.boxKey);
  return identityKey && boxKey ? { id: info.id, phone, role: info.role, identityKey, boxKey } : null;
}

/**
 * What one client has learned: per account the pinned primary key and the newest list version
 * accepted, and every device it ever verified (so a message from a device removed after it sent
 * still opens: OFF-02; a device never verified does not: AUTH-02).
 */
export class TrustStore {
  private readonly anchors = new Map<string, TrustAnchor>();
  private readonly known = new Map<string, TrustedDevice>();
  /** Every primary-key change seen, oldest first (LIFE-03: the client surfaces each one). */
  readonly keyChanges: KeyChange[] = [];
  /** Fault 'trusts-server-devices' (reference/faults.ts): skip the list and signature checks. */
  trustServer = false;
  /** Other client-side known-bad switches (reference/faults.ts); none in the conformant client. */
  faults: FaultSet = NO_FAULTS;

  /** Check a `devices.get` answer (verifyDevices) and remember what it proves. */
  accept(phone: string, answer: WireDevicesAnswer): TrustOutcome {
    const checked = verifyDevices(phone, answer, this.anchor(phone), this.trustServer, this.faults);
    if (checked.ok) for (const d of checked.devices) this.known.set(d.id, d);
    if (checked.ok && checked.keyChange) this.keyChanges.push(checked.keyChange);
    return checked;
  }

  /** Pin the primary key learned while linking (the offer the companion verified). */
  pin(phone: string, primaryKey: string): void { this.anchor(phone).primaryKey = primaryKey; }

  /** A sender as the delivery describes it, checked against the pinned primary key; null if unproven. */
  sender(phone: string, info: WireDeviceInfo | null): TrustedDevice | null {
    if (!info) return null;
    const known = this.known.get(info.id);
    if (known) return known;
    const anchor = this.anchor(phone);
    // The primary key the sender claims: its own (a primary), or the one that signed its link.
    const claimed = info.role === 'primary' ? info.identityKey : info.link?.primaryIdentityKey;
    // First contact with the account: pin the claimed key once the sender verifies under it (trust on first use).
    if (anchor.primaryKey === undefined && claimed && checkDevice(phone, info, claimed)) anchor.primaryKey = claimed;
    // A key this client trusted before the account's key changed still proves what was sent under it (OFF-02).
    const key = claimed && this.keyChanges.some((c) => c.phone === phone && c.from === claimed) ? claimed : anchor.primaryKey;
    const device = key ? checkDevice(phone, info, key) : null;
    if (device) this.known.set(device.id, device);
    return device;
  }

  /** Every device of `phone` this client ever verified, current or not. */
  knownOf(phone: string): TrustedDevice[] { return [...this.known.values()].filter((d) => d.phone === phone); }

  clear(): void { this.anchors.clear(); this.known.clear(); this.keyChanges.length = 0; }

  private anchor(phone: string): TrustAnchor {
    let a = this.anchors.get(phone);
    if (!a) { a = { lastVersion: 0 }; this.anchors.set(phone, a); }
    return a;
  }
}
