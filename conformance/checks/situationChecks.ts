/**
 * Situation checks: one canonical run of each situation move (conformance/situationMoves.ts),
 * with parameters chosen to sit in the situation's hardest corner - a deadline reached with one
 * companion offline after the others were active, every kind of sign-out followed by a refill to
 * the limit, history longer than a walk usually sends, counters across a restart and a new
 * request, a backlog older than 14 days, a restart between showing a code and approving it.
 * The random walks reach the same situations with random parameters; these make sure every run,
 * however short (`--runs 1`, `selftest --fast`), drives each one at least once (issue 9 class 1).
 * Every step is compared with the model; what the server relayed is inspected afterwards (E2E-01).
 */
import type { Capability } from '../contract.js';
import type { RequirementId } from '../../model/requirements.js';
import type { Profile } from '../../model/profile.js';
import { failureFromSession } from '../failure.js';
import { CROSS_ACCOUNT_SPECIFIED, type StepCommand } from '../stepCommands.js';
import {
  backlogPrimaryOffline, codeAttempts, crossAccount, dormancyWindow, idCheckEveryApproval, longHistory, longOffline, restartMidLink, signOutRefill,
} from '../situationMoves.js';
import type { FreedBy } from '../situations.js';
import { defineCheck, linkByQr, register, sequenceCheck, type SecurityCheck } from './defineCheck.js';

const DAY = 86_400_000;

function situationCheck(id: string, title: string, requirements: RequirementId[], needs: Capability[], build: (caps: ReadonlySet<Capability>, p: Profile) => StepCommand): SecurityCheck {
  return defineCheck({
    id, title, requirements, needs,
    async run(ctx) {
      const session = await ctx.openSession();
      try {
        const verdict = await build(new Set(needs), ctx.profile).renumber!(0).run(session);
        if (verdict.record.ok) await session.inspectTraffic();
        const failure = failureFromSession(session);
        return failure ? { status: 'fail', steps: session.records.length, failure } : { status: 'pass', steps: session.records.length };
      } finally {
        await session.close();
      }
    },
  });
}

const LINK: Capability[] = ['qr-image', 'pairing-code'];

export const DEADLINE_AFTER_COMPANION_ACTIVITY = situationCheck(
  'situation-deadline-after-companion-activity',
  'Companions reconnect, send and receive inside the primary\'s window, one is offline at the deadline: all signed out at exactly 14 d, none before; a signed-out one coming back stays out',
  ['EXP-01', 'EXP-02', 'EXP-03'], [...LINK, 'clock', 'offline', 'messaging'],
  (caps, p) => dormancyWindow(caps, p, {
    account: 'A', n: 2, vias: ['qr', 'code'], offlineMask: 2, end: 'minus1-then-1', after: 'return-then-signed-out-online', restartAt: undefined,
    activities: [['companion-send', DAY], ['companion-offline', DAY], ['companion-online', DAY], ['other-send', DAY], ['companion-send', DAY]],
  }),
);

export const RESTART_INSIDE_WINDOW = situationCheck(
  'situation-restart-inside-window',
  'A server restart inside the primary\'s dormancy window neither restarts nor stops it',
  ['EXP-01'], [...LINK, 'clock', 'offline', 'messaging', 'restart'],
  (caps, p) => dormancyWindow(caps, p, {
    account: 'B', n: 2, vias: ['code', 'qr'], offlineMask: 1, end: 'minus1-then-1', after: 'signed-out-send', restartAt: undefined,
    activities: [['restart', 3 * DAY], ['companion-offline', DAY], ['restart', DAY]],
  }),
);

const REFILL_NEEDS: Record<FreedBy, Capability[]> = {
  unlink: [], 'self-unlink': [], 'primary-dormant': ['clock', 'offline'], idle: ['clock', 'offline'],
  'primary-reregistered': ['lifecycle'], 'primary-logout': ['lifecycle'],
};

export const SLOT_REUSE: readonly SecurityCheck[] = (Object.keys(REFILL_NEEDS) as FreedBy[]).map((kind) => situationCheck(
  `situation-slot-reuse-${kind}`,
  `A full account frees a slot by ${kind}, links up to the limit again, and one more is refused`,
  ['LIMIT-02', 'LIMIT-01'], ['qr-image', 'messaging', 'offline', ...REFILL_NEEDS[kind]],
  (caps, p) => signOutRefill(caps, p, { account: 'A', kind, before: p.maxCompanions, vias: ['qr'], queued: true, back: true, offlineAtLimit: true, restartAt: undefined }),
));

