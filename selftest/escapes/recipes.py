"""
Independent realistic bug recipes for the reference implementation (selftest/escapes).

Each recipe is a small edit to reference/ (server, client or storage) of the kind a real team
ships. They were written from reference/, model/events.ts, model/requirements.ts and
PROTOCOL.md only, WITHOUT reading conformance/checks: they measure whether a conformance pass
means something, they are not tuned to the checks.

make_patches.py turns every recipe into selftest/escapes/<id>.patch (git diff format against
the current reference/) and fails loudly when a recipe no longer applies (refresh it then).

Fields: id, req (the requirement the bug breaks; MUST unless marked SHOULD), level, desc,
level NONE = no requirement is violated under the model's observation rules (kept as a
control: the suite should pass it). edits: list of (file, old, new) exact, unique substitutions, and seq: the shortest event
sequence (model/events.ts vocabulary) that exposes it, as reasoned from the code.
"""

LINK_A1 = "SHOW_QR A.c1, SCAN_QR A.c1 by A.primary"

R = []

def bug(id, req, desc, seq, *edits, level="MUST"):
    R.append(dict(id=id, req=req, level=level, desc=desc, seq=seq, edits=list(edits)))

D = "reference/server/deadlines.ts"
C = "reference/server/context.ts"
REG = "reference/server/registration.ts"
LNK = "reference/server/linking.ts"
REL = "reference/server/relay.ts"
DL = "reference/server/deviceLists.ts"
SRV = "reference/server/server.ts"
MEM = "reference/storage/memory.ts"
DEV = "reference/client/device.ts"
TR = "reference/client/trust.ts"
APP = "reference/client/approve.ts"

DORMANCY_RUN = "        for (const c of sweep()) signOutCompanion(ctx, c, 'primary-dormant');\n"
DEADLINE_IMPORT = "import { connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, type ServerContext } from './context.js';"
AT_LIMIT = "  return linkedCompanions(ctx, phone).length + held;\n"

# ---- expiry, deadlines and clocks (EXP-*) ---------------------------------------------------
bug("dormancy-skips-offline-companions", "EXP-01",
    "dormancy signs out only companions that are connected; offline ones are left to idleness",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.c1, GO_OFFLINE A.primary, ADVANCE 14 d",
    (D, "(c) => !ctx.faults.has('dormancy-spares-offline-companions') || connectionOfDevice(ctx, c.id)",
        "(c) => c.offlineSince === null /* offline ones: their own idleness deadline */"))

bug("companion-reconnect-restarts-window", "EXP-01",
    "any device of the account coming online counts as account activity and restarts the primary's dormancy window",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 1 d, GO_OFFLINE A.c1, GO_ONLINE A.c1, ADVANCE 13 d",
    (REG, "  deliverPending(ctx, deviceId);\n  // Fault 'offline-duplicate'",
          "  // Account activity: the primary's dormancy is measured from the account's last activity.\n"
          "  const primaryId = ctx.storage.getAccount(phone)?.primaryDeviceId;\n"
          "  const primary = primaryId && primaryId !== deviceId ? ctx.storage.getDevice(primaryId) : undefined;\n"
          "  if (primary && primary.offlineSince !== null) ctx.storage.putDevice({ ...primary, offlineSince: ctx.clock.now() });\n"
          "  deliverPending(ctx, deviceId);\n  // Fault 'offline-duplicate'"))

bug("companion-send-restarts-window", "EXP-01",
    "a message sent by a companion refreshes the account's last activity (the primary's dormancy window)",
    f"REGISTER A, REGISTER B, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 1 d, SEND m1 from A.c1, ADVANCE 13 d",
    (REL, "  for (const item of stored) if (item) deliverNew(ctx, item);\n",
          "  for (const item of stored) if (item) deliverNew(ctx, item);\n"
          "  // Account activity keeps the account alive.\n"
          "  const primaryId = ctx.storage.getAccount(sender.phone)?.primaryDeviceId;\n"
          "  const primary = primaryId ? ctx.storage.getDevice(primaryId) : undefined;\n"
          "  if (primary && primary.offlineSince !== null) ctx.storage.putDevice({ ...primary, offlineSince: ctx.clock.now() });\n"))

