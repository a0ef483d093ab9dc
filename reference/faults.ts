/**
 * Fault switches: named bugs a real team could ship, built INTO the reference at the place the
 * real bug would live (a `>=` that became `>`, a check left out, a cache never refreshed). All are
 * off by default; the reference with no fault is the conformant implementation. They exist so
 * that the conformance suite can be tested against known-bad variants of a real implementation
 * (adapters/known-bad, `linkspec selftest`): every switch must make the suite fail the
 * requirement named on its line.
 *
 * Passed as `ServerOptions.faults` (server-side bugs), `DeviceClientOptions.faults` (client-side
 * bugs) or `createReferenceAdapter({ faults })` (both). A switch that lives in the server does
 * nothing in the client and the other way round.
 */

export type Fault =
  /** LIMIT-01: the companion limit is checked with `>` instead of `>=`: a fifth companion links (server). */
  | 'fifth-companion'
  /** AUTH-01: the approval handler never checks the approver's role: a companion can approve a link (server). */
  | 'companion-approves'
  /** PAIR-03: the server does not check whether a QR reference was used or its attempt cancelled (server). */
  | 'qr-reusable'
  /** PAIR-04: the server does not check a QR reference's window: an expired or rotated-out reference links (server). */
  | 'expired-qr-accepted'
  /** PAIR-05: the primary's app approves without running the ID check it has set up (client). */
  | 'id-check-skipped'
  /** EXP-01: dormancy deadline computed as offline + 14 d - 1 ms: companions signed out 1 ms early (server). */
  | 'dormancy-early'
  /** EXP-01: dormancy deadline computed as offline + 14 d + 1 ms: companions still linked at 14 d (server). */
  | 'dormancy-late'
  /** EXP-02: the primary's offline time is stamped once and never cleared: coming online does not restart the window (server). */
  | 'primary-activity-ignored'
  /** OFF-01: the relay refuses a companion's message while its primary is offline (old phone-relayed design) (server). */
  | 'companions-need-primary'
  /** OFF-02: envelopes for a recipient without an open connection are dropped instead of stored (server). */
  | 'offline-loses-message'
  /** OFF-02: on reconnect the backlog is flushed twice, and the client does not deduplicate (server + client). */
  | 'offline-duplicate'
  /** E2E-03: sign-out does not end the device's session, the relay checks only the account, senders reuse cached recipients (server + client). */
  | 'unlinked-still-receives'
  /** AUTH-02: the sender encrypts to every device the server lists, without the primary's signed list or ADV signatures (client). */
  | 'trusts-server-devices'
  /** LIFE-02: a server-asserted removal (dormancy, self-unlink, logout) keeps the list's version instead of increasing it (server). */
  | 'list-version-stuck'
  /** LIFE-01: re-registering the primary leaves the old companions linked (server). */
  | 'reregister-keeps-companions'
  /** PAIR-06: wrong pairing codes are counted but never exhaust the code (server). */
  | 'unlimited-code-attempts'
  /** HIST-01: the primary sends an empty history to a newly linked companion (client). */
  | 'no-history'
  /** PAIR-07: the companion counter-signs without checking the HMAC of its linking secret: a tampered secret links (client). */
  | 'hmac-unchecked'
  /** E2E-01: the sender puts the message in the envelope in plaintext instead of sealing it (client). */
  | 'plaintext-relay'
  /** NOTE-01: the account's other devices are not told when a companion links (server). */
  | 'no-link-notice'
  /** EXP-04: a companion idle (offline) for 30 days is never signed out (server). */
  | 'idle-never-signed-out'
  // ---- issue 9: bugs in the situations the walks used to miss (each at the place it would live) ----
  /** EXP-01: the dormancy sweep signs out only the companions it holds a session for: offline ones stay linked (server). */
  | 'dormancy-spares-offline-companions'
  /** EXP-01: a companion reconnecting counts as account activity: the primary's dormancy window restarts (server). */
  | 'companion-reconnect-restarts-window'
  /** EXP-01: a companion's message counts as account activity: the primary's dormancy window restarts (server). */
  | 'companion-send-restarts-window'
  /** EXP-01: at boot the server stamps every offline device "offline since now": a restart restarts every window (server). */
  | 'restart-restarts-window'
  /** PAIR-02: at boot the server cancels every QR attempt and pairing code as stale: a restart mid-link breaks the link (server). */
  | 'restart-cancels-linking'
  /** LIMIT-02: companions signed out by dormancy or idleness still hold their slot ("suspended, not removed") (server). */
  | 'expired-sessions-hold-slots'
  /** LIMIT-02: companions signed out by re-registration or logout still count against the phone number's limit (server). */
  | 'lifecycle-sign-outs-hold-slots'
  /** LIMIT-02: the limit is read from the last primary-signed list, which still holds a self-unlinked or idle companion (server). */
  | 'limit-from-signed-list'
  /** EXP-03: a companion signed out by dormancy is restored when it reconnects after its primary came back (server). */
  | 'dormant-companion-revives'
  /** HIST-01: the primary sends only its last 8 messages as history (client). */
  | 'history-truncated'
  /** HIST-01: the history leaves out copies of messages the account's own companions sent (client). */
  | 'history-omits-own-companions'
  /** HIST-01: the primary builds the history once, at its first approval, and reuses it (client). */
  | 'history-snapshot-cached'
  /** PAIR-05: the primary's app asks for the ID check once per connection, not at every approval (client). */
  | 'id-check-once-per-session'
  /** PAIR-06: wrong-code attempts are counted in server memory: a restart resets them (server). */
  | 'code-attempts-in-memory'
  /** PAIR-06: a companion's new code inherits the wrong attempts of its own code it replaces (server). */
  | 'code-attempts-carried-over'
  /** PAIR-06: the number's latest code request wins: it cancels every other companion's code (server; issue 10). */
  | 'code-latest-wins'
  /** OFF-02: a device's queue is purged once it has been offline 14 days (a retention sweep) (server). */
  | 'queue-expires-after-14-days'
  /** OFF-02: a companion reconnecting while its primary is offline finds its backlog cleared as stale (server). */
  | 'backlog-dropped-without-primary'
  /** AUTH-03: the primary's unlink never checks that the target belongs to its own account (server). */
  | 'unlink-any-account'
  /** E2E-02: a companion's message is copied to its primary only, not to the account's other companions (client). */
  | 'copies-only-to-primary'
  /** NOTE-01: link notices are pushed to connected devices only, never queued for offline ones (server). */
  | 'notice-only-online'
  /** E2E-01: the primary sends the history to a new companion unsealed (client). */
  | 'history-plaintext'
  // ---- issue 9 class 3: clients that believe a lying server (capability 'lying-server') ----
  /** LIFE-02: the client never compares a list's version with the last one it accepted: a replayed older list is believed (client). */
  | 'accepts-older-list'
  /** E2E-03: a device with valid ADV signatures is trusted even when the signed list does not cover it (a removed one relisted) (client). */
  | 'trusts-adv-without-list'
  /** AUTH-02: the client never checks that a device's box key is signed by its identity key: a server-swapped key is used (client). */
  | 'box-key-unchecked'
  /**
   * LIMIT-01, race (issue 13): the companion limit is checked when the primary starts approving
   * (link.precheck), never again in the approval's transaction; two approvals in flight both
   * pass it. Not in FAULTS: a race variant (adapters/cluster/raceVariants.ts) (server).
   */
  | 'limit-at-precheck-only'
  /**
   * AUTH-03 / LIFE-02, race (issue 13): an unlink decides on what it read before its transaction
   * and never re-reads under the account's lock: two unlinks of one device both succeed. Not in
   * FAULTS: a race variant (server).
   */
  | 'unlink-unlocked';

