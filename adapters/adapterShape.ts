/**
 * The shape check for adapters that come from outside: a user's module, or a factory's result.
 * TypeScript cannot vouch for a dynamically imported value, so this does, once, at load time,
 * and names every problem at once so a team fixes its module in one go.
 *
 * Guarantees: a value that passes has a non-empty name, a description, a Set of capabilities all
 * listed in conformance/contract.ts, an `open` function and, if present, a `dispose` function.
 */
import { CAPABILITIES, type Adapter } from '../conformance/contract.js';

/** The problems with `value` as an Adapter; empty when it is one. */
export function adapterProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`expected an object, got ${describe(value)}`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v.name !== 'string' || v.name.length === 0) problems.push('`name` must be a non-empty string');
  if (typeof v.description !== 'string') problems.push('`description` must be a string');
  if (!(v.capabilities instanceof Set)) {
    problems.push('`capabilities` must be a Set of capability names');
  } else {
    const unknown = [...v.capabilities].filter((c) => typeof c !== 'string' || !Object.prototype.hasOwnProperty.call(CAPABILITIES, c));
    if (unknown.length > 0) {
      problems.push(`unknown capabilities ${unknown.map((c) => JSON.stringify(c)).join(', ')} (known: ${Object.keys(CAPABILITIES).join(', ')})`);
    }
  }
  if (typeof v.open !== 'function') problems.push('`open(profile)` must be a function');
  if (v.dispose !== undefined && typeof v.dispose !== 'function') problems.push('`dispose`, when present, must be a function');
  return problems;
}

export function isAdapter(value: unknown): value is Adapter {
  return adapterProblems(value).length === 0;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  return typeof value;
}