bug("advance-excludes-target-instant", "EXP-01",
    "ADVANCE processes deadlines strictly before the target time: a deadline exactly at the target waits for the next advance",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 14 d",
    (D, "    const due = dueItems(ctx).filter((d) => d.at <= target);", "    const due = dueItems(ctx).filter((d) => d.at < target);"))

bug("clock-not-persisted", "EXP-01",
    "the virtual clock is not written to storage after an advance: a restart resumes the clock from the last stored value (0)",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 7 d, RESTART, ADVANCE 7 d",
    (D, "  ctx.clock.set(target);\n  ctx.storage.setMeta('clock', String(target));\n", "  ctx.clock.set(target);\n"))

bug("restart-resets-offline-stamps", "EXP-01",
    "on start the server re-stamps every offline device as offline since now (sessions unknown after a start): a restart extends the dormancy window",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 1 d, RESTART, ADVANCE 13 d",
    (SRV, "    this.limits = { ...DEFAULT_LIMITS, ...(options.testControl ? TEST_CONTROL_LIMITS : {}), ...options.limits };\n",
          "    this.limits = { ...DEFAULT_LIMITS, ...(options.testControl ? TEST_CONTROL_LIMITS : {}), ...options.limits };\n"
          "    // After a start nobody's session is known: offline windows start again now.\n"
          "    for (const a of this.ctx.storage.listAccounts()) {\n"
          "      for (const d of this.ctx.storage.listDevices(a.phone)) {\n"
          "        if (d.offlineSince !== null) this.ctx.storage.putDevice({ ...d, offlineSince: this.ctx.clock.now() });\n"
          "      }\n"
          "    }\n"))

bug("offline-stamp-wall-clock", "EXP-01",
    "a device's offline time is stamped with the wall clock (Date.now) instead of the server's clock",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 14 d",
    (REG, "if (now && now.status === 'linked') ctx.storage.putDevice({ ...now, offlineSince: ctx.clock.now() });",
          "if (now && now.status === 'linked') ctx.storage.putDevice({ ...now, offlineSince: Date.now() });"))

bug("deadline-ties-idle-first", "EXP-01",
    "deadline ranks swapped: at the same instant idleness is processed before dormancy (wrong sign-out reason)",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.c1, ADVANCE 16 d, GO_OFFLINE A.primary, ADVANCE 14 d",
    (D, "rank: 0, run: () => {", "rank: 1, run: () => {"),
    (D, "        due.push({ at: c.offlineSince + profile.companionIdleMs, rank: 1, run: () => {",
        "        due.push({ at: c.offlineSince + profile.companionIdleMs, rank: 0, run: () => {"))

bug("dormant-companion-resumes", "EXP-03",
    "a companion signed out only because the primary was dormant is restored when it reconnects",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.c1, GO_OFFLINE A.primary, ADVANCE 14 d, GO_ONLINE A.c1",
    (REG, "  const revive = device.status === 'signed-out' && device.signOutReason === 'primary-dormant' && ctx.faults.has('dormant-companion-revives') && !primaryOffline(ctx, device.phone);",
          "  // Dormancy is the phone's fault, not the companion's: resume the session.\n  const revive = device.status === 'signed-out' && device.signOutReason === 'primary-dormant';"))

bug("dormancy-not-pushed", "EXP-03",
    "dormancy sign-out updates the stored rows only: a connected companion is not told and keeps its session",
    f"REGISTER A, REGISTER B, {LINK_A1}, GO_OFFLINE A.primary, ADVANCE 14 d, SEND m1 from A.c1",
    (D, DEADLINE_IMPORT, "import { assertRemoval, connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, type ServerContext } from './context.js';"),
    (D, DORMANCY_RUN,
        "        for (const c of sweep()) {\n"
        "          storage.putDevice({ ...c, status: 'signed-out', signOutReason: 'primary-dormant' });\n"
        "          assertRemoval(ctx, account.phone, [c.id]);\n"
        "        }\n"))

