/**
 * `linkspec vectors [--dir DIR] [--check]`: writes the test vectors (vectors/derive.ts) into DIR
 * (default vectors/), or with --check re-derives them and compares with the files there, vector by
 * vector. Exit: 0 written / every vector matches; 1 a vector differs, is missing or is extra (each
 * named with the field that differs: an implementation change moved the bytes); 2 a file that
 * cannot be read or is not a vector file (BAD_VECTORS).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { RegisterCommand } from '../main.js';
import { EXIT, UsageError } from '../exit.js';
import { deriveVectors, VECTOR_FILES, type Vector, type VectorFile } from '../../vectors/derive.js';

export const DEFAULT_VECTORS_DIR = 'vectors';

function readSet(dir: string, file: VectorFile): Map<string, Vector> {
  const path = join(dir, file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError('BAD_VECTORS', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (write it with linkspec vectors)' : (error as Error).message}`);
  }
  const vectors = (json as { vectors?: unknown }).vectors;
  if (!Array.isArray(vectors) || !vectors.every((v) => typeof v === 'object' && v !== null && typeof (v as Vector).id === 'string')) {
    throw new UsageError('BAD_VECTORS', `${path}: not a vector file (expected { "vectors": [ { "id": ... } ] })`);
  }
  return new Map((vectors as Vector[]).map((v) => [v.id, v]));
}

/** The first differing field of two JSON values, as a path. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path || '(value)';
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, path ? `${path}.${key}` : key);
  }
  return path || '(value)';
}

/** Each difference between the committed vectors in `dir` and a fresh derivation, in words. */
export async function checkVectors(dir: string, derived?: Record<VectorFile, string>): Promise<{ checked: number; problems: string[] }> {
  const fresh = derived ?? await deriveVectors();
  const problems: string[] = [];
  let checked = 0;
  for (const file of VECTOR_FILES) {
    const committed = readSet(dir, file);
    const current = new Map((JSON.parse(fresh[file]) as { vectors: Vector[] }).vectors.map((v) => [v.id, v]));
    for (const [id, vector] of current) {
      const old = committed.get(id);
      checked += 1;
      if (!old) problems.push(`${file} ${id}: missing from the committed file`);
      else if (!isDeepStrictEqual(old, vector)) problems.push(`${file} ${id}: differs at ${firstDifference(old, vector)}`);
    }
    for (const id of committed.keys()) if (!current.has(id)) problems.push(`${file} ${id}: committed but no longer derived`);
  }
  return { checked, problems };
}

export const registerVectors: RegisterCommand = (program, setExit) => {
  program
    .command('vectors')
    .description('Write the test vectors (crypto bytes, pairing codes, QR texts, model paths), or --check them against a fresh derivation.')
    .option('--dir <dir>', 'the vectors folder', DEFAULT_VECTORS_DIR)
    .option('--check', 're-derive every vector and compare with the files in --dir (exit 1 on any difference)')
    .addHelpText('after', '\nFormat and canonical forms: vectors/README.md. Independent cross-check: /usr/bin/python3 vectors/crosscheck.py vectors (PyNaCl/libsodium).')
    .action(async (args: { dir: string; check?: boolean }) => {
      if (args.check) {
        const { checked, problems } = await checkVectors(args.dir);
        for (const p of problems) process.stdout.write(`DIFFERS ${p}\n`);
        process.stdout.write(`linkspec vectors --check: ${checked} vectors, ${problems.length} differ\n`);
        setExit(problems.length ? EXIT.FAILED : EXIT.OK);
        return;
      }
      const files = await deriveVectors();
      mkdirSync(args.dir, { recursive: true });
      for (const file of VECTOR_FILES) writeFileSync(join(args.dir, file), files[file]);
      process.stdout.write(`wrote ${VECTOR_FILES.map((f) => join(args.dir, f)).join(', ')}\n`);
    });
};
