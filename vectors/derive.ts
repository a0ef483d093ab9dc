/**
 * Test vectors, derived from the reference implementation and the model with fixed inputs, so a
 * team re-implementing the protocol in another language can check its bytes without running Node
 * (format and canonical forms: vectors/README.md). `linkspec vectors --check` re-derives every
 * vector and compares it with the committed files; vectors/crosscheck.py checks the crypto ones
 * with an independent implementation (libsodium through PyNaCl, Python's hashlib).
 *
 * Guarantees:
 * - deterministic: every input byte comes from SHA-256 of a label (`inputBytes`), never from a
 *   random source, so two derivations give identical files;
 * - every vector names the requirement IDs it serves;
 * - byte strings are lowercase hex; texts are the exact strings (UTF-8 when hashed or signed).
 */
import { createHash } from 'node:crypto';
import {
  accountSignature, deviceListBytes, deviceSignature, detailsHmac, encodeDetails, signDeviceList,
  type LinkDetails, type SignedDeviceListContent,
} from '../reference/crypto/linking.js';
import { boxKeyPairFromSecret, concat, seal, signingKeyPairFromSeed, toBase64 } from '../reference/crypto/keys.js';
import { deriveCodeKey, formatPairingCode, normalisePairingCode, pairingCodeFromBytes, PAIRING_CODE_ITERATIONS } from '../reference/crypto/pairingCode.js';
import { encodeQrText, type QrContent } from '../reference/qr/qrText.js';
import { createOracle } from '../model/createOracle.js';
import { modelElements } from '../model/elements.js';
import { describeEvent } from '../model/events.js';
import { DEFAULT_PROFILE, type Profile } from '../model/profile.js';
import { coveringPaths } from '../conformance/modelPaths.js';

/** Bump when a vector's meaning changes (not when values are added). */
export const VECTORS_FORMAT_VERSION = 1;

export const VECTOR_FILES = ['crypto.json', 'model-paths.json'] as const;
export type VectorFile = (typeof VECTOR_FILES)[number];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** `n` input bytes for `label`: SHA-256("linkspec-vectors/" + label + "/" + i) blocks, concatenated. */
export function inputBytes(label: string, n: number): Uint8Array {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < n; i += 1) out.push(createHash('sha256').update(`linkspec-vectors/${label}/${i}`).digest());
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

export interface Vector {
  readonly id: string;
  readonly kind: string;
  readonly requirements: readonly string[];
  readonly description: string;
  readonly input: Record<string, unknown>;
  readonly output: Record<string, unknown>;
}

function keys(label: string) {
  const seed = inputBytes(`${label}/signing-seed`, 32);
  const boxSecret = inputBytes(`${label}/box-secret`, 32);
  return { seed, signing: signingKeyPairFromSeed(seed), boxSecret, box: boxKeyPairFromSecret(boxSecret) };
}

function keyVectors(): Vector[] {
  return ['primary-A', 'companion-A1', 'companion-A2'].flatMap((label) => {
    const k = keys(label);
    return [
      { id: `signing-key/${label}`, kind: 'signing-key-from-seed', requirements: ['PAIR-02', 'AUTH-02'], description: 'Ed25519 identity key pair from a 32-byte seed (nacl.sign.keyPair.fromSeed); the secret key is seed || public', input: { seed: hex(k.seed) }, output: { publicKey: hex(k.signing.publicKey), publicKeyBase64: toBase64(k.signing.publicKey) } },
      { id: `box-key/${label}`, kind: 'box-key-from-secret', requirements: ['E2E-01'], description: 'X25519 box key pair from a 32-byte secret (nacl.box.keyPair.fromSecretKey)', input: { secretKey: hex(k.boxSecret) }, output: { publicKey: hex(k.box.publicKey), publicKeyBase64: toBase64(k.box.publicKey) } },
    ];
  });
}

const DETAILS: readonly LinkDetails[] = [
  { rawId: 1, timestamp: 1_764_374_400_000, keyIndex: 0 },
  { rawId: 0xfffffffe, timestamp: Number.MAX_SAFE_INTEGER, keyIndex: 0xffffffff },
  { rawId: 0, timestamp: 0, keyIndex: 7 },
];

