/**
 * The requirement catalogue and the error-code table agree with each other and with the shared
 * decisions: every ID listed once and described once, every code citing catalogue IDs, and the
 * entries added for LIFE-03 and PAIR-08 with their levels and the state model's reach.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { isRequirementId, requirement, REQUIREMENT_IDS, REQUIREMENTS } from '../requirements.js';

describe('requirement catalogue', () => {
  it('lists every ID exactly once, in the order of REQUIREMENT_IDS', () => {
    expect(REQUIREMENTS.map((r) => r.id)).toEqual([...REQUIREMENT_IDS]);
    expect(new Set(REQUIREMENT_IDS).size).toBe(REQUIREMENT_IDS.length);
    expect(REQUIREMENT_IDS).toHaveLength(27);
  });

  it('LIFE-03 is a MUST whose key-change half lies outside the state model', () => {
    const r = requirement('LIFE-03');
    expect(r.level).toBe('MUST');
    expect(r.area).toBe('lifecycle');
    expect(r.text).toMatch(/proof of owning it/);
    expect(r.text).toMatch(/changed primary key/);
    expect(r.outsideStateModel).toMatch(/key-change-notice/);
  });

  it('PAIR-08 is a SHOULD about server-visible traffic, outside the state model', () => {
    const r = requirement('PAIR-08');
    expect(r.level).toBe('SHOULD');
    expect(r.area).toBe('pairing');
    expect(r.text).toMatch(/131,072 iterations/);
    expect(r.outsideStateModel).toBeDefined();
  });

  it('every error code cites only catalogue IDs; the new codes cite theirs', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      for (const id of info.requirements) expect(isRequirementId(id), `${code} cites ${id}`).toBe(true);
    }
    const cites = (code: ErrorCode) => [...ERROR_CODES[code].requirements];
    expect(cites('NUMBER_NOT_VERIFIED')).toEqual(['LIFE-03']);
    expect(ERROR_CODES.NUMBER_NOT_VERIFIED.kind).toBe('operation');
    expect(cites('WRONG_ACCOUNT')).toEqual(['PAIR-07']);
    expect(ERROR_CODES.WRONG_ACCOUNT.kind).toBe('operation');
    // Reference-only codes: the model never predicts them.
    for (const code of ['QUEUE_FULL', 'STORAGE_FULL', 'STORAGE_CORRUPT'] as const) expect(ERROR_CODES[code].kind).toBe('wire');
  });
});
