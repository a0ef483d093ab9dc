/**
 * The requirement catalogue: the spec's stable IDs. Reports, checks, model elements and error
 * codes cite these. MUST comes from the seed article; SHOULD is how the deployed system behaves
 * (public sources, see shared DESIGN.md) and its failure is a non-strict verdict, not a failure.
 */

export type RequirementLevel = 'MUST' | 'SHOULD';

export type RequirementArea = 'pairing' | 'limit' | 'authorization' | 'offline' | 'expiry' | 'e2e' | 'history' | 'lifecycle' | 'notice';

export interface Requirement {
  readonly id: RequirementId;
  readonly level: RequirementLevel;
  readonly area: RequirementArea;
  readonly text: string;
  /** The seed sentence the requirement comes from, where there is one. */
  readonly seed?: string;
  /**
   * Set when the requirement is about cryptography or transport rather than state: the state
   * model cannot express it, and targeted checks in the harness cover it instead.
   */
  readonly outsideStateModel?: string;
}

export const REQUIREMENT_IDS = [
  'PAIR-01', 'PAIR-02', 'PAIR-03', 'PAIR-04', 'PAIR-05', 'PAIR-06', 'PAIR-07', 'PAIR-08',
  'LIMIT-01', 'LIMIT-02',
  'AUTH-01', 'AUTH-02', 'AUTH-03',
  'OFF-01', 'OFF-02',
  'EXP-01', 'EXP-02', 'EXP-03', 'EXP-04',
  'E2E-01', 'E2E-02', 'E2E-03',
  'HIST-01',
  'LIFE-01', 'LIFE-02', 'LIFE-03',
  'NOTE-01',
] as const;

export type RequirementId = (typeof REQUIREMENT_IDS)[number];

const SEED_QR = 'The QR code contains unique identifying information that allows WhatsApp to verify that both devices belong to you and that you initiated the pairing, without making you type in long, convoluted passcodes.';
const SEED_PRIMARY_ONLY = "Up to four additional smartphones can be linked to the user's WhatsApp account, and only the primary phone can be used to authorise other devices.";
const SEED_DORMANT = 'The company has also stated that if the primary phone on which an account is signed in is dormant for a while, all companion devices will automatically be signed out. This time window is currently 14 days for WhatsApp Web.';
const SEED_INDEPENDENT = 'Although companion devices are dependent on the primary one to sign in, their connections to WhatsApp servers are independent, so users can still get to their important information and conversations if they lose access to the primary device.';
const SEED_THREADS = 'users will be able to seamlessly continue message threads and access all their photos and other media from multiple devices without compromising security or privacy.';