export const LONG_HISTORY = situationCheck(
  'situation-long-history',
  'Twenty-four messages from every device of both accounts, then a companion links, a send, another link: each gets the whole history',
  ['HIST-01', 'E2E-02'], [...LINK, 'messaging', 'history'],
  (caps, p) => longHistory(caps, p, { account: 'A', sends: 24, vias: ['qr', 'code'], restartAt: undefined }),
);

export const HISTORY_IS_CIPHERTEXT = situationCheck(
  'situation-history-is-ciphertext',
  'Messages from both accounts, then two companions link: no message id is readable in anything the server relayed, history included',
  ['E2E-01', 'HIST-01'], [...LINK, 'messaging', 'history', 'traffic-inspection'],
  (caps, p) => longHistory(caps, p, { account: 'B', sends: 6, vias: ['code', 'qr'], restartAt: undefined }),
);

export const ID_CHECK_EVERY_APPROVAL = situationCheck(
  'situation-id-check-every-approval',
  'A primary with an ID check approves, then a failed check links nothing, by QR and by code, on one connection',
  ['PAIR-05'], [...LINK, 'id-check', 'messaging'],
  (caps, p) => idCheckEveryApproval(caps, p, { approvals: [{ via: 'qr', idCheck: 'pass' }, { via: 'qr', idCheck: 'fail' }, { via: 'code', idCheck: 'fail' }, { via: 'code', idCheck: 'pass' }], restartAt: undefined, blip: false }),
);

export const CODE_ATTEMPTS_ACROSS_RESTART = situationCheck(
  'situation-code-attempts-across-restart',
  'Wrong pairing codes are counted across a server restart: the last allowed attempt exhausts the code',
  ['PAIR-06'], ['pairing-code', 'restart'],
  (caps, p) => codeAttempts(caps, p, { account: 'A', first: p.pairingCode.maxAttempts - 1, restart: true, rerequest: 'none', second: 1, advance: 0, final: true }),
);

export const CODE_ATTEMPTS_NEW_CODE = situationCheck(
  'situation-code-attempts-new-code',
  'A new code starts with no wrong attempts, whatever the code it replaced had used',
  ['PAIR-06'], ['pairing-code'],
  (caps, p) => codeAttempts(caps, p, { account: 'A', first: p.pairingCode.maxAttempts - 1, restart: false, rerequest: 'same', second: 2, advance: 0, final: true }),
);

export const CODE_RIVAL_REQUEST = situationCheck(
  'situation-code-rival-request',
  "Another companion's code request for the same number (a stranger's) leaves a companion's code as it was: it still links",
  ['PAIR-06'], ['pairing-code'],
  (caps, p) => codeAttempts(caps, p, { account: 'A', first: 1, restart: false, rerequest: 'other', second: 1, advance: 0, final: true }),
);

export const BACKLOG_OVER_14_DAYS = situationCheck(
  'situation-backlog-over-14-days',
  'A companion offline for 15 days gets every message queued meanwhile, once each, in order',
  ['OFF-02'], [...LINK, 'offline', 'clock', 'messaging', 'restart'],
  (caps, p) => longOffline(caps, p, { target: 'companion', account: 'A', sends: 4, days: p.primaryDormancyMs + DAY, restartAt: 4, via: 'qr' }),
);

export const PRIMARY_BACKLOG_OVER_14_DAYS = situationCheck(
  'situation-primary-backlog-over-14-days',
  'A primary offline for 14 days (its companions signed out meanwhile) gets every message queued for it when it returns',
  ['OFF-02'], [...LINK, 'offline', 'clock', 'messaging'],
  (caps, p) => longOffline(caps, p, { target: 'own-primary', account: 'A', sends: 3, days: p.primaryDormancyMs, restartAt: undefined, via: 'code' }),
);

