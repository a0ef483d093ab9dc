/**
 * What the fuzzer throws at the reference server (issue 6): fast-check arbitraries of hostile
 * frames, each tagged with its family so the report counts outcomes per family.
 *
 * Families: random bytes (binary frames), random text, broken JSON, JSON that is not a frame,
 * unknown types, known requests with wrong field types or missing / extra fields, well-typed
 * requests on a connection in the wrong state (handshake and linking steps out of order),
 * forged signatures (random bytes, or the fuzzer's own key signing someone else's claim),
 * replayed signatures (a valid signature from an earlier connection's nonce), other devices'
 * ids (the canary's: auth as it, unlink it, send to it), acks, and oversized frames (above the
 * handled size: FRAME_TOO_LARGE; above the hard size: close 1009).
 *
 * Nothing here may ever link, unlink or sign out a canary device: the runner checks that
 * (AUTH-01, AUTH-02, AUTH-03, LIFE-02).
 */
import fc from 'fast-check';
import { sign, toBase64 } from '../reference/crypto/keys.js';
import { HARD_FRAME_BYTES, MAX_FRAME_BYTES } from '../reference/server/limits.js';
import { RequestSchemas } from '../reference/protocol/frames.js';

export type FrameFamily =
  | 'bytes' | 'text' | 'broken-json' | 'json-not-frame' | 'unknown-type' | 'wrong-types'
  | 'well-typed' | 'forged-signature' | 'replayed-signature' | 'other-device' | 'ack'
  | 'oversized' | 'hard-oversized';

export type FuzzFrame =
  | { readonly family: FrameFamily; readonly kind: 'text'; readonly text: string }
  | { readonly family: FrameFamily; readonly kind: 'binary'; readonly bytes: Uint8Array }
  /** Materialised only when sent (megabytes): `bytes` of JSON-ish text. */
  | { readonly family: FrameFamily; readonly kind: 'oversized'; readonly bytes: number };

/** What one fuzzing connection knows: the canary's public ids (targets) and its own identity. */
export interface FuzzPool {
  readonly canaryPhones: readonly string[];
  readonly canaryDeviceIds: readonly string[];
  readonly ownPhone: string;
  readonly ownDeviceId: string;
  readonly ownSigningSecret: Uint8Array;
  /** A valid auth/bind signature over an EARLIER connection's nonce. */
  readonly replayedSignature: string;
}

const REQUEST_TYPES = Object.keys(RequestSchemas).filter((t) => !t.startsWith('tc.'));

const b64Of = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map(toBase64);

function poolArbs(pool: FuzzPool) {
  const ids = [...pool.canaryDeviceIds, pool.ownDeviceId];
  const deviceId = fc.oneof(fc.constantFrom(...ids), b64Of(32, 32), b64Of(0, 40), fc.string({ maxLength: 20 }));
  const phone = fc.oneof(fc.constantFrom(...pool.canaryPhones, pool.ownPhone), fc.string({ minLength: 1, maxLength: 16 }));
  const forgedSig = fc.oneof(
    b64Of(64, 64),
    fc.uint8Array({ minLength: 1, maxLength: 80 }).map((m) => toBase64(sign(m, pool.ownSigningSecret))),
  );
  const signature = fc.oneof(forgedSig, fc.constant(pool.replayedSignature));
  const list = fc.record({
    version: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 2 ** 31 })),
    devices: fc.array(fc.record({ id: deviceId, identityKey: deviceId }), { maxLength: 6 }),
    signature,
  });
  const envelope = fc.record({ nonce: b64Of(24, 24), ciphertext: b64Of(1, 120) });
  return { deviceId, phone, signature, list, envelope, ids };
}

/** Plausible values for each request's fields: well-typed, mostly wrong in content. */
function fieldArbs(type: string, pool: FuzzPool): fc.Arbitrary<Record<string, unknown>> {
  const a = poolArbs(pool);
  const announce = { identityKey: a.deviceId, boxKey: b64Of(32, 32), boxKeySignature: a.signature, name: fc.string({ minLength: 1, maxLength: 20 }), platform: fc.constantFrom('web', 'android', 'x') };
  const code = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.stringMatching(/^[1-9A-Z]{8}$/));
  switch (type) {
    case 'account.info': case 'devices.get': return fc.record({ phone: a.phone });
    case 'register': return fc.record({ phone: a.phone, replace: fc.boolean(), ...announce, list: a.list });
    case 'auth': return fc.record({ deviceId: a.deviceId, signature: a.signature });
    case 'devices.sign': return fc.record({ list: a.list });
    case 'link.bind': return fc.record({ ...announce, signature: a.signature });
    case 'code.request': return fc.record({ phone: a.phone, code });
    case 'code.enter': return fc.oneof(fc.record({ code }), fc.record({ companion: a.deviceId }));
    case 'link.approve': return fc.record({
      ref: fc.string({ minLength: 1, maxLength: 30 }), companionIdentityKey: a.deviceId, details: b64Of(16, 16),
      detailsHmac: b64Of(32, 32), accountSignature: a.signature, list: a.list, history: a.envelope,
    }, { requiredKeys: ['companionIdentityKey', 'details', 'detailsHmac', 'accountSignature', 'list', 'history'] });
    case 'link.answer': return fc.record({ offerId: fc.string({ minLength: 1, maxLength: 30 }), deviceSignature: a.signature, refuse: fc.constantFrom('QR_INVALID', 'CODE_INVALID', 'BAD_SIGNATURE') }, { requiredKeys: ['offerId'] });
    case 'unlink': return fc.record({ target: a.deviceId, list: a.list }, { requiredKeys: ['target'] });
    case 'send': return fc.record({ toPhone: a.phone, envelopes: fc.array(fc.record({ to: a.deviceId, envelope: a.envelope }), { maxLength: 6 }) });
    default: return fc.constant({});
  }
}