bug("signed-out-flushes-queue", "EXP-03",
    "a signed-out device's queue is kept and flushed to it when it reconnects, before it is told it is signed out",
    f"REGISTER A, REGISTER B, {LINK_A1}, GO_OFFLINE A.c1, SEND m1 from A.primary, UNLINK A.c1 by A.primary, GO_ONLINE A.c1 (a sender the companion can verify offline: its own primary)",
    (C, "  ctx.storage.putDevice({ ...device, status: 'signed-out', signOutReason: reason });\n  ctx.storage.dropQueue(deviceId);\n",
        "  // The queue is dropped when the device next connects (auth), after a last sync.\n"
        "  ctx.storage.putDevice({ ...device, status: 'signed-out', signOutReason: reason });\n"),
    (REG, "  else if (device.status === 'signed-out') return fail('SIGNED_OUT', device.signOutReason);\n",
          "  else if (device.status === 'signed-out') {\n"
          "    // Last sync: what was queued before the removal, then the device learns it is out.\n"
          "    conn.deviceId = device.id;\n"
          "    deliverPending(ctx, device.id);\n"
          "    conn.deviceId = undefined;\n"
          "    ctx.storage.dropQueue(device.id);\n"
          "    return fail('SIGNED_OUT', device.signOutReason);\n"
          "  }\n"))

bug("unlink-not-pushed", "EXP-03",
    "unlink by the primary flips the stored status only: the companion's session is not ended and it is not told",
    f"REGISTER A, REGISTER B, {LINK_A1}, UNLINK A.c1 by A.primary, SEND m1 from A.c1",
    (DL, "    signOutDevice(ctx, target.id, 'unlinked');\n    if (target.phone",
         "    ctx.storage.putDevice({ ...target, status: 'signed-out', signOutReason: 'unlinked' });\n    if (target.phone"))

# ---- slots (LIMIT-*) -------------------------------------------------------------------------
def slot_kept(reason, tag, seq):
    bug(f"slot-kept-{tag}", "LIMIT-02",
        f"the limit counts companions signed out for '{reason}' as holding their slot",
        seq,
        (LNK, AT_LIMIT,
              "  return linkedCompanions(ctx, phone).length + held\n"
              f"    + ctx.storage.listDevices(phone).filter((d) => d.role === 'companion' && d.status === 'signed-out' && d.signOutReason === '{reason}').length;\n"))

FOUR = "link A.c1..A.c4 (SHOW_QR, SCAN_QR each)"
slot_kept("primary-dormant", "dormancy", f"REGISTER A, {FOUR}, GO_OFFLINE A.primary, ADVANCE 14 d, GO_ONLINE A.primary, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary")
slot_kept("idle", "idle", f"REGISTER A, {FOUR}, GO_OFFLINE A.c1, ADVANCE 30 d, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary")
slot_kept("unlinked", "unlink", f"REGISTER A, {FOUR}, UNLINK A.c1 by A.primary, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary")
slot_kept("primary-reregistered", "reregister", f"REGISTER A, {FOUR}, REREGISTER A, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary")
slot_kept("primary-logout", "logout", f"REGISTER A, {FOUR}, LOGOUT A, REGISTER A, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary")

bug("limit-ignores-offline-companions", "LIMIT-01",
    "the limit counts active (connected) companion sessions: with one companion offline a fifth links",
    f"REGISTER A, {FOUR}, GO_OFFLINE A.c1, SHOW_QR A.c5, SCAN_QR A.c5 by A.primary",
    (LNK, AT_LIMIT, "  return linkedCompanions(ctx, phone).filter((d) => d.offlineSince === null).length + held;\n"))

bug("limit-counts-primary", "LIMIT-01",
    "the limit counts every linked device including the primary: the fourth companion is refused",
    "REGISTER A, link A.c1..A.c3, SHOW_QR A.c4, SCAN_QR A.c4 by A.primary",
    (LNK, AT_LIMIT, "  return linkedDevices(ctx, phone).filter((d) => !d.injected).length + held;\n"))

# ---- unlink and authority (AUTH-03) ------------------------------------------------------------
bug("companion-unlinks-other", "AUTH-03",
    "the server forgets the 'a companion unlinks only itself' check",
    "REGISTER A, link A.c1, link A.c2, UNLINK A.c2 by A.c1",
    (DL, "  if (by.role !== 'primary' && req.target !== by.id) return fail('NOT_PRIMARY');\n", ""))

