/**
 * The fuzzer, bounded for `npm test` (a few thousand frames): the reference server answers every
 * hostile frame with a stable code (or closes as documented), never crashes, and the canary
 * account keeps linking and messaging. Plus the judge itself: it must be able to fail.
 */
import { describe, expect, it } from 'vitest';
import { judge, runFuzz } from './runFuzz.js';
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

describe('the judge fails what it must', () => {
  const text = { family: 'well-typed', kind: 'text', text: '{"type":"auth","id":1}' } as const;
  it('silence, a second answer, an unknown code, INTERNAL and an undocumented close are failures', () => {
    expect(judge(text, { kind: 'silent' }).failure).toBe('unanswered');
    expect(judge(text, { kind: 'answered', answers: [] }).failure).toBe('unanswered');
    expect(judge(text, { kind: 'answered', answers: [{ type: 'error', code: 'BAD_FRAME' }, { type: 'error', code: 'BAD_FRAME' }] }).failure).toBe('answered-twice');
    expect(judge(text, { kind: 'answered', answers: [{ type: 'error', code: 'OOPS' }] }).failure).toBe('undocumented-code');
    expect(judge(text, { kind: 'answered', answers: [{ type: 'result', ok: false, code: 'INTERNAL' }] }).failure).toBe('internal');
    expect(judge(text, { kind: 'closed', code: 1009, answers: [] }).failure).toBe('unexpected-close');
  });
  it('a stable code, an unanswered ack and 1009 after a frame above the hard limit are not', () => {
    expect(judge(text, { kind: 'answered', answers: [{ type: 'result', ok: false, code: 'AUTH_FAILED' }] })).toEqual({ outcome: 'AUTH_FAILED' });
    expect(judge({ family: 'ack', kind: 'text', text: '{"type":"ack","push":1}' }, { kind: 'answered', answers: [] })).toEqual({ outcome: 'no-answer(ack)' });
    expect(judge({ family: 'hard-oversized', kind: 'oversized', bytes: 5e6 }, { kind: 'closed', code: 1009, answers: [] })).toEqual({ outcome: 'closed:1009' });
    // Above 64 KiB before authenticating as a device: 1009 too; an authenticated primary must answer FRAME_TOO_LARGE.
    expect(judge({ family: 'oversized', kind: 'oversized', bytes: 2e6 }, { kind: 'closed', code: 1009, answers: [] }, false)).toEqual({ outcome: 'closed:1009' });
    expect(judge({ family: 'oversized', kind: 'oversized', bytes: 2e6 }, { kind: 'closed', code: 1009, answers: [] }, true).failure).toBe('unexpected-close');
  });
});
