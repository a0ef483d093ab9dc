/**
 * The few `node:crypto` functions the reference client uses, for the browser bundle (the
 * bundler maps `node:crypto` here; reference/web/bundle.ts). Same signatures and the same bytes
 * as node's for what the client calls:
 * - createHmac('sha256', key) / createHash('sha256'): @noble/hashes (audited, synchronous - the
 *   client computes the linking HMAC synchronously; WebCrypto's HMAC is async only);
 * - pbkdf2(..., 'sha256', cb): WebCrypto PBKDF2, the browser's native implementation (PAIR-06/08);
 * - randomBytes / randomInt: the browser CSPRNG (crypto.getRandomValues), randomInt rejection-sampled;
 * - timingSafeEqual: constant-time over equal lengths, throws on unequal lengths, as node does.
 * Anything else is absent on purpose: the bundle fails to build when the client starts using it,
 * instead of failing in a page at run time.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Buffer } from 'buffer';

type Bytes = Uint8Array | string;

function bytesOf(data: Bytes): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

function checkSha256(algorithm: string): void {
  if (algorithm.toLowerCase() !== 'sha256') throw new Error(`browser crypto: only sha256 is available, not ${algorithm}`);
}

export function createHmac(algorithm: string, key: Bytes) {
  checkSha256(algorithm);
  const mac = hmac.create(sha256, bytesOf(key));
  const api = {
    update(data: Bytes) { mac.update(bytesOf(data)); return api; },
    digest() { return Buffer.from(mac.digest()); },
  };
  return api;
}

export function createHash(algorithm: string) {
  checkSha256(algorithm);
  const hash = sha256.create();
  const api = {
    update(data: Bytes) { hash.update(bytesOf(data)); return api; },
    digest() { return Buffer.from(hash.digest()); },
  };
  return api;
}

const MAX_RANDOM_CHUNK = 65_536; // getRandomValues refuses more at once

export function randomBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += MAX_RANDOM_CHUNK) crypto.getRandomValues(out.subarray(at, Math.min(n, at + MAX_RANDOM_CHUNK)));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function randomFillSync<T extends Uint8Array<ArrayBuffer>>(target: T): T {
  for (let at = 0; at < target.length; at += MAX_RANDOM_CHUNK) crypto.getRandomValues(target.subarray(at, Math.min(target.length, at + MAX_RANDOM_CHUNK)));
  return target;
}

/** An integer in [min, max) (or [0, min) with one argument), without modulo bias. */
export function randomInt(min: number, max?: number): number {
  const lo = max === undefined ? 0 : min;
  const hi = max === undefined ? min : max;
  const range = hi - lo;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || range <= 0 || range > 2 ** 32) throw new RangeError(`randomInt: bad range [${lo}, ${hi})`);
  const limit = 2 ** 32 - (2 ** 32 % range);
  const word = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(word);
    if (word[0]! < limit) return lo + (word[0]! % range);
  }
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function pbkdf2(password: Bytes, salt: Bytes, iterations: number, keylen: number, digest: string, callback: (err: Error | null, key: Buffer) => void): void {
  checkSha256(digest);
  const run = async () => {
    const key = await crypto.subtle.importKey('raw', bytesOf(password) as BufferSource, 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: bytesOf(salt) as BufferSource, iterations }, key, keylen * 8);
    return Buffer.from(bits);
  };
  run().then((key) => callback(null, key), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), Buffer.alloc(0)));
}

export default { createHmac, createHash, randomBytes, randomFillSync, randomInt, timingSafeEqual, pbkdf2 };