bug("cross-account-unlink", "AUTH-03",
    "unlink looks the target up by id without checking it belongs to the caller's account",
    "REGISTER A, REGISTER B, SHOW_QR B.c1, SCAN_QR B.c1 by B.primary, UNLINK B.c1 by A.primary",
    (DL, "  const anyAccount = ctx.faults.has('unlink-any-account') && by.role === 'primary' && target?.role === 'companion';",
         "  const anyAccount = true; // the target is looked up by id only"))

bug("unlink-precedence-swapped", "AUTH-03",
    "NOT_PRIMARY is checked before PRIMARY_NOT_UNLINKABLE: a companion unlinking the primary gets the wrong code",
    f"REGISTER A, {LINK_A1}, UNLINK A.primary by A.c1",
    (DL, "  if (req.target === account.primaryDeviceId) return fail('PRIMARY_NOT_UNLINKABLE');\n  if (by.role !== 'primary' && req.target !== by.id) return fail('NOT_PRIMARY');\n",
         "  if (by.role !== 'primary' && req.target !== by.id) return fail('NOT_PRIMARY');\n  if (req.target === account.primaryDeviceId) return fail('PRIMARY_NOT_UNLINKABLE');\n"))

# ---- lifecycle (LIFE-01, LIFE-02) ----------------------------------------------------------------
bug("logout-keeps-companions", "LIFE-01",
    "logout signs out only the primary (companions stay linked on the server)",
    f"REGISTER A, {LINK_A1}, LOGOUT A",
    (REG, "    for (const d of all) if (d.id !== device.id) signOutDevice(ctx, d.id, 'primary-logout');\n", ""))

bug("reregister-online-only", "LIFE-01",
    "re-registration signs out the devices that have a live session only; offline companions stay linked",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.c1, REREGISTER A",
    (REG, "for (const d of linkedDevices(ctx, req.phone)) if (!keep || d.role === 'primary') signOutDevice(ctx, d.id, 'primary-reregistered');",
          "for (const d of linkedDevices(ctx, req.phone)) if ((!keep || d.role === 'primary') && connectionOfDevice(ctx, d.id)) signOutDevice(ctx, d.id, 'primary-reregistered');"))

bug("reregister-reason-unlinked", "LIFE-01",
    "re-registration signs companions out with reason 'unlinked' (shared helper) instead of 'primary-reregistered'",
    f"REGISTER A, {LINK_A1}, REREGISTER A",
    (REG, "signOutDevice(ctx, d.id, 'primary-reregistered');", "signOutDevice(ctx, d.id, 'unlinked');"))

bug("logout-no-version", "LIFE-02",
    "logout does not record a new device-list version",
    f"REGISTER A, LOGOUT A",
    (REG, "    assertRemoval(ctx, device.phone, all.map((d) => d.id));\n", ""))

bug("self-unlink-no-version", "LIFE-02",
    "a companion unlinking itself is signed out without a new device-list version",
    f"REGISTER A, {LINK_A1}, UNLINK A.c1 by A.c1",
    (DL, "signOutCompanion(ctx, now, 'unlinked');", "signOutDevice(ctx, now.id, 'unlinked');"))

bug("idle-signout-no-version", "LIFE-02",
    "an idleness sign-out does not record a new device-list version",
    f"REGISTER A, {LINK_A1}, GO_OFFLINE A.c1, ADVANCE 30 d",
    (D, DEADLINE_IMPORT, "import { connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, signOutDevice, type ServerContext } from './context.js';"),
    (D, "signOutCompanion(ctx, now, 'idle');", "signOutDevice(ctx, now.id, 'idle');"))

bug("dormancy-one-version", "LIFE-02",
    "dormancy signs out every companion under ONE new list version instead of one per sign-out",
    "REGISTER A, link A.c1, link A.c2, GO_OFFLINE A.primary, ADVANCE 14 d",
    (D, DEADLINE_IMPORT, "import { assertRemoval, connectionOfCompanion, connectionOfDevice, linkedCompanions, linkedDevices, signOutCompanion, signOutDevice, type ServerContext } from './context.js';"),
    (D, DORMANCY_RUN,
        "        const out = linkedCompanions(ctx, account.phone);\n"
        "        for (const c of out) signOutDevice(ctx, c.id, 'primary-dormant');\n"
        "        assertRemoval(ctx, account.phone, out.map((c) => c.id));\n"), level="NONE")

