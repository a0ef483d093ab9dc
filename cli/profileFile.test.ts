import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGNAL_LIKE_PROFILE } from '../model/profile.js';
import { UsageError } from './exit.js';
import { loadProfile } from './profileFile.js';

const dir = mkdtempSync(join(tmpdir(), 'linkspec-profile-'));
const write = (name: string, content: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const refusal = (file: string): UsageError => {
  try {
    loadProfile(file);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
};

describe('loadProfile', () => {
  it('loads the example profiles/signal-like.json equal to SIGNAL_LIKE_PROFILE', () => {
    expect(loadProfile(new URL('../profiles/signal-like.json', import.meta.url).pathname)).toEqual(SIGNAL_LIKE_PROFILE);
  });

  it('refuses an unreadable file and invalid JSON with BAD_PROFILE', () => {
    const missing = refusal(join(dir, 'absent.json'));
    expect(missing.code).toBe('BAD_PROFILE');
    expect(missing.message).toMatch(/absent\.json: cannot read/);
    const broken = refusal(write('broken.json', '{ "name": '));
    expect(broken.code).toBe('BAD_PROFILE');
    expect(broken.message).toMatch(/broken\.json: not valid JSON/);
  });

  const cases: Array<[string, (p: any) => void, RegExp]> = [
    ['maxCompanions 0', (p) => { p.maxCompanions = 0; }, /: maxCompanions: /],
    ['maxCompanions 7 (only six slots)', (p) => { p.maxCompanions = 7; }, /: maxCompanions: must be at most 6/],
    ['a fractional duration', (p) => { p.primaryDormancyMs = 1.5; }, /: primaryDormancyMs: must be an integer/],
    ['a negative idle window', (p) => { p.companionIdleMs = -1; }, /: companionIdleMs: must be positive/],
    ['a duration given as a string', (p) => { p.companionIdleMs = '30d'; }, /: companionIdleMs: /],
    ['qr.refCount 0', (p) => { p.qr.refCount = 0; }, /: qr\.refCount: must be positive/],
    ['a missing qr.nextRefMs', (p) => { delete p.qr.nextRefMs; }, /: qr\.nextRefMs: /],
    ['a one-character alphabet', (p) => { p.pairingCode.alphabet = 'A'; }, /: pairingCode\.alphabet: must have at least 2/],
    ['a repeated alphabet character', (p) => { p.pairingCode.alphabet = 'ABCA'; }, /: pairingCode\.alphabet: must not repeat/],
    ['pairingCode.maxAttempts 0', (p) => { p.pairingCode.maxAttempts = 0; }, /: pairingCode\.maxAttempts: /],
    ['an empty name', (p) => { p.name = ''; }, /: name: must not be empty/],
    ['an unknown (misspelt) field', (p) => { p.maxCompanion = 4; }, /: \(top level\): /],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      const profile = structuredClone(SIGNAL_LIKE_PROFILE) as any;
      change(profile);
      const error = refusal(write(`${what.replace(/\W+/g, '-')}.json`, profile));
      expect(error.code).toBe('BAD_PROFILE');
      expect(error.message).toMatch(message);
      expect(error.message.split('\n')).toHaveLength(1);
    });
  }
});
