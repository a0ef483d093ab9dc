/**
 * The remote driver protocol: the Driver/Adapter contract (conformance/contract.ts) carried as
 * JSON-RPC 2.0 over one WebSocket, so an implementation in any language can be tested by
 * exposing a small socket server. This file is the single source of the method table and of the
 * zod schemas both sides validate with; REMOTE.md explains it in prose.
 *
 * Guarantees: every method's params and result have exactly one schema here; an operation's
 * refusal (`{ ok: false, code }`) is a RESULT, never a JSON-RPC error; JSON-RPC errors are
 * reserved for protocol faults (RPC_ERRORS). Serves every requirement the harness checks through
 * a remote adapter; carries no semantics of its own.
 */
import { z } from 'zod';
import { CAPABILITIES, type Capability } from '../../conformance/contract.js';
import { accountsSchema, DEVICE_IDS, opResultSchema, outcomeSchema } from '../../conformance/answerSchemas.js';
import { ACCOUNTS, COMPANION_SLOTS, type CompanionId, type DeviceId } from '../../model/events.js';

/** Bumped on any incompatible change; `linkspec.hello` reports it and the client checks it. */
export const PROTOCOL_VERSION = 2;

/** JSON-RPC 2.0 error codes used by the driver server (the spec's, plus -32000 for driver faults). */
export const RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  /** The adapter's driver threw (or rejected); `message` carries its message. */
  DRIVER_ERROR: -32000,
} as const;

// ---- vocabulary ------------------------------------------------------------------------------

const account = z.enum(ACCOUNTS);
const COMPANION_IDS = ACCOUNTS.flatMap((a) => COMPANION_SLOTS.map((s): CompanionId => `${a}.${s}`));
const companion = z.enum(COMPANION_IDS as [CompanionId, ...CompanionId[]]);
const device = z.enum(DEVICE_IDS as [DeviceId, ...DeviceId[]]);
const idCheck = z.enum(['pass', 'fail']);
const world = z.string().min(1);
const info = z.object({ name: z.string(), platform: z.string() }).strict();

const profile = z.object({
  name: z.string(),
  maxCompanions: z.number().int().nonnegative(),
  primaryDormancyMs: z.number().nonnegative(),
  companionIdleMs: z.number().nonnegative(),
  qr: z.object({ firstRefMs: z.number().nonnegative(), nextRefMs: z.number().nonnegative(), refCount: z.number().int().positive() }),
  pairingCode: z.object({
    length: z.number().int().positive(), alphabet: z.string().min(1),
    maxAttempts: z.number().int().positive(), lifetimeMs: z.number().nonnegative(),
  }),
});

const capability = z.string().refine((c) => Object.prototype.hasOwnProperty.call(CAPABILITIES, c), {
  message: 'not a capability of conformance/contract.ts',
}) as unknown as z.ZodType<Capability>;

/** Void methods answer `null`; the client ignores the value, so `{}` from a lax driver is fine too. */
const nothing = z.unknown();

// ---- the method table ------------------------------------------------------------------------

const inWorld = <T extends z.ZodRawShape>(shape: T) => z.object({ world, ...shape }).strict();

export const METHODS = {
  'linkspec.hello': {
    params: z.object({ protocolVersion: z.number().int().optional() }).strict().optional(),
    result: z.object({
      protocolVersion: z.number().int(),
      name: z.string().min(1),
      description: z.string(),
      capabilities: z.array(capability),
    }),
  },
  'world.open': { params: z.object({ profile }).strict(), result: z.object({ world }) },
  'world.close': { params: inWorld({}), result: nothing },
  'driver.register': { params: inWorld({ account, idCheck: z.boolean() }), result: opResultSchema },
  'driver.reregister': { params: inWorld({ account, proof: z.boolean() }), result: opResultSchema },
  'driver.logout': { params: inWorld({ account }), result: opResultSchema },
  'driver.setOnline': { params: inWorld({ device, online: z.boolean() }), result: opResultSchema },
  'driver.startQrLinking': { params: inWorld({ device: companion, info }), result: opResultSchema },
  /** value: the PNG, base64 (standard alphabet, padded). */
  'driver.qrImage': { params: inWorld({ device: companion }), result: outcomeSchema(z.base64()) },
  'driver.scanQr': { params: inWorld({ by: device, qrText: z.string(), idCheck }), result: opResultSchema },
  'driver.cancelLinking': { params: inWorld({ device: companion }), result: opResultSchema },
  'driver.requestPairingCode': { params: inWorld({ device: companion, info }), result: outcomeSchema(z.string()) },
  'driver.enterPairingCode': { params: inWorld({ by: device, companion, code: z.string(), idCheck }), result: opResultSchema },
  'driver.unlink': { params: inWorld({ by: device, target: device }), result: opResultSchema },
  'driver.send': { params: inWorld({ from: device, messageId: z.string() }), result: opResultSchema },
  'driver.advanceClock': { params: inWorld({ ms: z.number().nonnegative() }), result: nothing },
  'driver.restart': { params: inWorld({}), result: nothing },
  'driver.observe': { params: inWorld({}), result: accountsSchema },
  'driver.injectDevice': { params: inWorld({ account, name: z.string() }), result: nothing },
  'driver.injectedDeviceReceived': { params: inWorld({ account, name: z.string() }), result: z.number().int().nonnegative() },
  'driver.relayedPayloads': { params: inWorld({}), result: z.array(z.string()) },
  'driver.keyChangeNotices': { params: inWorld({ device }), result: z.array(account) },
  'driver.serverLie': { params: inWorld({ account, lie: z.enum(['replay-old-list', 'relist-removed', 'unbound-key']) }), result: nothing },
  'driver.addressedUnderLie': { params: inWorld({ account }), result: z.number().int().nonnegative() },
  'driver.serverTraffic': { params: inWorld({}), result: z.array(z.string()) },
  'driver.deviceList': { params: inWorld({ account }), result: z.object({ version: z.number().int().nonnegative(), devices: z.array(z.string()), verified: z.boolean() }).strict() },
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.infer<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

/** Optional driver methods and the capability that promises them (contract.ts). */
export const OPTIONAL_METHODS = {
  'driver.injectDevice': 'server-injection',
  'driver.injectedDeviceReceived': 'server-injection',
  'driver.relayedPayloads': 'traffic-inspection',
  'driver.keyChangeNotices': 'key-change-notice',
  'driver.serverLie': 'lying-server',
  'driver.addressedUnderLie': 'lying-server',
  'driver.serverTraffic': 'server-traffic',
  'driver.deviceList': 'device-list-inspection',
} as const satisfies Partial<Record<MethodName, Capability>>;

export function isMethodName(value: string): value is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, value);
}

// ---- JSON-RPC 2.0 envelopes ------------------------------------------------------------------

export type RpcId = string | number | null;

export const requestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string(),
  params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

export interface RpcError { readonly code: number; readonly message: string; readonly data?: unknown }

export function rpcResult(id: RpcId, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result: result === undefined ? null : result });
}

export function rpcError(id: RpcId, error: RpcError): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

/** zod issues in one line, for `invalid params` messages a driver author can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
}
