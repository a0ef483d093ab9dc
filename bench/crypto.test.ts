/**
 * The crypto bench's honesty, not its speed: every figure is produced, names its tweetnacl
 * baseline, and reports byte compatibility that it actually checked (issue 6).
 */
import { describe, expect, it } from 'vitest';
import { benchCrypto } from './crypto.js';

describe('benchCrypto', () => {
  it('yields one well-formed, byte-compatible line per figure', async () => {
    const lines = await benchCrypto({ msPerSide: 5 });
    expect(lines.map((l) => l.bench)).toEqual([
      'crypto.seal', 'crypto.open', 'crypto.sealNewPeer', 'crypto.sealFor', 'crypto.sign', 'crypto.verify',
    ]);
    for (const line of lines) {
      expect(line.baseline).toMatch(/^tweetnacl\./);
      expect(line.opsPerSec).toBeGreaterThan(0);
      expect(line.baselineOpsPerSec).toBeGreaterThan(0);
      expect(line.ratio).toBeCloseTo((line.opsPerSec as number) / (line.baselineOpsPerSec as number), 1);
      expect(line.byteCompatible).toBe(true);
      expect(JSON.parse(JSON.stringify(line))).toEqual(line);
    }
  });
});
