/**
 * The fuzzer, bounded for `npm test` (a few thousand frames): the reference server answers every
 * hostile frame with a stable code (or closes as documented), never crashes, and the canary
 * account keeps linking and messaging. Plus the judge itself: it must be able to fail.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './runFuzz.js';
import { fuzzFrameArb, type FuzzPool } from './frames.js';
import fc from 'fast-check';

describe('fuzzing the reference server', () => {
  it('answers 3,000 hostile frames with stable codes; the canary is unaffected', async () => {
    const report = await runFuzz({ frames: 3_000, seed: 20261125, workers: 6, floodFrames: 2_500 });
    expect(report.failures, `seed ${report.seed}`).toEqual([]);
    expect(report.canary).toMatchObject({ ok: true });
    expect(report.frames).toBe(3_000);
    expect(report.flood.rateLimited).toBeGreaterThan(0);
    expect(report.flood.otherConnectionServed).toBe(true);
    // The frames reached the handlers, not only the parser.
    for (const code of ['BAD_FRAME', 'UNKNOWN_TYPE', 'OUT_OF_ORDER', 'AUTH_FAILED', 'FRAME_TOO_LARGE']) expect(report.outcomes[code] ?? 0).toBeGreaterThan(0);
    expect(report.verdict).toBe('pass');
  }, 60_000);

  it('generates every family of frames from a seed', () => {
    const pool: FuzzPool = {
      canaryPhones: ['+1'], canaryDeviceIds: ['AAAA'], ownPhone: '+2', ownDeviceId: 'BBBB',
      ownSigningSecret: new Uint8Array(64), replayedSignature: 'CCCC',
    };
    const families = new Set(fc.sample(fuzzFrameArb(pool), { seed: 1, numRuns: 2_000 }).map((f) => f.family));
    expect([...families].sort()).toEqual(['ack', 'broken-json', 'bytes', 'forged-signature', 'json-not-frame', 'other-device', 'oversized', 'replayed-signature', 'text', 'unknown-type', 'well-typed', 'wrong-types']);
  });
});