export const REQUIREMENTS: readonly Requirement[] = [
  { id: 'PAIR-01', level: 'MUST', area: 'pairing', seed: SEED_QR,
    text: "A companion starts linking by showing a QR code that carries a server-issued one-time reference, the companion's identity public key and a fresh linking secret, so the primary can verify the device and that this user started the pairing." },
  { id: 'PAIR-02', level: 'MUST', area: 'pairing', seed: "Your primary phone's camera will be activated, use it to capture the QR code displayed on the secondary device.",
    text: "The primary scans the QR code (decoded from the image, as a camera would) and approves; the companion becomes a device of that account, carrying the primary's account signature over its key and its own device signature back." },
  { id: 'PAIR-03', level: 'MUST', area: 'pairing', seed: SEED_QR,
    text: 'A QR reference is single-use: once used or cancelled, scanning it again links nothing.' },
  { id: 'PAIR-04', level: 'SHOULD', area: 'pairing',
    text: 'QR references expire and rotate (profile: first 60 s, then 20 s each, 6 references, then the attempt ends); an expired reference links nothing.' },
  { id: 'PAIR-05', level: 'MUST', area: 'pairing', seed: 'Follow the instructions on screen to verify your identity if any ID check is set up.',
    text: 'Where an ID check (PIN, biometric) is set up on the primary, linking happens only after it passes; a failed check links nothing.' },
  { id: 'PAIR-06', level: 'SHOULD', area: 'pairing', seed: 'the company also says it is working on an OTP-based authentication system as an alternative.',
    text: "Pairing-code alternative: each linking companion asks for its own one-time code for a phone number (8 characters from `123456789ABCDEFGHJKLMNPQRSTVWXYZ`); the account's primary picks that companion's request (shown with its name and platform) and enters the code, which links that companion; a wrong code links nothing, attempts are limited per code, each code expires; a request by anyone else for the same number neither cancels nor replaces it." },
  { id: 'PAIR-07', level: 'MUST', area: 'pairing', seed: SEED_QR,
    text: 'Linking binds exactly the companion that showed the code to exactly the account whose primary approved it; a tampered code (altered key, reference or secret) links nothing.' },
  { id: 'PAIR-08', level: 'SHOULD', area: 'pairing', seed: 'the company also says it is working on an OTP-based authentication system as an alternative.',
    text: 'The server never learns the pairing code: the two devices derive a key from it (PBKDF2-SHA256, 131,072 iterations) and the server relays only opaque blobs; the code, in any normalisation, never appears in server-visible traffic.',
    outsideStateModel: 'About what the server sees on the wire: covered by a targeted check that inspects every frame the server received during code linking (capability server-traffic), not by the state model.' },
  { id: 'LIMIT-01', level: 'MUST', area: 'limit', seed: SEED_PRIMARY_ONLY,
    text: 'At most 4 companions are linked at once (5 devices with the primary). A fifth link fails with a clear error and changes nothing.' },
  { id: 'LIMIT-02', level: 'MUST', area: 'limit', seed: SEED_PRIMARY_ONLY,
    text: 'Unlinking or signing out a companion frees its slot.' },
  { id: 'AUTH-01', level: 'MUST', area: 'authorization', seed: SEED_PRIMARY_ONLY,
    text: 'Only the primary can authorize a new device; an approval from a companion or any other party is rejected and links nothing.' },
  { id: 'AUTH-02', level: 'MUST', area: 'authorization', seed: 'without compromising security or privacy.',
    text: 'A device is trusted only through the primary\'s signature: other clients encrypt nothing to a device the primary did not sign (for example one injected by the server).',
    outsideStateModel: 'About signatures checked by clients against a malicious server: covered by a targeted security check (server-injected device), not by the state model.' },
  { id: 'AUTH-03', level: 'MUST', area: 'authorization', seed: SEED_PRIMARY_ONLY,
    text: 'The primary can unlink any companion; a companion can unlink only itself; nobody unlinks the primary.' },
  { id: 'OFF-01', level: 'MUST', area: 'offline', seed: "The primary phone doesn't even need to be turned on or have an active data connection for you to use your account through any linked device.",
    text: 'Each companion has its own server connection: with the primary offline, companions still send, receive and read their history.' },
  { id: 'OFF-02', level: 'MUST', area: 'offline', seed: SEED_INDEPENDENT,
    text: 'A device that was offline receives on reconnect every message sent to it meanwhile, once each, in order per conversation.' },
  { id: 'EXP-01', level: 'MUST', area: 'expiry', seed: SEED_DORMANT,
    text: 'After 14 days of primary dormancy (no connection to the server) every companion is signed out. Still linked at 14 d − 1 ms; signed out at 14 d.' },
  { id: 'EXP-02', level: 'MUST', area: 'expiry', seed: SEED_DORMANT,
    text: 'Primary activity before the limit restarts the 14-day window.' },
  { id: 'EXP-03', level: 'MUST', area: 'expiry', seed: SEED_DORMANT,
    text: 'A signed-out companion can neither send nor receive, and comes back only through a new pairing; its slot is free.' },
  { id: 'EXP-04', level: 'SHOULD', area: 'expiry',
    text: 'A companion that is itself idle for 30 days is signed out.' },
  { id: 'E2E-01', level: 'MUST', area: 'e2e', seed: 'As always, conversations use end-to-end encryption.',
    text: "Messages are end-to-end encrypted to each device's own key; the server relays ciphertext only.",
    outsideStateModel: 'About encryption on the wire: covered by a targeted check that inspects what the server relays, not by the state model.' },
  { id: 'E2E-02', level: 'MUST', area: 'e2e', seed: SEED_THREADS,
    text: "A message to an account reaches every device linked at send time, and the sender's other devices get a copy: a thread continues on every device." },
  { id: 'E2E-03', level: 'MUST', area: 'e2e', seed: SEED_DORMANT,
    text: 'A device that was unlinked or signed out receives nothing sent after its removal.' },
  { id: 'HIST-01', level: 'MUST', area: 'history', seed: SEED_THREADS,
    text: 'A newly linked companion receives the existing history (messages and media) from the primary, end-to-end encrypted.' },
  { id: 'LIFE-01', level: 'MUST', area: 'lifecycle', seed: 'Although companion devices are dependent on the primary one to sign in',
    text: 'When the primary re-registers (new phone, new identity key) or logs out, every companion is signed out.' },
  { id: 'LIFE-02', level: 'MUST', area: 'lifecycle',
    text: "Every change to an account's devices yields a new device list signed by the primary, with a strictly increasing version; clients reject an older or unsigned list." },
  { id: 'LIFE-03', level: 'MUST', area: 'lifecycle', seed: 'without compromising security or privacy.',
    text: "Registering or re-registering a number needs proof of owning it (a one-time code delivered out of band, or the previous primary's signature); without it nothing changes. Contacts' clients surface a changed primary key instead of trusting it silently.",
    outsideStateModel: "Half of it is state and the model holds it: a re-registration without proof is refused (NUMBER_NOT_VERIFIED) and changes nothing. The other half, contacts surfacing a changed primary key, happens in clients' trust stores: covered by a targeted check (capability key-change-notice), not by the state model." },
  { id: 'NOTE-01', level: 'SHOULD', area: 'notice',
    text: 'Every existing device of the account is told when a device is linked, with its platform and name (the defence against QR phishing).' },
];

const BY_ID = new Map(REQUIREMENTS.map((r) => [r.id, r]));

export function requirement(id: RequirementId): Requirement {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown requirement ${id}`);
  return found;
}

export function isRequirementId(value: string): value is RequirementId {
  return BY_ID.has(value as RequirementId);
}
