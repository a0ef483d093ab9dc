/**
 * The linking signatures, in WhatsApp's ADV shape (PAIR-02, PAIR-07, AUTH-02, LIFE-02).
 *
 * Guarantees:
 * - `encodeDetails` has one fixed 16-byte layout, so both sides sign and check the same bytes:
 *
 *     offset  size  field      encoding
 *     0       4     rawId      uint32, big-endian
 *     4       8     timestamp  uint64, big-endian (ms since epoch; must be a safe integer)
 *     12      4     keyIndex   uint32, big-endian
 *
 *   (WhatsApp wraps the same three fields in protobuf; a fixed layout has no encoding choices.)
 * - The companion proves it holds the QR's linking secret by checking `detailsHmac`; the primary's
 *   Account Signature covers `0x06 0x00 || details || companion key`, the companion's Device
 *   Signature covers `0x06 0x01 || details || companion key || primary key`, and a device list is
 *   signed over `0x06 0x02 || deviceListBytes(list)`. The distinct prefixes keep one kind of
 *   signature from ever standing in for another.
 * - `deviceListBytes` is canonical: the same list in any device order gives the same bytes.
 * - Every `verify*` returns false (never throws) on malformed input.
 */
import { createHmac } from 'node:crypto';
import { concat, sign, verify } from './keys.js';

export interface LinkDetails {
  rawId: number;
  timestamp: number;
  keyIndex: number;
}

export interface DeviceListEntry {
  id: string;
  /** The device's identity (signing) public key, base64. */
  identityKey: string;
}

export interface SignedDeviceListContent {
  account: string;
  version: number;
  devices: DeviceListEntry[];
}

export const DETAILS_BYTES = 16;
const ACCOUNT_SIGNATURE_PREFIX = Uint8Array.of(0x06, 0x00);
const DEVICE_SIGNATURE_PREFIX = Uint8Array.of(0x06, 0x01);
const DEVICE_LIST_PREFIX = Uint8Array.of(0x06, 0x02);
const UINT32_MAX = 0xffff_ffff;

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/** The fixed 16-byte layout above. Throws RangeError on a field out of range. */
export function encodeDetails(d: LinkDetails): Uint8Array {
  checkUint('rawId', d.rawId, UINT32_MAX);
  checkUint('timestamp', d.timestamp, Number.MAX_SAFE_INTEGER);
  checkUint('keyIndex', d.keyIndex, UINT32_MAX);
  const out = new Uint8Array(DETAILS_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, d.rawId);
  dv.setBigUint64(4, BigInt(d.timestamp));
  dv.setUint32(12, d.keyIndex);
  return out;
}

/** The inverse of `encodeDetails`, or null if the bytes are not exactly that layout. */
export function decodeDetails(bytes: Uint8Array): LinkDetails | null {
  if (!(bytes instanceof Uint8Array) || bytes.length !== DETAILS_BYTES) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timestamp = dv.getBigUint64(4);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { rawId: dv.getUint32(0), timestamp: Number(timestamp), keyIndex: dv.getUint32(12) };
}

/** HMAC-SHA256(linkingSecret, details): proves the sender knows the QR's linking secret. */
export function detailsHmac(linkingSecret: Uint8Array, detailsBytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', linkingSecret).update(detailsBytes).digest());
}

/** The primary's Account Signature: signs `0x06 0x00 || details || companion identity key`. */
export function accountSignature(primarySigningSecret: Uint8Array, detailsBytes: Uint8Array, companionIdentityPublic: Uint8Array): Uint8Array {
  return sign(concat(ACCOUNT_SIGNATURE_PREFIX, detailsBytes, companionIdentityPublic), primarySigningSecret);
}

export function verifyAccountSignature(primaryIdentityPublic: Uint8Array, detailsBytes: Uint8Array, companionIdentityPublic: Uint8Array, sig: Uint8Array): boolean {
  if (!isBytes(detailsBytes) || !isBytes(companionIdentityPublic)) return false;
  return verify(concat(ACCOUNT_SIGNATURE_PREFIX, detailsBytes, companionIdentityPublic), sig, primaryIdentityPublic);
}

/** The companion's Device Signature: signs `0x06 0x01 || details || companion key || primary key`. */
export function deviceSignature(companionSigningSecret: Uint8Array, detailsBytes: Uint8Array, companionIdentityPublic: Uint8Array, primaryIdentityPublic: Uint8Array): Uint8Array {
  return sign(concat(DEVICE_SIGNATURE_PREFIX, detailsBytes, companionIdentityPublic, primaryIdentityPublic), companionSigningSecret);
}

export function verifyDeviceSignature(companionIdentityPublic: Uint8Array, detailsBytes: Uint8Array, primaryIdentityPublic: Uint8Array, sig: Uint8Array): boolean {
  if (!isBytes(detailsBytes) || !isBytes(companionIdentityPublic) || !isBytes(primaryIdentityPublic)) return false;
  return verify(concat(DEVICE_SIGNATURE_PREFIX, detailsBytes, companionIdentityPublic, primaryIdentityPublic), sig, companionIdentityPublic);
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical bytes of a device list: UTF-8 JSON of `[account, version, [[id, identityKey]...]]`
 * with devices sorted by id, then key (code-unit order, not locale). JSON quoting makes the
 * encoding unambiguous; sorting makes it independent of the order devices were listed in.
 * Throws RangeError on a version that is not a non-negative safe integer.
 */
export function deviceListBytes(list: SignedDeviceListContent): Uint8Array {
  checkUint('version', list.version, Number.MAX_SAFE_INTEGER);
  const devices = list.devices
    .map((d) => [String(d.id), String(d.identityKey)] as const)
    .sort((x, y) => compareCodeUnits(x[0], y[0]) || compareCodeUnits(x[1], y[1]));
  return new Uint8Array(Buffer.from(JSON.stringify([String(list.account), list.version, devices]), 'utf8'));
}

/** The primary's signature over a device list: `0x06 0x02 || deviceListBytes(list)`. */
export function signDeviceList(primarySigningSecret: Uint8Array, list: SignedDeviceListContent): Uint8Array {
  return sign(concat(DEVICE_LIST_PREFIX, deviceListBytes(list)), primarySigningSecret);
}

export function verifyDeviceList(primaryIdentityPublic: Uint8Array, list: SignedDeviceListContent, sig: Uint8Array): boolean {
  let bytes: Uint8Array;
  try {
    bytes = deviceListBytes(list);
  } catch {
    return false;
  }
  return verify(concat(DEVICE_LIST_PREFIX, bytes), sig, primaryIdentityPublic);
}
