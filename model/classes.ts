/**
 * Conformance classes (DESIGN.md, TEAM decision 4): what an implementation may claim. A claim
 * names a class; the gate passes only when every MUST requirement of the class passed, and a
 * MUST of the class that was skipped or not exercised is not a pass (verdict `incomplete`).
 *
 * Each class is data: the requirement areas it covers (by ID prefix, so a requirement added to
 * the catalogue joins its class) and the adapter capabilities a claim needs, i.e. those the
 * class's MUST requirements need to be exercised at all (conformance/capabilities.ts
 * REQUIREMENT_NEEDS; a test keeps the two in step). Capability names are the contract's
 * (conformance/contract.ts CAPABILITIES); the model does not import the harness.
 */
import { REQUIREMENTS, type RequirementId } from './requirements.js';

export const CLASS_IDS = ['core', 'messaging', 'full'] as const;
export type ClassId = (typeof CLASS_IDS)[number];

export interface ConformanceClassSpec {
  readonly id: ClassId;
  readonly title: string;
  /** Requirement ID prefixes (PAIR, LIMIT ...); 'full' takes every requirement. */
  readonly areas: readonly string[] | 'all';
  /** Capabilities a claim of this class needs (each its name in conformance/contract.ts). */
  readonly capabilities: readonly string[];
}

const CORE_CAPABILITIES = ['qr-image', 'id-check', 'clock', 'offline', 'lifecycle', 'server-injection', 'messaging', 'key-change-notice'] as const;
const MESSAGING_CAPABILITIES = [...CORE_CAPABILITIES, 'traffic-inspection', 'history'] as const;

export const CLASSES: readonly ConformanceClassSpec[] = [
  {
    id: 'core', title: 'Linking, limits, authorization, expiry and lifecycle',
    areas: ['PAIR', 'LIMIT', 'AUTH', 'EXP', 'LIFE'], capabilities: CORE_CAPABILITIES,
  },
  {
    id: 'messaging', title: 'core, plus offline use, end-to-end messaging, history and notices',
    areas: ['PAIR', 'LIMIT', 'AUTH', 'EXP', 'LIFE', 'OFF', 'E2E', 'HIST', 'NOTE'], capabilities: MESSAGING_CAPABILITIES,
  },
  { id: 'full', title: 'every requirement of the catalogue', areas: 'all', capabilities: MESSAGING_CAPABILITIES },
];

export const DEFAULT_CLASS: ClassId = 'full';

export function isClassId(value: string): value is ClassId {
  return (CLASS_IDS as readonly string[]).includes(value);
}

export function conformanceClass(id: ClassId): ConformanceClassSpec {
  return CLASSES.find((c) => c.id === id)!;
}

/** The requirements a class covers, in catalogue order. */
export function classRequirements(id: ClassId): RequirementId[] {
  const spec = conformanceClass(id);
  return REQUIREMENTS.filter((r) => spec.areas === 'all' || spec.areas.includes(r.id.split('-')[0]!)).map((r) => r.id);
}

/** The MUST requirements of a class: the ones that decide the gate. */
export function classMusts(id: ClassId): RequirementId[] {
  const ids = new Set(classRequirements(id));
  return REQUIREMENTS.filter((r) => r.level === 'MUST' && ids.has(r.id)).map((r) => r.id);
}