function linkingVectors(): Vector[] {
  const primary = keys('primary-A');
  const out: Vector[] = [];
  DETAILS.forEach((d, i) => {
    const companion = keys(i === 0 ? 'companion-A1' : 'companion-A2');
    const details = encodeDetails(d);
    const secret = inputBytes(`linking-secret/${i}`, 32);
    out.push({ id: `details/${i}`, kind: 'link-details', requirements: ['PAIR-02', 'PAIR-07'], description: 'The 16-byte device-identity details: rawId uint32 BE, timestamp uint64 BE (ms), keyIndex uint32 BE', input: { ...d }, output: { bytes: hex(details) } });
    out.push({ id: `details-hmac/${i}`, kind: 'details-hmac', requirements: ['PAIR-07'], description: 'HMAC-SHA256(linking secret from the QR, details bytes)', input: { linkingSecret: hex(secret), details: hex(details) }, output: { hmac: hex(detailsHmac(secret, details)) } });
    const accountMessage = concat(Uint8Array.of(0x06, 0x00), details, companion.signing.publicKey);
    out.push({ id: `account-signature/${i}`, kind: 'account-signature', requirements: ['PAIR-02', 'AUTH-01', 'AUTH-02'], description: "The primary's Account Signature: Ed25519 over 0x06 0x00 || details || companion identity public key", input: { primarySeed: hex(primary.seed), details: hex(details), companionIdentityPublic: hex(companion.signing.publicKey) }, output: { message: hex(accountMessage), signature: hex(accountSignature(primary.signing.secretKey, details, companion.signing.publicKey)) } });
    const deviceMessage = concat(Uint8Array.of(0x06, 0x01), details, companion.signing.publicKey, primary.signing.publicKey);
    out.push({ id: `device-signature/${i}`, kind: 'device-signature', requirements: ['PAIR-02', 'PAIR-07'], description: "The companion's Device Signature: Ed25519 over 0x06 0x01 || details || companion identity public key || primary identity public key", input: { companionSeed: hex(companion.seed), details: hex(details), companionIdentityPublic: hex(companion.signing.publicKey), primaryIdentityPublic: hex(primary.signing.publicKey) }, output: { message: hex(deviceMessage), signature: hex(deviceSignature(companion.signing.secretKey, details, companion.signing.publicKey, primary.signing.publicKey)) } });
  });
  return out;
}

function deviceListVectors(): Vector[] {
  const primary = keys('primary-A');
  const key = (label: string) => toBase64(keys(label).signing.publicKey);
  const lists: readonly [string, SignedDeviceListContent][] = [
    ['primary-only', { account: 'A', version: 1, devices: [{ id: 'A.primary', identityKey: key('primary-A') }] }],
    // Listed out of order: the canonical bytes sort by id, then key.
    ['two-companions-unsorted', { account: 'A', version: 3, devices: [{ id: 'A.c2', identityKey: key('companion-A2') }, { id: 'A.primary', identityKey: key('primary-A') }, { id: 'A.c1', identityKey: key('companion-A1') }] }],
    ['non-ascii-account', { account: '+49 151 ünïcödé "quoted" \\ back', version: 9_007_199_254_740_991, devices: [] }],
  ];
  return lists.map(([label, list]) => {
    const bytes = deviceListBytes(list);
    const message = concat(Uint8Array.of(0x06, 0x02), bytes);
    return {
      id: `device-list/${label}`, kind: 'device-list', requirements: ['LIFE-02', 'AUTH-02'],
      description: 'Canonical device-list bytes: compact UTF-8 JSON [account, version, [[id, identityKey], ...]] sorted by id then key (UTF-16 code units), no whitespace; signed by the primary as Ed25519 over 0x06 0x02 || bytes',
      input: { primarySeed: hex(primary.seed), list },
      output: { canonicalText: Buffer.from(bytes).toString('utf8'), canonicalBytes: hex(bytes), message: hex(message), signature: hex(signDeviceList(primary.signing.secretKey, list)) },
    };
  });
}

function envelopeVectors(): Vector[] {
  const sender = keys('primary-A');
  const recipient = keys('companion-A1');
  const plaintexts: readonly [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['text', utf8('hello from the primary 👋')],
    ['binary-300', inputBytes('envelope/binary', 300)],
  ];
  return plaintexts.map(([label, plaintext], i) => {
    const nonce = inputBytes(`envelope/nonce/${i}`, 24);
    const ciphertext = seal(plaintext, nonce, recipient.box.publicKey, sender.boxSecret);
    return {
      id: `sealed-envelope/${label}`, kind: 'sealed-envelope', requirements: ['E2E-01', 'HIST-01'],
      description: 'One envelope to one device: nacl.box (X25519, XSalsa20-Poly1305) of the plaintext; on the wire {nonce, ciphertext} in base64, ciphertext = 16-byte tag || encrypted bytes',
      input: { senderBoxSecret: hex(sender.boxSecret), recipientBoxPublic: hex(recipient.box.publicKey), recipientBoxSecret: hex(recipient.boxSecret), senderBoxPublic: hex(sender.box.publicKey), nonce: hex(nonce), plaintext: hex(plaintext) },
      output: { ciphertext: hex(ciphertext), wire: { nonce: toBase64(nonce), ciphertext: toBase64(ciphertext) } },
    };
  });
}