bug("client-accepts-older-list", "LIFE-02",
    "the client never records the newest list version it accepted, so an older (replayed) list is accepted",
    "lying server: replay an older signed device list (REGISTER A, REGISTER B, link A.c1, UNLINK A.c1 by A.primary, server replays v2, SEND from B.primary)",
    (TR, "  anchor.lastVersion = list.version;\n", ""))

# ---- trust (AUTH-02) ------------------------------------------------------------------------------
bug("client-skips-box-key-binding", "AUTH-02",
    "the client does not check that a device's box key is signed by its identity key",
    "lying server: give a device a box key not bound to its identity key, then SEND to that account",
    (TR, "(!faults.has('box-key-unchecked') && !verify(boxKeyBytes(boxKey), boxSig, identityKey))", "false"))

bug("client-accepts-unsigned-additions", "AUTH-02",
    "an unsigned (server-asserted) list is accepted when its version is newer, without checking it only removes devices",
    "lying server: unsigned list v+1 adding a device, then SEND to that account",
    (TR, "    if (list.version <= last.version || !list.devices.every((d) => signedIds.get(d.id) === d.identityKey)) {",
         "    if (list.version <= last.version) {"))

# ---- pairing (PAIR-*) ---------------------------------------------------------------------------
bug("code-lookup-by-value", "PAIR-07",
    "code.enter finds the picked companion's active code across all numbers: a primary can link another account's companion",
    "REGISTER A, REGISTER B, REQUEST_CODE B.c1, ENTER_CODE B.c1 by A.primary (right code)",
    (LNK, "  const code = ctx.storage.getLatestCodeOf(phone, companionId);",
          "  const code = ctx.storage.listActiveCodes().find((c) => c.companionId === companionId) ?? ctx.storage.getLatestCodeOf(phone, companionId);"))

bug("id-check-cached", "PAIR-05",
    "the primary's app remembers a passed ID check for the connection and does not ask again",
    "REGISTER A with ID check, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary (pass), SHOW_QR A.c2, SCAN_QR A.c2 by A.primary (fail)",
    (DEV, "    if (this.faults.has('id-check-once-per-session')) {", "    if (true) { // asked once per session"))

bug("id-check-skipped-for-code", "PAIR-05",
    "the pairing-code approval path forgets the ID check (only the QR path runs it)",
    "REGISTER A with ID check, REQUEST_CODE A.c1, ENTER_CODE A.c1 by A.primary (right code, id check fail)",
    (DEV, "    if (this.idChecked(idCheck) === 'fail') return refused('ID_CHECK_FAILED');\n    return approveLink(this.linkContext(), { kind: 'code', code });\n",
          "    return approveLink(this.linkContext(), { kind: 'code', code });\n"))

bug("cancelled-qr-ref-reusable", "PAIR-03",
    "the server checks only whether the reference itself was used, not whether its attempt was cancelled",
    "REGISTER A, SHOW_QR A.c1, CANCEL_LINKING A.c1, SCAN_QR A.c1 by A.primary (photo)",
    (LNK, "    const reused = ref.used || attempt.state === 'cancelled' || attempt.state === 'linked';",
          "    const reused = ref.used || attempt.state === 'linked';"))

bug("new-qr-keeps-old-attempt", "PAIR-04",
    "starting a new QR attempt does not cancel the companion's previous one; its rotation and end keep reaching the companion",
    "REGISTER A, SHOW_QR A.c1, ADVANCE 30 s, SHOW_QR A.c1, ADVANCE 140 s (companion should still be linking)",
    (LNK, "  ctx.storage.transaction(() => {\n    cancelLinkingOf(ctx, companionId, undefined);\n    const pending",
          "  ctx.storage.transaction(() => {\n    const pending"), level="SHOULD")

