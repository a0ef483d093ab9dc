/**
 * Wire protocol v1 of the reference server: every frame as a zod schema (the single source of
 * truth; protocol.schema.json is generated from it, PROTOCOL.md explains it).
 *
 * Guarantees: the server parses every incoming text frame with `ClientFrame`; whatever does not
 * parse is answered with an `error` frame carrying a stable wire code (model/errors.ts) and the
 * connection stays usable. Requests carry `id`; the answer is a `result` frame echoing it with
 * `ok: true` (and a `value`) or `ok: false` and a stable `code`.
 *
 * Requirements: PAIR-01..07 (link.*, code.*), AUTH-01 (link.approve carries the account
 * signature), AUTH-02/LIFE-02 (signed device lists), OFF-02/E2E-* (send, deliver, ack), HIST-01
 * (history envelope), AUTH-03 (unlink), LIFE-01 (register/reregister/logout), test control (tc.*).
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const b64 = z.string().min(1).max(8192).describe('base64 (standard alphabet, padded)');
const text = z.string().min(1).max(200);
const requestId = z.union([z.string().min(1).max(64), z.number().int()]).describe('echoed in the result');

export const EnvelopeSchema = z.object({ nonce: b64, ciphertext: z.string().min(1).max(1_000_000) }).strict();

export const DeviceListEntrySchema = z.object({ id: b64, identityKey: b64 }).strict();

/** A device list as the primary signs it (crypto/linking.ts deviceListBytes): account is the phone. */
export const SignedListSchema = z.object({
  version: z.number().int().positive(),
  devices: z.array(DeviceListEntrySchema).max(64),
  signature: b64,
}).strict();

/** What a device announces about itself (register, link.bind). */
const DeviceAnnouncement = {
  identityKey: b64,
  boxKey: b64,
  /** Ed25519 signature by identityKey over `linkspec-box-v1` || boxKey. */
  boxKeySignature: b64,
  name: text,
  platform: text,
};

const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: requestId, ...shape }).strict();

