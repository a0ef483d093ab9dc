/**
 * The zod schemas of an adapter's answers that more than one side validates: the harness's guard
 * (adapterGuard.ts, for in-process adapters) and the remote driver protocol
 * (adapters/remote/protocol.ts, both ends of the socket). One definition, so an answer the remote
 * protocol accepts is never one the guard calls a fault, or the other way round.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../model/errors.js';
import { ACCOUNTS, COMPANION_SLOTS, type DeviceId } from '../model/events.js';

/** Every symbolic device name the harness uses (A.primary, A.c1 … B.c6). */
export const DEVICE_IDS: readonly DeviceId[] = [
  ...ACCOUNTS.map((a): DeviceId => `${a}.primary`),
  ...ACCOUNTS.flatMap((a) => COMPANION_SLOTS.map((s): DeviceId => `${a}.${s}`)),
];
const DEVICE_ID_SET: ReadonlySet<string> = new Set(DEVICE_IDS);

export const errorCodeSchema = z.string().refine((c) => Object.prototype.hasOwnProperty.call(ERROR_CODES, c), {
  message: 'not an error code of model/errors.ts',
}) as unknown as z.ZodType<ErrorCode>;

/** An operation's answer: accepted, or refused with a code of model/errors.ts. */
export const opResultSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: errorCodeSchema }),
]);

/** An operation's answer that carries a value when accepted. */
export function outcomeSchema<T extends z.ZodType>(value: T) {
  return z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), code: errorCodeSchema })]);
}

const deviceView = z.object({
  role: z.enum(['primary', 'companion']),
  status: z.enum(['idle', 'linking', 'linked', 'signed-out']),
  signOutReason: z.enum(['unlinked', 'primary-dormant', 'idle', 'primary-reregistered', 'primary-logout']).optional(),
  online: z.boolean(),
  messages: z.array(z.string()),
  notices: z.array(z.string()),
});
const accountView = z.object({
  registered: z.boolean(),
  deviceListVersion: z.number().finite(),
  devices: z.record(z.string(), deviceView).refine((d) => Object.keys(d).every((id) => DEVICE_ID_SET.has(id)), {
    message: 'device ids are symbolic names such as A.primary or A.c1',
  }),
});

/** What `observe()` answers (model/observation.ts Observation). */
export const accountsSchema = z.object({ A: accountView, B: accountView });