bug("reconnect-restarts-qr", "PAIR-02",
    "a linking companion that reconnects starts a fresh QR attempt (new secret), cancelling the QR the user photographed",
    "REGISTER A, SHOW_QR A.c1, RESTART, SCAN_QR A.c1 by A.primary (photo)",
    (DEV, "      this.bound = false;\n      const r = await this.bind();\n      if (!r.ok) return r;\n",
          "      this.bound = false;\n      const r = await this.bind();\n      if (!r.ok) return r;\n"
          "      // Show a fresh code after a reconnect.\n"
          "      if (this.linking?.kind === 'qr') {\n"
          "        this.linking = { kind: 'qr', secret: randomBytes(32), ref: null };\n"
          "        await this.w.request('link.start');\n"
          "      }\n"))

bug("restart-ends-sessions", "PAIR-02",
    "server shutdown records every connection as gone offline (cancelling linking attempts)",
    "REGISTER A, SHOW_QR A.c1, RESTART, SCAN_QR A.c1 by A.primary",
    (SRV, "    for (const c of this.ctx.connections) c.ws.terminate();\n",
          "    for (const c of this.ctx.connections) { recordOffline(this.ctx, c); c.ws.terminate(); }\n"))

# ---- history (HIST-01) --------------------------------------------------------------------------
bug("history-truncated-20", "HIST-01",
    "the history sent to a new companion is the last 20 messages only",
    "REGISTER A, REGISTER B, SEND m1..m21 from A.primary, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary",
    (DEV, "    let messages = this.faults.has('no-history') ? [] : [...this.messages];",
          "    let messages = this.faults.has('no-history') ? [] : this.messages.slice(-20);"))

bug("history-omits-companion-messages", "HIST-01",
    "the primary's history export leaves out the copies of messages its companions sent",
    "REGISTER A, REGISTER B, link A.c1, SEND m1 from A.c1, SHOW_QR A.c2, SCAN_QR A.c2 by A.primary",
    (DEV, "    if (this.faults.has('history-omits-own-companions')) messages", "    if (true) messages"))

bug("history-not-encrypted", "E2E-01",
    "history is sent base64-encoded instead of sealed ('TODO encrypt'), and the companion reads it as such",
    "REGISTER A, REGISTER B, SEND m1 from A.primary, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary (inspect relayed history)",
    (APP, "  const history = t.faults?.has('history-plaintext') ?", "  const history = true ?"),
    (DEV, "(this.faults.has('history-plaintext') && frame.kind === 'history')", "frame.kind === 'history'"))

bug("copy-skips-other-companions", "E2E-02",
    "a companion sends its own-account copy to the primary only, not to the account's other companions",
    "REGISTER A, REGISTER B, link A.c1, link A.c2, SEND m1 from A.c1",
    (DEV, "this.faults.has('copies-only-to-primary') && this.role === 'companion'", "this.role === 'companion'"))

bug("recipients-cached-per-connection", "E2E-02",
    "the sender caches the other account's verified devices for the connection: a companion linked there later gets nothing",
    "REGISTER A, REGISTER B, SEND m1 from A.primary, SHOW_QR B.c1, SCAN_QR B.c1 by B.primary, SEND m2 from A.primary",
    (DEV, "  private idleWaiters: (() => void)[] = [];\n",
          "  private idleWaiters: (() => void)[] = [];\n  /** The other account's devices, verified once per connection. */\n  private readonly recipientCache = new Map<string, readonly TrustedDevice[]>();\n"),
    (DEV, "    if (this.online) return OK;\n    const wire = await WireConnection.open(this.url);\n",
          "    if (this.online) return OK;\n    this.recipientCache.clear();\n    const wire = await WireConnection.open(this.url);\n"),
    (DEV, "    const theirs = await this.trustedDevices(toPhone);\n",
          "    const cachedTheirs = this.recipientCache.get(toPhone);\n"
          "    const theirs = cachedTheirs ? { ok: true as const, value: cachedTheirs } : await this.trustedDevices(toPhone);\n"
          "    if (theirs.ok) this.recipientCache.set(toPhone, theirs.value);\n"))

