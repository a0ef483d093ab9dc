/**
 * trust.ts: which devices a client will encrypt to (AUTH-02, LIFE-02). Lists signed by the
 * primary are trusted; server-asserted lists may only remove; older lists and devices the primary
 * never signed are refused.
 */
import { describe, expect, it } from 'vitest';
import { generateDeviceKeys, sign, toBase64, type DeviceKeys } from '../crypto/keys.js';
import { accountSignature, deviceSignature, encodeDetails, signDeviceList } from '../crypto/linking.js';
import { boxKeyBytes } from '../protocol/constants.js';
import { verifyDevices, type WireDeviceInfo, type WireDevicesAnswer } from './trust.js';

const PHONE = '+1';
const primary = generateDeviceKeys();
const id = (k: DeviceKeys) => toBase64(k.signing.publicKey);
const entry = (k: DeviceKeys) => ({ id: id(k), identityKey: id(k) });

function info(k: DeviceKeys, role: 'primary' | 'companion', signer: DeviceKeys = primary): WireDeviceInfo {
  const details = encodeDetails({ rawId: 1, timestamp: 1, keyIndex: 1 });
  return {
    id: id(k), role, identityKey: id(k), boxKey: toBase64(k.box.publicKey), name: 'x', platform: 'y',
    boxKeySignature: toBase64(sign(boxKeyBytes(k.box.publicKey), k.signing.secretKey)),
    link: role === 'primary' ? null : {
      details: toBase64(details),
      accountSignature: toBase64(accountSignature(signer.signing.secretKey, details, k.signing.publicKey)),
      deviceSignature: toBase64(deviceSignature(k.signing.secretKey, details, k.signing.publicKey, signer.signing.publicKey)),
    },
  };
}

function signed(version: number, keys: DeviceKeys[], by: DeviceKeys = primary) {
  const devices = keys.map(entry);
  return { version, devices, signature: toBase64(signDeviceList(by.signing.secretKey, { account: PHONE, version, devices })) };
}

function answer(list: WireDevicesAnswer['list'], devices: WireDeviceInfo[]): WireDevicesAnswer {
  return { registered: true, primaryIdentityKey: id(primary), list, devices };
}

describe('verifyDevices', () => {
  const c1 = generateDeviceKeys();
  const c2 = generateDeviceKeys();
  const v2 = signed(2, [primary, c1, c2]);

  it('trusts exactly the devices of a primary-signed list', () => {
    const evil = generateDeviceKeys();
    const r = verifyDevices(PHONE, answer({ ...v2, lastSigned: v2 }, [info(primary, 'primary'), info(c1, 'companion'), info(c2, 'companion'), info(evil, 'companion')]), { lastVersion: 0 });
    expect(r.ok && r.devices.map((d) => d.id)).toEqual([id(primary), id(c1), id(c2)]);
    expect(r.ok && r.rejected).toEqual([id(evil)]);
  });

  it('refuses a list not signed by the primary, and a companion without a valid account signature', () => {
    const forged = signed(2, [primary, c1], generateDeviceKeys());
    expect(verifyDevices(PHONE, answer({ ...forged, lastSigned: forged }, []), { lastVersion: 0 })).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    const v1 = signed(1, [primary, c1]);
    const r = verifyDevices(PHONE, answer({ ...v1, lastSigned: v1 }, [info(c1, 'companion', generateDeviceKeys())]), { lastVersion: 0 });
    expect(r.ok && r.devices).toEqual([]);
  });

  it('accepts a server-asserted removal, never a server-asserted addition', () => {
    const removal = { version: 3, devices: v2.devices.slice(0, 2), signature: null, lastSigned: v2 };
    const r = verifyDevices(PHONE, answer(removal, [info(primary, 'primary'), info(c1, 'companion'), info(c2, 'companion')]), { lastVersion: 2 });
    expect(r.ok && r.devices.map((d) => d.id)).toEqual([id(primary), id(c1)]);
    const extra = generateDeviceKeys();
    const addition = { version: 3, devices: [...v2.devices, entry(extra)], signature: null, lastSigned: v2 };
    expect(verifyDevices(PHONE, answer(addition, []), { lastVersion: 2 })).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('rejects a list older than one already accepted (LIFE-02)', () => {
    const anchor = { lastVersion: 0 };
    expect(verifyDevices(PHONE, answer({ ...v2, lastSigned: v2 }, []), anchor).ok).toBe(true);
    const v1 = signed(1, [primary]);
    expect(verifyDevices(PHONE, answer({ ...v1, lastSigned: v1 }, []), anchor)).toMatchObject({ ok: false, code: 'STALE_DEVICE_LIST' });
  });
});
