/**
 * A user-supplied profile file (`--profile FILE`): JSON read and checked field by field before
 * anything runs with it, so a bad value is one line naming the file, the field and the problem
 * (stable code BAD_PROFILE, exit 2) rather than a model that silently means something else.
 *
 * Every field of Profile (model/profile.ts) is required; unknown fields are refused too (a typo
 * such as `maxCompanion` must not fall back to a default). maxCompanions is 1..6 because the
 * model and the harness have six companion slots per account (c1..c6).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { COMPANION_SLOTS } from '../model/events.js';
import type { Profile } from '../model/profile.js';
import { UsageError } from './exit.js';

const positiveInt = z.number().int('must be an integer').positive('must be positive');
const durationMs = positiveInt.max(Number.MAX_SAFE_INTEGER, 'must be a safe integer number of ms');

const PROFILE_SCHEMA = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  maxCompanions: positiveInt.max(COMPANION_SLOTS.length, `must be at most ${COMPANION_SLOTS.length} (companion slots c1..c${COMPANION_SLOTS.length})`),
  primaryDormancyMs: durationMs,
  companionIdleMs: durationMs,
  qr: z.strictObject({
    firstRefMs: durationMs,
    nextRefMs: durationMs,
    refCount: positiveInt,
  }),
  pairingCode: z.strictObject({
    length: positiveInt,
    alphabet: z.string()
      .min(2, 'must have at least 2 characters')
      .refine((s) => new Set(s).size === [...s].length, 'must not repeat a character'),
    maxAttempts: positiveInt,
    lifetimeMs: durationMs,
  }),
});

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/** Reads and validates a profile file; throws UsageError('BAD_PROFILE', '<file>: <field>: <problem>'). */
export function loadProfile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError('BAD_PROFILE', `${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError('BAD_PROFILE', `${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseProfile(json, path);
}

/** Validates a profile already parsed from JSON (a file, or a report's `profile`); `where` names it in the error. */
export function parseProfile(json: unknown, where: string): Profile {
  const parsed = PROFILE_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError('BAD_PROFILE', `${where}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