bug("own-copies-plaintext", "E2E-01",
    "copies to the sender's own devices are sent unsealed (base64) and read as such",
    "REGISTER A, REGISTER B, link A.c1, SEND m1 from A.primary (inspect relayed payloads)",
    (DEV, "    const seal = (d: TrustedDevice) => this.faults.has('plaintext-relay')",
          "    const seal = (d: TrustedDevice) => this.faults.has('plaintext-relay') || d.phone === this.phone"),
    (DEV, "    const unsealed = (this.faults.has('plaintext-relay') && frame.kind === 'message')",
          "    const unsealed = ((this.faults.has('plaintext-relay') || frame.fromPhone === this.phone) && frame.kind === 'message')"))

bug("pending-sorted-as-text", "OFF-02",
    "queued deliveries are sorted by seq compared as text: seq 10 comes before 9",
    "REGISTER A, REGISTER B, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary, GO_OFFLINE B.primary, SEND m1..m4 from A.primary, GO_ONLINE B.primary (B.primary's backlog crosses seq 9 -> 10)",
    (MEM, "      .sort((a, b) => a.seq - b.seq).map(copy);", "      .sort((a, b) => String(a.seq).localeCompare(String(b.seq))).map(copy);"))

bug("pending-grouped-by-sender", "OFF-02",
    "queued deliveries come back grouped by sender device, then by seq (per-sender order only)",
    "REGISTER A, REGISTER B, link B.c1, GO_OFFLINE A.primary, SEND m1 from B.c1, SEND m2 from B.primary, SEND m3 from B.c1, GO_ONLINE A.primary",
    (MEM, "      .sort((a, b) => a.seq - b.seq).map(copy);", "      .sort((a, b) => a.senderDeviceId.localeCompare(b.senderDeviceId) || a.seq - b.seq).map(copy);"))

bug("own-copies-not-queued", "OFF-02",
    "copies to the sender's own devices are best-effort: not stored for an offline device",
    "REGISTER A, REGISTER B, link A.c1, GO_OFFLINE A.c1, SEND m1 from A.primary, GO_ONLINE A.c1",
    (REL, "    if (dropOffline && !connectionOfDevice(ctx, to)) return null;\n",
          "    if (dropOffline && !connectionOfDevice(ctx, to)) return null;\n"
          "    if (ctx.storage.getDevice(to)?.phone === sender.phone && !connectionOfDevice(ctx, to)) return null;\n"))

bug("dormancy-purges-primary-queue", "OFF-02",
    "when the primary's dormancy is reached the server also purges the primary's stale queue",
    f"REGISTER A, REGISTER B, {LINK_A1}, GO_OFFLINE A.primary, SEND m1 from B.primary, ADVANCE 14 d, GO_ONLINE A.primary",
    (D, DORMANCY_RUN, DORMANCY_RUN + "        // The account went dormant: its phone's backlog is stale.\n        storage.dropQueue(primary.id);\n"))

bug("companion-backlog-waits-for-primary", "OFF-01",
    "a companion's backlog is flushed on reconnect only while its primary is online",
    f"REGISTER A, REGISTER B, {LINK_A1}, GO_OFFLINE A.c1, SEND m1 from B.primary, GO_OFFLINE A.primary, GO_ONLINE A.c1",
    (REG, "  deliverPending(ctx, deviceId);\n  // Fault 'offline-duplicate'",
          "  const primaryId = ctx.storage.getAccount(phone)?.primaryDeviceId;\n"
          "  if (device?.role === 'primary' || (primaryId && connectionOfDevice(ctx, primaryId))) deliverPending(ctx, deviceId);\n"
          "  // Fault 'offline-duplicate'"))

# ---- SHOULD-level (non-strict is the right verdict) -----------------------------------------------
bug("code-attempts-in-memory", "PAIR-06",
    "wrong pairing-code entries are counted in server memory, not in the stored code: a restart resets the counter",
    "REGISTER A, REQUEST_CODE A.c1, ENTER_CODE A.c1 wrong x4, RESTART, ENTER_CODE A.c1 wrong (should exhaust)",
    (LNK, "    const inMemory = ctx.faults.has('code-attempts-in-memory');", "    const inMemory = true;"), level="SHOULD")