export type FaultSet = ReadonlySet<Fault>;

export const NO_FAULTS: FaultSet = new Set<Fault>();

/** Every fault, in the order above (selftest enumerates them). */
export const FAULTS: readonly Fault[] = [
  'fifth-companion', 'companion-approves', 'qr-reusable', 'expired-qr-accepted', 'id-check-skipped',
  'dormancy-early', 'dormancy-late', 'primary-activity-ignored', 'companions-need-primary',
  'offline-loses-message', 'offline-duplicate', 'unlinked-still-receives', 'trusts-server-devices',
  'list-version-stuck', 'reregister-keeps-companions', 'unlimited-code-attempts', 'no-history',
  'hmac-unchecked', 'plaintext-relay', 'no-link-notice', 'idle-never-signed-out',
  'dormancy-spares-offline-companions', 'companion-reconnect-restarts-window', 'companion-send-restarts-window',
  'restart-restarts-window', 'restart-cancels-linking', 'expired-sessions-hold-slots', 'lifecycle-sign-outs-hold-slots',
  'limit-from-signed-list', 'dormant-companion-revives', 'history-truncated', 'history-omits-own-companions',
  'history-snapshot-cached', 'id-check-once-per-session', 'code-attempts-in-memory', 'code-attempts-carried-over', 'code-latest-wins',
  'queue-expires-after-14-days', 'backlog-dropped-without-primary', 'unlink-any-account', 'copies-only-to-primary',
  'notice-only-online', 'history-plaintext', 'accepts-older-list', 'trusts-adv-without-list', 'box-key-unchecked',
];