// ---- client -> server ------------------------------------------------------------------------
export const RequestSchemas = {
  /** Unauthenticated: is the number registered, and its device-list version. */
  'account.info': req('account.info', { phone: text }),
  /** LIFE-03: send a one-time verification code to `phone` out of band. */
  'verify.request': req('verify.request', { phone: text }),
  /** LIFE-03: prove the number with the code it received; the connection then may register it. */
  'verify.confirm': req('verify.confirm', { phone: text, code: z.string().min(1).max(32) }),
  /**
   * Register a primary (or re-register with a new identity key: `replace`). The list is v+1 = [primary].
   * Proof of the number (LIFE-03): a `verify.confirm` on this connection, or `proof.transfer`, the
   * current primary's signature over `linkspec-transfer-v1` || phone || 0x00 || new identity key.
   */
  register: req('register', {
    phone: text, replace: z.boolean(), ...DeviceAnnouncement, list: SignedListSchema,
    proof: z.object({ transfer: b64 }).strict().optional(),
  }),
  /** Authenticate as a known device: signature over `linkspec-auth-v1` || challenge nonce. */
  auth: req('auth', { deviceId: b64, signature: b64 }),
  /** Primary: log the account out (every device signed out). */
  logout: req('logout', {}),
  /** Orderly disconnect: the server records the device offline before the socket closes. */
  disconnect: req('disconnect', {}),
  /** Authenticated: the device list and device keys of an account. */
  'devices.get': req('devices.get', { phone: text }),
  /** Primary: sign the server-asserted list of the same version (removals only). */
  'devices.sign': req('devices.sign', { list: SignedListSchema }),
  /** Companion: announce keys and bind this connection (proof: signature over `linkspec-bind-v1` || nonce). */
  'link.bind': req('link.bind', { ...DeviceAnnouncement, signature: b64 }),
  /** Companion (bound): start a QR attempt to link to the account of `phone` (PAIR-07); references are pushed as `qr.ref`. */
  'link.start': req('link.start', { phone: text }),
  /** Companion (bound): stop its QR attempt or pairing code. */
  'link.cancel': req('link.cancel', {}),
  /**
   * Companion (bound): start linking by pairing code to the account of `phone`. The code never
   * leaves the device (PAIR-08): `wrapped` is salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code), iv,
   * ephemeral X25519 public key), 80 bytes (reference/crypto/codeExchange.ts).
   */
  'code.request': req('code.request', { phone: text, wrapped: b64 }),
  /**
   * Scanning/entering device (authenticated): may this device approve a link now? With the
   * scanned QR's `ref` and `companionIdentityKey`, also whether that companion links to this
   * device's account (WRONG_ACCOUNT, PAIR-07).
   */
  'link.precheck': req('link.precheck', { ref: z.string().min(1).max(200).optional(), companionIdentityKey: b64.optional() }),
  /**
   * Primary: the pending code requests of its own number, one per linking companion: its identity
   * key, name, platform, issuedAt, expiresAt (never a code or a blob; PAIR-06).
   */
  'code.list': req('code.list', {}),
  /**
   * Primary: the user picked the request of `companion` (its identity key, from `code.list`) and
   * typed a code: that request's blob, its companion's keys and a link token (the code itself is
   * not sent).
   */
  'code.enter': req('code.enter', { companion: b64 }),
  /** Primary: its ephemeral key wrapped under the typed code (48 bytes); answered with the holder's confirmation. */
  'code.challenge': req('code.challenge', { codeToken: z.string().min(1).max(200), wrapped: b64 }),
  /** Holder companion: its confirmation for a `code.challenge` push (HMAC under the derived link key). */
  'code.response': req('code.response', { challengeId: z.string().min(1).max(64), confirm: b64 }),
  /** Primary: the confirmation did not verify (a wrong code): the attempt counts as failed. */
  'code.fail': req('code.fail', { codeToken: z.string().min(1).max(200) }),
  /** Primary: approve a link (by QR reference or by code token). */
  'link.approve': req('link.approve', {
    ref: z.string().min(1).max(200).optional(),
    codeToken: z.string().min(1).max(200).optional(),
    companionIdentityKey: b64,
    details: b64,
    detailsHmac: b64,
    accountSignature: b64,
    list: SignedListSchema,
    history: EnvelopeSchema,
  }),
  /** Companion: answer a `link.offer` push: counter-sign, or refuse with a code. */
  'link.answer': req('link.answer', {
    offerId: z.string().min(1).max(64),
    deviceSignature: b64.optional(),
    refuse: z.enum(['QR_INVALID', 'CODE_INVALID', 'BAD_SIGNATURE']).optional(),
  }),
  /** Unlink a device: the primary any companion (with a signed list without it), a companion itself. */
  unlink: req('unlink', { target: z.string().min(1).max(200), list: SignedListSchema.optional() }),
  /** Send one message: one envelope per recipient device (both accounts' devices, not the sender). */
  send: req('send', {
    toPhone: text,
    envelopes: z.array(z.object({ to: b64, envelope: EnvelopeSchema }).strict()).max(64),
  }),
  // ---- test control (only when the server runs with testControl: true) -------------------
  'tc.reset': req('tc.reset', { profile: z.record(z.string(), z.unknown()).optional() }),
  'tc.advance': req('tc.advance', { ms: z.number().int().nonnegative() }),
  'tc.inspect': req('tc.inspect', {}),
  /** `waitMs`: answer once quiet or after that much real time (a long poll); `view`: add `tc.inspect`'s view. */
  'tc.quiescent': req('tc.quiescent', { waitMs: z.number().int().nonnegative().max(60_000).optional(), view: z.boolean().optional() }),
  'tc.inject': req('tc.inject', { phone: text, name: text }),
  'tc.injectedReceived': req('tc.injectedReceived', { deviceId: b64 }),
  'tc.payloads': req('tc.payloads', {}),
  /** A lying server (lyingServer.ts): from now on devices.get for `phone` lies this way. */
  'tc.lie': req('tc.lie', { phone: text, kind: z.enum(['replay-old-list', 'relist-removed', 'unbound-key']) }),
  'tc.lieAddressed': req('tc.lieAddressed', { phone: text }),
  /** Every text frame the server received since the world began (oldest first, bounded), for PAIR-08 / LIFE-03 traffic checks. */
  'tc.traffic': req('tc.traffic', {}),
  /** The verification code last sent out of band to `phone` (LIFE-03), or null. */
  'tc.verificationCode': req('tc.verificationCode', { phone: text }),
} as const;