bug("latest-code-first-inserted", "PAIR-06",
    "the storage returns a companion's first code for the number instead of its latest",
    "REGISTER A, REQUEST_CODE A.c1, REQUEST_CODE A.c1, ENTER_CODE A.c1 by A.primary (right code)",
    (MEM, "    for (const code of this.t.codes.values()) if (code.phone === phone && code.companionId === companionId) latest = code;",
          "    for (const code of this.t.codes.values()) if (code.phone === phone && code.companionId === companionId && !latest) latest = code;"), level="SHOULD")

bug("notice-online-only", "NOTE-01",
    "link notices are pushed to connected devices only, never queued",
    "REGISTER A, link A.c1, GO_OFFLINE A.c1, link A.c2, GO_ONLINE A.c1",
    (LNK, "ctx.faults.has('notice-only-online') ? others.filter", "true ? others.filter"), level="SHOULD")

bug("advance-stale-due-list", "PAIR-04",
    "ADVANCE computes the due deadlines once: a QR reference issued during the advance never rotates in it",
    "REGISTER A, SHOW_QR A.c1, ADVANCE 170 s (attempt should have ended)",
    (D, """  for (;;) {
    const due = dueItems(ctx).filter((d) => d.at <= target);
    if (due.length === 0) break;
    const at = Math.max(ctx.clock.now(), Math.min(...due.map((d) => d.at)));
    ctx.clock.set(at);
    // Only the earliest item runs each round: it may change what is due next.
    const first = due.filter((d) => Math.max(d.at, at) === at).sort((a, b) => a.rank - b.rank)[0];
    ctx.storage.transaction(first.run);
  }
""", """  const due = dueItems(ctx).filter((d) => d.at <= target).sort((a, b) => a.at - b.at || a.rank - b.rank);
  for (const item of due) {
    ctx.clock.set(Math.max(ctx.clock.now(), item.at));
    ctx.storage.transaction(item.run);
  }
"""), level="SHOULD")

# ---- added in round 1 -------------------------------------------------------------------------
bug("history-own-sends-only", "HIST-01",
    "the primary's history export holds the messages the phone itself sent, not the ones it received",
    "REGISTER A, REGISTER B, SEND m1 from B.primary, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary",
    (DEV, "  private idleWaiters: (() => void)[] = [];\n",
          "  private idleWaiters: (() => void)[] = [];\n  /** Messages this device sent itself: the conversation log the history export reads. */\n  private readonly sentLog: string[] = [];\n"),
    (DEV, "    let messages = this.faults.has('no-history') ? [] : [...this.messages];",
          "    let messages = this.faults.has('no-history') ? [] : [...this.sentLog];"),
    (DEV, "    if (!r.ok) return refused(r.code);\n    this.remember(messageId);\n",
          "    if (!r.ok) return refused(r.code);\n    this.remember(messageId);\n    this.sentLog.push(messageId);\n"))

bug("storage-drops-signout-reason", "EXP-01",
    "the memory store maps device records field by field and leaves out the optional signOutReason",
    "REGISTER A, SHOW_QR A.c1, SCAN_QR A.c1 by A.primary, UNLINK A.c1 by A.primary",
    (MEM, "    this.setRow('devices', device.id, copy(device));\n",
          "    const { signOutReason: _reason, ...row } = device;\n    this.setRow('devices', device.id, copy(row as DeviceRecord));\n"))

# ---- added in round 2 (after sec's cross-account and LIFE-03 reference landed) -----------------------
bug("wrong-account-unchecked", "PAIR-07",
    "the approver's WRONG_ACCOUNT check is left out: a primary scanning another account's companion links it",
    "REGISTER A, REGISTER B, SHOW_QR B.c1, SCAN_QR B.c1 by A.primary",
    (LNK, "  if (other !== undefined && other !== device.phone) return fail('WRONG_ACCOUNT', 'this companion is linking to another account');\n", ""))

bug("reregister-without-proof", "LIFE-03",
    "proof of the number is required for a first registration only: re-registering (replace) an existing number needs none",
    "REGISTER A, REREGISTER A (proof false)",
    (REG, "  if (!hasProof(ctx, conn, req, identity)) {", "  if (!req.replace && !hasProof(ctx, conn, req, identity)) {"))