const requestId = fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.string({ minLength: 1, maxLength: 10 }).map((s) => `f${s}`));
const text = (family: FrameFamily, arb: fc.Arbitrary<string>): fc.Arbitrary<FuzzFrame> => arb.map((t) => ({ family, kind: 'text', text: t }));
const frame = (family: FrameFamily, arb: fc.Arbitrary<object>): fc.Arbitrary<FuzzFrame> => text(family, arb.map((o) => JSON.stringify(o)));

/** Every family, weighted so most frames reach the handlers (well-typed or nearly). */
export function fuzzFrameArb(pool: FuzzPool): fc.Arbitrary<FuzzFrame> {
  const a = poolArbs(pool);
  const fields = new Map(REQUEST_TYPES.map((type) => [type, fieldArbs(type, pool)]));
  const typed = (family: FrameFamily, types: readonly string[]) =>
    fc.constantFrom(...types).chain((type) => fc.tuple(fields.get(type)!, requestId).map(([f, id]) => ({ ...f, type, id })));
  const wrongTypes = typed('wrong-types', REQUEST_TYPES).chain((f) => {
    const keys = Object.keys(f).filter((k) => k !== 'type');
    return fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.anything({ maxDepth: 2 }), fc.constant(undefined)), fc.boolean(), fc.string({ minLength: 1, maxLength: 8 }))
      .map(([key, value, extra, extraKey]) => extra ? { ...f, [`x${extraKey}`]: value } : { ...f, [key]: value });
  });
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes): FuzzFrame => ({ family: 'bytes', kind: 'binary', bytes })) },
    // UTF-16 code units, lone surrogates included (fc.string's 'binary' unit costs seconds to build).
    { weight: 2, arbitrary: text('text', fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((units) => String.fromCharCode(...units))) },
    { weight: 2, arbitrary: typed('broken-json', REQUEST_TYPES).chain((f) => {
      const s = JSON.stringify(f);
      return fc.integer({ min: 0, max: Math.max(0, s.length - 1) }).map((cut): FuzzFrame => ({ family: 'broken-json', kind: 'text', text: s.slice(0, cut) + (cut % 2 ? '}' : '') }));
    }) },
    { weight: 2, arbitrary: text('json-not-frame', fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: frame('unknown-type', fc.record({ type: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('tc.reset', 'tc.inspect', 'tc.advance', 'deliver', 'result', '__proto__', 'constructor', 'toString')), id: requestId })) },
    { weight: 5, arbitrary: frame('wrong-types', wrongTypes) },
    { weight: 8, arbitrary: frame('well-typed', typed('well-typed', REQUEST_TYPES)) },
    { weight: 3, arbitrary: frame('forged-signature', typed('forged-signature', ['auth', 'link.bind', 'register', 'devices.sign', 'link.answer'])) },
    { weight: 2, arbitrary: frame('replayed-signature', fc.tuple(a.deviceId, requestId).map(([deviceId, id]) => ({ type: 'auth', id, deviceId, signature: pool.replayedSignature }))) },
    { weight: 3, arbitrary: frame('other-device', fc.tuple(fc.constantFrom(...pool.canaryDeviceIds), fc.constantFrom(...pool.canaryPhones), a.signature, a.list, a.envelope, requestId).chain(([target, phone, signature, list, envelope, id]) =>
      fc.constantFrom(
        { type: 'auth', id, deviceId: target, signature },
        { type: 'unlink', id, target, list },
        { type: 'unlink', id, target },
        { type: 'send', id, toPhone: phone, envelopes: [{ to: target, envelope }] },
        { type: 'devices.sign', id, list },
      ))) },
    { weight: 2, arbitrary: frame('ack', fc.record({ type: fc.constant('ack'), seq: fc.oneof(fc.integer(), fc.string()), push: fc.integer({ min: -2, max: 1e9 }) }, { requiredKeys: ['type'] })) },
    { weight: 1, arbitrary: fc.integer({ min: MAX_FRAME_BYTES + 1, max: MAX_FRAME_BYTES + 4096 }).map((bytes): FuzzFrame => ({ family: 'oversized', kind: 'oversized', bytes })) },
  );
}

/** A frame above the hard limit: the server closes the connection 1009 (rare: it costs a reconnect). */
export const hardOversized: FuzzFrame = { family: 'hard-oversized', kind: 'oversized', bytes: HARD_FRAME_BYTES + 1 };

/** The bytes actually sent. Oversized frames are a request whose phone is padded to size. */
export function materialise(f: FuzzFrame): string | Uint8Array {
  if (f.kind === 'text') return f.text;
  if (f.kind === 'binary') return f.bytes;
  const head = '{"type":"account.info","id":"big","phone":"';
  return `${head}${'x'.repeat(Math.max(0, f.bytes - head.length - 2))}"}`;
}

/** A short printable excerpt of a frame for failure reports. */
export function describeFrame(f: FuzzFrame): string {
  if (f.kind === 'oversized') return `<${f.bytes} bytes>`;
  if (f.kind === 'binary') return `<binary ${toBase64(f.bytes).slice(0, 80)}>`;
  return f.text.length > 300 ? `${f.text.slice(0, 300)}…` : f.text;
}