export type RequestType = keyof typeof RequestSchemas;
export type Request<T extends RequestType = RequestType> = z.infer<(typeof RequestSchemas)[T]>;

/** Acks carry no id and get no answer: `seq` for a delivery, `push` for a control push. */
export const AckSchema = z.object({
  type: z.literal('ack'),
  seq: z.number().int().positive().optional(),
  push: z.number().int().positive().optional(),
}).strict();

const clientFrames = [...Object.values(RequestSchemas), AckSchema] as unknown as [typeof AckSchema, ...(typeof AckSchema)[]];
/** Any frame a client may send (for the JSON Schema; the server validates per type). */
export const ClientFrame = z.discriminatedUnion('type', clientFrames);

export const TEST_CONTROL_TYPES: ReadonlySet<string> = new Set(Object.keys(RequestSchemas).filter((t) => t.startsWith('tc.')));
export const KNOWN_TYPES: ReadonlySet<string> = new Set([...Object.keys(RequestSchemas), 'ack']);

// ---- server -> client ------------------------------------------------------------------------
const code = z.string().describe('a stable code from model/errors.ts');

export const ServerFrameSchemas = {
  /** First frame on every connection: the nonce that `auth` and `link.bind` sign. */
  challenge: z.object({ type: z.literal('challenge'), nonce: b64, protocol: z.literal(PROTOCOL_VERSION) }),
  result: z.union([
    z.object({ type: z.literal('result'), id: requestId, ok: z.literal(true), value: z.unknown().optional() }),
    z.object({ type: z.literal('result'), id: requestId, ok: z.literal(false), code, message: z.string().optional() }),
  ]),
  /** A frame that could not be handled as a request (malformed, unknown type, too large). */
  error: z.object({ type: z.literal('error'), id: requestId.nullable(), code, message: z.string() }),
  /** A queued delivery (message, history, notice); ack with `{type:'ack', seq}`. */
  deliver: z.object({
    type: z.literal('deliver'), seq: z.number().int().positive(),
    kind: z.enum(['message', 'history', 'notice']), from: z.string(), fromPhone: z.string(), payload: z.string(),
    /** The sender's keys and ADV signatures, which the recipient verifies itself (never trusted as given). */
    sender: z.object({
      id: z.string(), role: z.enum(['primary', 'companion']), identityKey: b64, boxKey: b64, boxKeySignature: b64,
      name: z.string(), platform: z.string(),
      /** `primaryIdentityKey`: the primary that signed the link (a message queued before the number moved still verifies, LIFE-03). */
      link: z.object({ details: b64, accountSignature: b64, deviceSignature: b64, primaryIdentityKey: b64.optional() }).nullable(),
    }).nullable(),
  }),
  // Control pushes: each carries `push`, acked with `{type:'ack', push}`.
  'qr.ref': z.object({ type: z.literal('qr.ref'), push: z.number().int(), ref: z.string(), index: z.number().int(), untilMs: z.number() }),
  'qr.ended': z.object({ type: z.literal('qr.ended'), push: z.number().int(), reason: z.enum(['expired', 'cancelled', 'linked']) }),
  'code.challenge': z.object({ type: z.literal('code.challenge'), push: z.number().int(), challengeId: z.string(), wrapped: b64 }),
  'code.ended': z.object({ type: z.literal('code.ended'), push: z.number().int(), reason: z.enum(['expired', 'exhausted', 'cancelled', 'used']) }),
  'link.offer': z.object({
    type: z.literal('link.offer'), push: z.number().int(), offerId: z.string(), phone: z.string(),
    primaryIdentityKey: b64, details: b64, detailsHmac: b64, accountSignature: b64, via: z.enum(['qr', 'code']),
  }),
  linked: z.object({ type: z.literal('linked'), push: z.number().int(), deviceId: b64, phone: z.string() }),
  signed_out: z.object({
    type: z.literal('signed_out'), push: z.number().int(),
    reason: z.enum(['unlinked', 'primary-dormant', 'idle', 'primary-reregistered', 'primary-logout']),
  }),
} as const;

export const ServerFrame = z.union(Object.values(ServerFrameSchemas));
export type ServerFrameT = z.infer<typeof ServerFrame>;
