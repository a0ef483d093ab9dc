/**
 * The committed vectors are exactly what the reference and the model derive today
 * (`linkspec vectors --check`), a changed byte is caught by name, and an implementation that is
 * not this project's - libsodium through Debian's python3-nacl, Python's hashlib - agrees with
 * every crypto vector (vectors/crosscheck.py). Without python3-nacl: fails in CI, skipped
 * elsewhere with one line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkVectors } from '../cli/commands/vectors.js';
import { deriveVectors, inputBytes, type VectorFile } from './derive.js';

const DIR = new URL('.', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3';
const hasNacl = spawnSync(PYTHON, ['-c', 'import nacl'], { stdio: 'ignore' }).status === 0;
if (!hasNacl && !process.env.CI) process.stdout.write('vectors/vectors.test.ts: independent cross-check skipped: enable with `apt-get install -y python3-nacl`\n');

let fresh: Record<VectorFile, string>;
beforeAll(async () => { fresh = await deriveVectors(); }, 120_000);

function tamperedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkspec-vectors-'));
  cpSync(DIR, dir, { recursive: true });
  const file = join(dir, 'crypto.json');
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text) as { vectors: { id: string; output: Record<string, string> }[] };
  const v = json.vectors.find((x) => x.id === 'account-signature/0')!;
  const sig = v.output.signature;
  v.output.signature = `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}`;
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return dir;
}

describe('vectors', () => {
  it('the committed files are what a fresh derivation gives (else: run `linkspec vectors` and commit)', async () => {
    const { checked, problems } = await checkVectors(DIR, fresh);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    expect(readFileSync(join(DIR, 'crypto.json'), 'utf8')).toBe(fresh['crypto.json']);
  });

  it('a changed byte is named, vector and field', async () => {
    const { problems } = await checkVectors(tamperedCopy(), fresh);
    expect(problems).toEqual(['crypto.json account-signature/0: differs at output.signature']);
  });

  it('every vector cites requirements; inputs are reproducible from their labels', () => {
    const all = Object.values(fresh).flatMap((t) => (JSON.parse(t) as { vectors: { id: string; requirements: string[] }[] }).vectors);
    expect(all.filter((v) => v.requirements.length === 0).map((v) => v.id)).toEqual([]);
    expect(new Set(all.map((v) => v.id)).size).toBe(all.length);
    expect(Buffer.from(inputBytes('x', 40)).toString('hex')).toBe(Buffer.from(inputBytes('x', 40)).toString('hex'));
  });

  it.skipIf(!hasNacl && !process.env.CI)('libsodium (PyNaCl) and Python hashlib agree with every crypto vector, and catch a changed byte', () => {
    expect(hasNacl, 'python3-nacl missing in CI: .ci/run installs it').toBe(true);
    const out = execFileSync(PYTHON, [join(DIR, 'crosscheck.py'), DIR], { encoding: 'utf8' });
    const count = JSON.parse(fresh['crypto.json']).vectors.length as number;
    expect(out.trim().split('\n').at(-1)).toBe(`${count} passed, 0 failed`);
    const bad = spawnSync(PYTHON, [join(DIR, 'crosscheck.py'), tamperedCopy()], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('FAIL account-signature/0');
    expect(bad.stdout.trim().split('\n').at(-1)).toBe(`${count - 1} passed, 1 failed`);
  });
});
