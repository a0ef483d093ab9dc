/**
 * The server at the wire level, over loopback: every malformed or out-of-order frame is answered
 * with its stable code and the connection keeps working; signatures are checked (AUTH-01,
 * LIFE-02); test control exists only when enabled.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { DeviceClient } from '../client/device.js';
import { WireConnection } from '../client/wire.js';
import { generateDeviceKeys, sign, toBase64 } from '../crypto/keys.js';
import { accountSignature, encodeDetails, signDeviceList } from '../crypto/linking.js';
import { parseQrText } from '../qr/qrText.js';
import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import { ReferenceServer } from './server.js';
import { KNOWN_TYPES } from '../protocol/frames.js';
import { isErrorCode } from '../../model/errors.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

async function start(testControl = false): Promise<string> {
  server = new ReferenceServer({ testControl });
  return server.start();
}

async function wire(url: string): Promise<WireConnection> {
  const w = await WireConnection.open(url);
  open.push(w);
  return w;
}

/** The next non-result frame (an `error` for frames without a usable id). */
function nextFrame(w: WireConnection): Promise<any> {
  return new Promise((resolve) => { w.onFrame = resolve; });
}

async function primary(url: string, phone = '+1000'): Promise<DeviceClient> {
  const c = new DeviceClient({ url, role: 'primary', name: 'P', platform: 'phone', profile: DEFAULT_PROFILE, verificationCode: (p) => server!.verificationCode(p) });
  open.push(c);
  expect(await c.register(phone, { idCheck: false })).toEqual({ ok: true });
  return c;
}

async function companion(url: string, name = 'C'): Promise<DeviceClient> {
  const c = new DeviceClient({ url, role: 'companion', name, platform: 'web', profile: DEFAULT_PROFILE });
  open.push(c);
  await c.connect();
  return c;
}