/** Two deadlines at the same instant: dormancy is processed before idleness (model/events.ts ADVANCE). */
export const DEADLINE_TIE = sequenceCheck({
  id: 'situation-deadline-tie',
  title: 'A companion\'s idleness and its primary\'s dormancy end at the same instant: it is signed out for dormancy',
  requirements: ['EXP-01', 'EXP-04'], needs: ['qr-image', 'clock', 'offline'],
  events: (p) => [
    register('A'), ...linkByQr('A.c1'), { type: 'GO_OFFLINE', device: 'A.c1' }, { type: 'ADVANCE', ms: p.companionIdleMs - p.primaryDormancyMs },
    { type: 'GO_OFFLINE', device: 'A.primary' }, { type: 'ADVANCE', ms: p.primaryDormancyMs - 1 }, { type: 'ADVANCE', ms: 1 },
  ],
});

export const BACKLOG_WITHOUT_PRIMARY = situationCheck(
  'situation-backlog-without-primary',
  'A companion reconnecting while its primary is offline gets its backlog, then sends',
  ['OFF-02', 'OFF-01'], [...LINK, 'offline', 'clock', 'messaging'],
  (caps, p) => backlogPrimaryOffline(caps, p, { account: 'B', sends: 3, via: 'code', restartAt: undefined, primaryBack: true }),
);

export const RESTART_MID_LINK = situationCheck(
  'situation-restart-mid-link',
  'A server restart between showing a QR code and scanning it changes nothing: the scan links',
  ['PAIR-02'], ['qr-image', 'clock', 'restart', 'messaging'],
  (caps, p) => restartMidLink(caps, p, { account: 'A', via: 'qr', wait: p.qr.firstRefMs - 1, photo: false }),
);

export const RESTART_MID_LINK_PHOTO = situationCheck(
  'situation-restart-mid-link-photo',
  'A server restart right after a QR code is shown: a photograph of it, scanned at once, still links',
  ['PAIR-02'], ['qr-image', 'clock', 'restart', 'messaging'],
  (caps, p) => restartMidLink(caps, p, { account: 'B', via: 'qr', wait: 0, photo: true }),
);

export const RESTART_MID_CODE = situationCheck(
  'situation-restart-mid-code',
  'A server restart between requesting a pairing code and entering it changes nothing: the code links',
  ['PAIR-06'], ['pairing-code', 'restart', 'messaging'],
  (caps, p) => restartMidLink(caps, p, { account: 'B', via: 'code', wait: 0, photo: false }),
);

/** E2E-02: a companion's message reaches the account's other companions too. */
export const COPY_TO_EVERY_OWN_DEVICE = sequenceCheck({
  id: 'situation-copy-to-every-own-device',
  title: 'A companion\'s message is copied to the primary and to every other companion of its account',
  requirements: ['E2E-02'], needs: ['qr-image', 'messaging'],
  events: () => [register('A'), register('B'), ...linkByQr('A.c1'), ...linkByQr('A.c2'), ...linkByQr('A.c3'), { type: 'SEND', from: 'A.c2', id: 'copy1' }, { type: 'SEND', from: 'B.primary', id: 'copy2' }],
});

export const SITUATION_CHECKS: readonly SecurityCheck[] = [
  DEADLINE_AFTER_COMPANION_ACTIVITY, RESTART_INSIDE_WINDOW, ...SLOT_REUSE, LONG_HISTORY, HISTORY_IS_CIPHERTEXT, ID_CHECK_EVERY_APPROVAL,
  CODE_ATTEMPTS_ACROSS_RESTART, CODE_ATTEMPTS_NEW_CODE, CODE_RIVAL_REQUEST, BACKLOG_OVER_14_DAYS, PRIMARY_BACKLOG_OVER_14_DAYS, BACKLOG_WITHOUT_PRIMARY,
  RESTART_MID_LINK, RESTART_MID_LINK_PHOTO, RESTART_MID_CODE, COPY_TO_EVERY_OWN_DEVICE, DEADLINE_TIE,
  // Cross-account steps (TEAM decision 3), once the model answers them.
  ...(CROSS_ACCOUNT_SPECIFIED ? (['scan', 'code', 'unlink', 'unlink-by-companion'] as const).map((kind) => situationCheck(
    `situation-cross-account-${kind}`, `A device acts on the other account's companion (${kind}): refused, nothing changes, the other account still links it`,
    kind === 'scan' || kind === 'code' ? ['PAIR-07'] : ['AUTH-03'], kind === 'code' ? ['pairing-code', 'qr-image', 'messaging'] : ['qr-image', 'messaging'],
    (caps, p) => crossAccount(caps, p, { kind, from: 'A', via: 'qr' }),
  )) : []),
];
