/**
 * Deliberate bugs the in-memory example can be switched into, one per known-bad variant, so the
 * harness can be tested against an implementation it must catch (conformance/test/fixtures/
 * brokenAdapters.ts names the requirement each breaks). All off by default: the example as
 * ADAPTERS.md presents it has none of them. Not something a real adapter would ever offer.
 */
export interface Bugs {
  /** LIMIT-01: one companion more than the profile allows links. */
  readonly extraCompanion?: boolean;
  /** EXP-01: companions are signed out one millisecond after the primary's dormancy deadline. */
  readonly dormancyOffByOne?: boolean;
  /** PAIR-03: a used QR reference links again. */
  readonly reusableQr?: boolean;
  /** E2E-03: an unlinked companion still receives. */
  readonly deliversToUnlinked?: boolean;
  /** E2E-01: the relay carries messages in plaintext. */
  readonly plaintextRelay?: boolean;
  /** AUTH-02: clients encrypt to a device the server injected. */
  readonly trustsInjected?: boolean;
  /** NOTE-01 (a SHOULD): re-registering forgets the notices the primary was shown. */
  readonly forgetsNoticesOnReregister?: boolean;
  /** OFF-02: a restart delivers every message delivered so far a second time. */
  readonly duplicatesAfterRestart?: boolean;
}

/** The names of the bugs switched on, for an adapter's name. */
export function bugsOn(bugs: Bugs): string[] {
  return Object.entries(bugs).filter(([, on]) => on === true).map(([name]) => name);
}