describe('malformed frames (wire codes)', () => {
  it('answers each with a stable code and keeps the connection usable', async () => {
    const url = await start();
    const w = await wire(url);
    const cases: Array<[string, string]> = [
      ['not json', 'BAD_FRAME'],
      ['[1,2]', 'BAD_FRAME'],
      ['{"id":1}', 'BAD_FRAME'],
      ['{"type":"teleport","id":2}', 'UNKNOWN_TYPE'],
      ['{"type":"register","id":3}', 'BAD_FRAME'],
      ['{"type":"account.info","id":4,"phone":"+1","extra":true}', 'BAD_FRAME'],
      ['{"type":"tc.inspect","id":5}', 'UNKNOWN_TYPE'],
      ['{"type":"ack","seq":"x"}', 'BAD_FRAME'],
    ];
    for (const [text, code] of cases) {
      const frame = nextFrame(w);
      w.sendText(text);
      expect(await frame).toMatchObject({ type: 'error', code });
    }
    // Before authentication a frame above 64 KiB is not read at all: that socket is closed 1009.
    const other = new WebSocket(url);
    const closed = new Promise<number>((resolve) => other.on('close', (code) => resolve(code)));
    other.once('message', () => other.send(JSON.stringify({ type: 'account.info', id: 6, phone: 'x'.repeat(MAX_FRAME_BYTES) })));
    expect(await closed).toBe(1009);
    expect(await w.request('verify.request', { phone: '+1' })).toMatchObject({ ok: true });
  });

  it('answers random frames (known types, random fields) with exactly one frame each, never crashing', async () => {
    const url = await start(true);
    const w = await wire(url);
    const types = [...KNOWN_TYPES].filter((t) => t !== 'ack' && t !== 'tc.reset' && t !== 'disconnect');
    const frame = fc.record({
      type: fc.oneof(fc.constantFrom(...types), fc.string({ maxLength: 12 })),
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(undefined)),
      fields: fc.dictionary(fc.constantFrom('phone', 'code', 'ref', 'target', 'ms', 'list', 'deviceId', 'signature', 'envelopes', 'toPhone'), fc.jsonValue({ maxDepth: 2 })),
    });
    await fc.assert(fc.asyncProperty(frame, async ({ type, id, fields }) => {
      const answer = new Promise<any>((resolve) => { w.onFrame = resolve; });
      w.sendText(JSON.stringify({ ...fields, type, ...(id === undefined ? {} : { id }) }));
      const got = await Promise.race([answer, new Promise((r) => setTimeout(() => r('silence'), 2000))]);
      // Results with a numeric id would be matched to no pending request and surface here too.
      expect(got).not.toBe('silence');
      expect(['error', 'result']).toContain(got.type);
      if (got.ok !== true) expect(isErrorCode(got.code)).toBe(true);
    }), { numRuns: 150 });
    expect(await w.request('tc.inspect')).toMatchObject({ ok: true });
  });

  it('answers a binary frame BAD_FRAME', async () => {
    const url = await start();
    const ws = new WebSocket(url);
    const frames: any[] = [];
    await new Promise<void>((resolve) => {
      ws.on('message', (d) => {
        frames.push(JSON.parse(String(d)));
        if (frames.length === 1) ws.send(Buffer.from([1, 2, 3]));
        else resolve();
      });
    });
    expect(frames[1]).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
    ws.close();
  });

  it('refuses steps out of order', async () => {
    const url = await start();
    const w = await wire(url);
    expect(await w.request('send', { toPhone: '+2', envelopes: [] })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await w.request('link.start', { phone: '+1' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await w.request('link.answer', { offerId: 'x', deviceSignature: 'AAAA' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    expect(await w.request('devices.get', { phone: '+1' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
    // Issue 10: nobody learns which numbers are registered without authenticating.
    expect(await w.request('account.info', { phone: '+1' })).toMatchObject({ ok: false, code: 'OUT_OF_ORDER' });
  });
});

describe('authentication and signatures', () => {
  it('AUTH_FAILED for an unknown device or a signature over the wrong nonce', async () => {
    const url = await start();
    const p = await primary(url);
    const w = await wire(url);
    const wrongNonce = toBase64(sign(new Uint8Array(48), p.keys.signing.secretKey));
    expect(await w.request('auth', { deviceId: p.deviceId, signature: wrongNonce })).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    expect(await w.request('auth', { deviceId: toBase64(new Uint8Array(32)), signature: wrongNonce })).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('LIFE-02: a registration list must be the next version and signed by the new key', async () => {
    const url = await start();
    const w = await wire(url);
    const keys = generateDeviceKeys();
    const id = toBase64(keys.signing.publicKey);
    const devices = [{ id, identityKey: id }];
    const base = {
      phone: '+1', replace: false, identityKey: id, boxKey: toBase64(keys.box.publicKey), name: 'P', platform: 'phone',
      boxKeySignature: toBase64(sign(new Uint8Array([...new TextEncoder().encode('linkspec-box-v1'), ...keys.box.publicKey]), keys.signing.secretKey)),
    };
    const stale = { version: 5, devices, signature: toBase64(signDeviceList(keys.signing.secretKey, { account: '+1', version: 5, devices })) };
    // LIFE-03 first: without proof of the number nothing else is even looked at.
    expect(await w.request('register', { ...base, list: stale })).toMatchObject({ ok: false, code: 'NUMBER_NOT_VERIFIED' });
    expect(await w.request('verify.request', { phone: '+1' })).toMatchObject({ ok: true });
    expect(await w.request('verify.confirm', { phone: '+1', code: server!.verificationCode('+1') })).toEqual({ ok: true, value: { registered: false, version: 0 } });
    expect(await w.request('register', { ...base, list: stale })).toMatchObject({ ok: false, code: 'STALE_DEVICE_LIST' });
    const other = generateDeviceKeys();
    const forged = { version: 1, devices, signature: toBase64(signDeviceList(other.signing.secretKey, { account: '+1', version: 1, devices })) };
    expect(await w.request('register', { ...base, list: forged })).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('AUTH-01: approvals from a companion, or without the primary\'s account signature, link nothing', async () => {
    const url = await start();
    const p = await primary(url);
    const c1 = await companion(url, 'C1');
    expect(await c1.startQr('+1000')).toEqual({ ok: true });
    expect(await p.scanQr(c1.qrText()!, 'pass')).toEqual({ ok: true });
    const c2 = await companion(url, 'C2');
    expect(await c2.startQr('+1000')).toEqual({ ok: true });
    const qr = parseQrText(c2.qrText()!)!;
    // The linked companion forges an approval signed with its own key: the server refuses.
    const details = encodeDetails({ rawId: 1, timestamp: 1, keyIndex: 3 });
    const forge = async (signer: DeviceClient) => {
      const w = (signer as any).wire as WireConnection;
      const devices = [{ id: qr.identityPublic, identityKey: qr.identityPublic }];
      return w.request('link.approve', {
        ref: qr.ref, companionIdentityKey: qr.identityPublic, details: toBase64(details), detailsHmac: toBase64(new Uint8Array(32)),
        accountSignature: toBase64(accountSignature(signer.keys.signing.secretKey, details, new Uint8Array(Buffer.from(qr.identityPublic, 'base64')))),
        list: { version: 3, devices, signature: toBase64(signDeviceList(signer.keys.signing.secretKey, { account: '+1000', version: 3, devices })) },
        history: { nonce: 'AAAA', ciphertext: 'AAAA' },
      });
    };
    expect(await forge(c1)).toMatchObject({ ok: false, code: 'NOT_PRIMARY' });
    expect(await c1.scanQr(c2.qrText()!, 'pass')).toMatchObject({ ok: false, code: 'NOT_PRIMARY' });
    // The primary's connection with a signature that is not the primary's: BAD_SIGNATURE.
    const impostor = { keys: generateDeviceKeys(), wire: (p as any).wire } as unknown as DeviceClient;
    expect(await forge(impostor)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(c2.status).toBe('linking');
  });
});

describe('test control', () => {
  it('exists only when enabled', async () => {
    const url = await start(true);
    const w = await wire(url);
    expect(await w.request('tc.advance', { ms: 5 })).toEqual({ ok: true, value: { now: 5 } });
    expect(await w.request('tc.quiescent')).toMatchObject({ ok: true, value: { quiet: true } });
    expect(await w.request('tc.inspect')).toMatchObject({ ok: true, value: { now: 5, accounts: [] } });
  });
});
