/**
 * Crypto throughput of the reference (reference/crypto) against plain tweetnacl, IN THE SAME RUN
 * (issue 6; E2E-01, AUTH-02). Run: `npx tsx bench/crypto.ts` - one JSON line per figure:
 *   {"bench":"crypto.seal","opsPerSec":N,"baseline":"tweetnacl.box","baselineOpsPerSec":M,"ratio":N/M,...}
 *
 * Figures (256-byte messages, one device talking to one peer unless named otherwise):
 * - crypto.seal / crypto.open: keys.seal/open vs nacl.box/nacl.box.open (steady state: the
 *   per-peer box key is cached, as a device talking to few peers sees it).
 * - crypto.sealNewPeer: seal to a different peer every time (cache always missed: native X25519
 *   + HSalsa20 per call) vs nacl.box, which always pays the full scalar multiplication.
 * - crypto.sealFor: the envelope (fresh random nonce + base64) vs nacl.box + nacl.randomBytes
 *   + base64.
 * - crypto.sign / crypto.verify: keys.sign/verify vs nacl.sign.detached(.verify).
 * Before timing, every figure checks once that our output is byte-identical to tweetnacl's
 * (`byteCompatible` in the line); a mismatch is reported, never hidden. Bounded by time: about
 * `msPerSide` (default 500 ms) per side per figure.
 */
import { pathToFileURL } from 'node:url';
import nacl from 'tweetnacl';
import { openFrom, sealFor } from '../reference/crypto/envelope.js';
import { fromBase64, generateDeviceKeys, open, randomBytes, seal, sign, toBase64, verify } from '../reference/crypto/keys.js';
import { opsPerSecond, type BenchLine, type ThroughputLine } from './line.js';

const MESSAGE_BYTES = 256;
const NEW_PEERS = 5000; // above the box-key cache size (4096), so every seal is a miss

function equal(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && Buffer.from(a).equals(Buffer.from(b));
}

function figure(bench: string, ours: () => unknown, baseline: string, theirs: () => unknown, ms: number, byteCompatible: boolean): ThroughputLine {
  const opsPerSec = opsPerSecond(ours, ms);
  const baselineOpsPerSec = opsPerSecond(theirs, ms);
  return {
    bench, opsPerSec, baseline, baselineOpsPerSec,
    ratio: Math.round((opsPerSec / baselineOpsPerSec) * 100) / 100,
    byteCompatible, messageBytes: MESSAGE_BYTES,
  };
}

export async function benchCrypto(options: { msPerSide?: number } = {}): Promise<BenchLine[]> {
  const ms = options.msPerSide ?? 500;
  const alice = generateDeviceKeys();
  const bob = generateDeviceKeys();
  const message = randomBytes(MESSAGE_BYTES);
  const nonce = randomBytes(24);
  const lines: BenchLine[] = [];

  const boxed = nacl.box(message, nonce, bob.box.publicKey, alice.box.secretKey);
  lines.push(figure('crypto.seal',
    () => seal(message, nonce, bob.box.publicKey, alice.box.secretKey), 'tweetnacl.box',
    () => nacl.box(message, nonce, bob.box.publicKey, alice.box.secretKey), ms,
    equal(seal(message, nonce, bob.box.publicKey, alice.box.secretKey), boxed)));

  lines.push(figure('crypto.open',
    () => open(boxed, nonce, alice.box.publicKey, bob.box.secretKey), 'tweetnacl.box.open',
    () => nacl.box.open(boxed, nonce, alice.box.publicKey, bob.box.secretKey), ms,
    equal(open(boxed, nonce, alice.box.publicKey, bob.box.secretKey), message)));

  const peers = Array.from({ length: NEW_PEERS }, () => generateDeviceKeys().box.publicKey);
  let next = 0;
  const nextPeer = () => peers[next++ % NEW_PEERS];
  lines.push(figure('crypto.sealNewPeer',
    () => seal(message, nonce, nextPeer(), alice.box.secretKey), 'tweetnacl.box',
    () => nacl.box(message, nonce, nextPeer(), alice.box.secretKey), ms,
    equal(seal(message, nonce, peers[1], alice.box.secretKey), nacl.box(message, nonce, peers[1], alice.box.secretKey))));

  const envelope = sealFor(message, bob.box.publicKey, alice.box.secretKey);
  lines.push(figure('crypto.sealFor',
    () => sealFor(message, bob.box.publicKey, alice.box.secretKey), 'tweetnacl.box+randomBytes+base64',
    () => {
      const n = nacl.randomBytes(24);
      return { nonce: toBase64(n), ciphertext: toBase64(nacl.box(message, n, bob.box.publicKey, alice.box.secretKey)) };
    }, ms,
    equal(nacl.box.open(fromBase64(envelope.ciphertext), fromBase64(envelope.nonce), alice.box.publicKey, bob.box.secretKey), message)
      && equal(openFrom(envelope, alice.box.publicKey, bob.box.secretKey), message)));

  const signature = nacl.sign.detached(message, alice.signing.secretKey);
  lines.push(figure('crypto.sign',
    () => sign(message, alice.signing.secretKey), 'tweetnacl.sign.detached',
    () => nacl.sign.detached(message, alice.signing.secretKey), ms,
    equal(sign(message, alice.signing.secretKey), signature)));

  lines.push(figure('crypto.verify',
    () => verify(message, signature, alice.signing.publicKey), 'tweetnacl.sign.detached.verify',
    () => nacl.sign.detached.verify(message, signature, alice.signing.publicKey), ms,
    verify(message, signature, alice.signing.publicKey) && nacl.sign.detached.verify(message, sign(message, alice.signing.secretKey), alice.signing.publicKey)));

  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchCrypto()) process.stdout.write(`${JSON.stringify(line)}\n`);
}