function qrVectors(): Vector[] {
  const companion = keys('companion-A1');
  const contents: readonly [string, QrContent][] = [
    ['with-platform', { ref: 'ref-0001', noisePublic: toBase64(companion.box.publicKey), identityPublic: toBase64(companion.signing.publicKey), advSecret: toBase64(inputBytes('qr/adv-secret', 32)), platform: 'web' }],
    ['without-platform', { ref: '2@AbC+/=xyz', noisePublic: toBase64(companion.box.publicKey), identityPublic: toBase64(companion.signing.publicKey), advSecret: toBase64(inputBytes('qr/adv-secret-2', 32)) }],
  ];
  return contents.map(([label, content]) => ({
    id: `qr-text/${label}`, kind: 'qr-text', requirements: ['PAIR-01', 'PAIR-07'],
    description: 'The text inside the linking QR code: ref,noisePublic,identityPublic,advSecret[,platform]; keys canonical padded base64 of 32 bytes; ref and platform printable ASCII without commas',
    input: { ...content }, output: { text: encodeQrText(content) },
  }));
}

async function pairingCodeVectors(profile: Profile): Promise<Vector[]> {
  const rules = profile.pairingCode;
  const out: Vector[] = [];
  for (let i = 0; i < 4; i += 1) {
    const bytes = i === 0 ? new Uint8Array(5) : i === 1 ? new Uint8Array(5).fill(0xff) : inputBytes(`pairing-code/${i}`, 5);
    const code = pairingCodeFromBytes(bytes, rules);
    out.push({ id: `pairing-code/from-bytes/${i}`, kind: 'pairing-code-from-bytes', requirements: ['PAIR-06'], description: 'A pairing code from 5 random bytes: 8 groups of 5 bits, most significant first, each an index into the alphabet; shown as XXXX-XXXX', input: { bytes: hex(bytes), alphabet: rules.alphabet, length: rules.length }, output: { code, shown: formatPairingCode(code) } });
  }
  const typed = ['abcd-efgh', ' ABCD EFGH ', 'ABCDEFGH', 'abcdefgh', 'ABCD-EFG', 'ABCD-EFGI', 'ABCD-EFGHJ', '1234-5678', 'ABCD—EFGH', ''];
  for (const [i, input] of typed.entries()) {
    out.push({ id: `pairing-code/normalise/${i}`, kind: 'pairing-code-normalise', requirements: ['PAIR-06'], description: 'What a user typed -> the code, or null: dashes and whitespace removed, lowercase accepted, exactly `length` alphabet characters', input: { typed: input, alphabet: rules.alphabet, length: rules.length }, output: { code: normalisePairingCode(input, rules) } });
  }
  for (const [i, code] of ['ABCDEFGH', normalisePairingCode('abcd-efgh', rules)!, pairingCodeFromBytes(inputBytes('pairing-code/kdf', 5), rules)].entries()) {
    const salt = inputBytes(`pairing-code/salt/${i}`, 32);
    out.push({ id: `pairing-code/kdf/${i}`, kind: 'pairing-code-kdf', requirements: ['PAIR-06', 'PAIR-08'], description: `The key both devices derive from the normalised code: PBKDF2-HMAC-SHA256(UTF-8 code, 32-byte salt, ${PAIRING_CODE_ITERATIONS} iterations) -> 32 bytes`, input: { code, salt: hex(salt), iterations: PAIRING_CODE_ITERATIONS }, output: { key: hex(await deriveCodeKey(code, salt)) } });
  }
  return out;
}

/** Model paths with the observation the model predicts after each step (the default profile). */
function modelPathVectors(profile: Profile): Vector[] {
  const elements = new Map(modelElements(profile).map((e) => [e.id, e]));
  return coveringPaths(profile).map((path) => {
    const oracle = createOracle(profile);
    // A path generated for coverage alone serves what the elements it covers serve.
    const requirements = path.requirements.length ? [...path.requirements] : [...new Set(path.covers.flatMap((id) => elements.get(id)?.requirements ?? []))].sort();
    return {
      id: `model-path/${path.id}`, kind: 'model-path', requirements,
      description: path.title,
      input: { profile: profile.name, events: path.events },
      output: { steps: path.events.map((event, i) => ({ step: i + 1, event: describeEvent(event), observation: oracle.step(event).observation })) },
    };
  });
}

export interface VectorSet {
  readonly file: VectorFile;
  readonly format: number;
  readonly generator: string;
  readonly vectors: readonly Vector[];
}

/** Every vector file's content as committed: 2-space JSON, keys in the order written here, LF, final newline. */
export async function deriveVectors(profile: Profile = DEFAULT_PROFILE): Promise<Record<VectorFile, string>> {
  const sets: VectorSet[] = [
    { file: 'crypto.json', format: VECTORS_FORMAT_VERSION, generator: 'linkspec vectors (vectors/derive.ts, reference/crypto, reference/qr)', vectors: [...keyVectors(), ...linkingVectors(), ...deviceListVectors(), ...envelopeVectors(), ...qrVectors(), ...await pairingCodeVectors(profile)] },
    { file: 'model-paths.json', format: VECTORS_FORMAT_VERSION, generator: 'linkspec vectors (vectors/derive.ts, model/ via createOracle, conformance/modelPaths)', vectors: modelPathVectors(profile) },
  ];
  return Object.fromEntries(sets.map((s) => [s.file, `${JSON.stringify(s, null, 2)}\n`])) as Record<VectorFile, string>;
}
