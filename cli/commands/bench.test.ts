/**
 * `linkspec bench` and `linkspec fuzz` at the command line: JSON lines on stdout, stable exit
 * codes (0 whatever the figures, 2 on a bad argument). Figures themselves are never asserted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

let out = '';
afterEach(() => { vi.restoreAllMocks(); out = ''; });
function capture(): void {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}
const lines = () => out.trim().split('\n').map((l) => JSON.parse(l) as { bench?: string; fuzz?: string; [k: string]: unknown });

describe('linkspec bench', () => {
  it('prints the machine and each figure as a JSON line with its baseline and target', async () => {
    capture();
    expect(await main(['node', 'linkspec', 'bench', '--only', 'crypto', '--quick'])).toBe(0);
    const seal = lines().find((l) => l.bench === 'crypto.seal');
    expect(lines()[0]).toMatchObject({ bench: 'machine', node: process.version });
    expect(seal).toMatchObject({ baseline: 'tweetnacl.box', byteCompatible: true, met: expect.any(Boolean) });
  }, 30_000);
  it('refuses an unknown benchmark name with exit 2', async () => {
    capture();
    expect(await main(['node', 'linkspec', 'bench', '--only', 'crypto,nope'])).toBe(2);
  });
});

describe('linkspec fuzz', () => {
  it('prints outcomes, the canary and a passing summary with the seed', async () => {
    capture();
    expect(await main(['node', 'linkspec', 'fuzz', '--frames', '300', '--seed', '5', '--workers', '3'])).toBe(0);
    const all = lines();
    expect(all.filter((l) => l.fuzz === 'outcome').length).toBeGreaterThan(3);
    expect(all.find((l) => l.fuzz === 'canary')).toMatchObject({ ok: true });
    expect(all.at(-1)).toMatchObject({ fuzz: 'summary', verdict: 'pass', seed: 5, frames: 300 });
  }, 60_000);
  it('refuses a bad frame count with exit 2', async () => {
    capture();
    expect(await main(['node', 'linkspec', 'fuzz', '--frames', 'many'])).toBe(2);
  });
});
