/**
 * `linkspec demo`: every step of the seed's story behaves on the reference (exit 0 depends on it),
 * every seed behaviour included: only the primary authorises (AUTH-01) and the code alternative (PAIR-06).
 */
import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('linkspec demo', () => {
  it('runs the story with every step behaving, each citing its requirement', async () => {
    const lines: string[] = [];
    const steps = await runDemo((l) => lines.push(l), { terminalQr: false });
    expect(steps.filter((s) => !s.ok)).toEqual([]);
    expect(new Set(steps.map((s) => s.requirement))).toEqual(new Set(['LIFE-01', 'PAIR-01', 'PAIR-02', 'HIST-01', 'NOTE-01', 'LIMIT-01', 'E2E-02', 'E2E-01', 'OFF-01', 'EXP-01', 'EXP-03', 'AUTH-01', 'PAIR-06']));
    expect(lines.every((l) => l.startsWith('PASS'))).toBe(true);
  }, 120_000);
});
