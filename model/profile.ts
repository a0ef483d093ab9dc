/**
 * The profile: every parameter of the spec in one typed object. The default is the seed's
 * (WhatsApp's); a user may run the suite with another (see `SIGNAL_LIKE_PROFILE`). Pure data: a
 * user-supplied JSON profile is validated outside the model (conformance/profileFile.ts).
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface QrSchedule {
  /** How long the first reference of an attempt is shown. */
  readonly firstRefMs: number;
  /** How long each later reference is shown. */
  readonly nextRefMs: number;
  /** References per attempt; after the last one expires the attempt ends. */
  readonly refCount: number;
}

export interface PairingCodeRules {
  /** Characters in a code (WhatsApp: 8, shown XXXX-XXXX). */
  readonly length: number;
  /** The alphabet codes are drawn from (WhatsApp: no 0, I, O, U). */
  readonly alphabet: string;
  /** Wrong entries allowed against one code before it is exhausted. */
  readonly maxAttempts: number;
  /** How long a code stays valid after it is issued. */
  readonly lifetimeMs: number;
}

export interface Profile {
  readonly name: string;
  /** Companions linked at once, primary not counted (LIMIT-01). */
  readonly maxCompanions: number;
  /** Primary without a server connection this long: every companion signed out (EXP-01). */
  readonly primaryDormancyMs: number;
  /** Companion without a server connection this long: that companion signed out (EXP-04). */
  readonly companionIdleMs: number;
  /** QR reference rotation (PAIR-04). */
  readonly qr: QrSchedule;
  /** Pairing-code alternative (PAIR-06). */
  readonly pairingCode: PairingCodeRules;
}

export const PAIRING_CODE_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/** The seed's profile: WhatsApp multi-device as announced (4 companions, 14 days). */
export const DEFAULT_PROFILE: Profile = {
  name: 'whatsapp',
  maxCompanions: 4,
  primaryDormancyMs: 14 * DAY_MS,
  companionIdleMs: 30 * DAY_MS,
  qr: { firstRefMs: 60_000, nextRefMs: 20_000, refCount: 6 },
  // Attempt limit and lifetime are not public; these are linkspec's choices, stated here once.
  pairingCode: { length: 8, alphabet: PAIRING_CODE_ALPHABET, maxAttempts: 5, lifetimeMs: 180_000 },
};

/** A Signal-like profile: 5 linked devices, linked devices idle 45 days, one 10-minute link token. */
export const SIGNAL_LIKE_PROFILE: Profile = {
  name: 'signal-like',
  maxCompanions: 5,
  primaryDormancyMs: 45 * DAY_MS,
  companionIdleMs: 45 * DAY_MS,
  qr: { firstRefMs: 600_000, nextRefMs: 600_000, refCount: 1 },
  pairingCode: { length: 8, alphabet: PAIRING_CODE_ALPHABET, maxAttempts: 3, lifetimeMs: 600_000 },
};

/** When the QR attempt that started at `startedAt` shows reference `index` (0-based). */
export function qrRefWindow(profile: Profile, index: number): { fromMs: number; untilMs: number } {
  const { firstRefMs, nextRefMs } = profile.qr;
  const fromMs = index === 0 ? 0 : firstRefMs + (index - 1) * nextRefMs;
  const untilMs = index === 0 ? firstRefMs : fromMs + nextRefMs;
  return { fromMs, untilMs };
}

/** How long a whole QR attempt lasts: after this, no reference is shown. */
export function qrAttemptMs(profile: Profile): number {
  return qrRefWindow(profile, profile.qr.refCount - 1).untilMs;
}
