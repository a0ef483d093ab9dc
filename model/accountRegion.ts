/**
 * One account's region of the statechart, written once and instantiated for A and B. Its states
 * are the account lifecycle (unregistered → registered, LIFE-01) and, while registered, the
 * primary's connectivity and dormancy (online → offline → dormant, EXP-01/EXP-02). Companions are
 * not drawn as twelve copies: each companion's lifecycle (idle → linking by QR or code → linked →
 * signed out with a reason) lives in the context, and every step of it is a named, guarded
 * transition below whose `companion` meta says which lifecycle step it takes.
 *
 * Each event's transitions are listed in the normative refusal precedence of model/events.ts; the
 * first whose guard holds fires. A refusal's meta carries its error code.
 */
import type { AccountId } from './events.js';
import { onEvents, toConfig, type Rule } from './transitionSpec.js';

const R = (name: string, guard: Rule['guard'], description: string, requirements: Rule['requirements'], more: Partial<Rule> = {}): Rule =>
  ({ name, guard, description, requirements, ...more });

// ---- handled in every registration state ------------------------------------------------------
const CONNECTIVITY = {
  GO_OFFLINE: [
    R('offlineUnknownDevice', 'connectivityUnknownDevice', 'GO_OFFLINE of a device never created', [], { code: 'UNKNOWN_DEVICE' }),
    R('offlineUnchanged', 'connectivityUnchanged', 'GO_OFFLINE of a device already offline: accepted, nothing changes', ['OFF-01']),
    R('offlineStopsLinking', 'linkingCompanionGoesOffline', 'A linking companion goes offline: its attempt stops, QR refs and code count as cancelled', ['PAIR-03', 'PAIR-06'], { effect: 'goOffline', companion: 'linking → idle' }),
    R('offlineLinkedCompanion', 'linkedCompanionGoesOffline', "A linked companion goes offline: its idleness window starts; messages for it are queued", ['OFF-02', 'EXP-04'], { effect: 'goOffline', companion: 'linked.online → linked.offline' }),
    R('offlineOtherDevice', 'otherDeviceGoesOffline', 'An idle or signed-out device (or a logged-out primary) goes offline', ['OFF-01'], { effect: 'goOffline' }),
  ],
  GO_ONLINE: [
    R('onlineUnknownDevice', 'connectivityUnknownDevice', 'GO_ONLINE of a device never created', [], { code: 'UNKNOWN_DEVICE' }),
    R('onlineUnchanged', 'connectivityUnchanged', 'GO_ONLINE of a device already online: accepted, nothing changes', ['OFF-01']),
    R('onlineLinkedCompanion', 'linkedCompanionGoesOnline', 'A linked companion reconnects: it receives what was queued for it, in order, once each; its idleness window ends', ['OFF-02', 'EXP-04'], { effect: 'goOnline', companion: 'linked.offline → linked.online' }),
    R('onlineOtherDevice', 'otherDeviceGoesOnline', 'An idle or signed-out device (or a logged-out primary) reconnects; nothing is queued for it', ['OFF-01', 'E2E-03'], { effect: 'goOnline' }),
  ],
  SHOW_QR: [
    R('showQrAlreadyLinked', 'showQrAlreadyLinked', 'SHOW_QR on a linked companion', ['PAIR-02'], { code: 'ALREADY_LINKED' }),
    R('showQrOffline', 'showQrOffline', 'SHOW_QR on an offline companion', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('showQr', 'showQr', 'The companion (created if new; started afresh if idle or signed out) shows a new QR attempt: reference 0 first; earlier attempts are cancelled', ['PAIR-01', 'PAIR-03', 'PAIR-04', 'EXP-03'], { effect: 'showQr', companion: 'new | idle | signed-out | linking → linking.qr' }),
  ],
  CANCEL_LINKING: [
    R('cancelNotLinking', 'cancelNotLinking', 'CANCEL_LINKING on a companion that is not linking', ['PAIR-03'], { code: 'NOT_LINKING' }),
    R('cancelLinking', 'cancelLinking', 'The companion stops linking: its QR refs and its code count as cancelled', ['PAIR-03', 'PAIR-06'], { effect: 'cancelLinking', companion: 'linking → idle' }),
  ],
} satisfies Record<string, readonly Rule[]>;

// ---- unregistered -----------------------------------------------------------------------------
const UNREGISTERED = {
  REGISTER: [R('register', 'register', 'The account gets a primary: linked, online, no messages; device-list version increases', ['LIFE-01', 'LIFE-02', 'PAIR-05'], { effect: 'register', target: 'registered' })],
  REREGISTER: [R('reregisterNotRegistered', 'reregister', 'REREGISTER of an account with no primary', ['LIFE-01'], { code: 'NOT_REGISTERED' })],
  LOGOUT: [R('logoutNotRegistered', 'logout', 'LOGOUT of an account with no primary', ['LIFE-01'], { code: 'NOT_REGISTERED' })],
  REQUEST_CODE: [
    R('requestCodeOffline', 'requestCodeOffline', 'REQUEST_CODE from an offline companion', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('requestCodeNotRegistered', 'requestCode', 'REQUEST_CODE for an account with no primary', ['PAIR-06'], { code: 'NOT_REGISTERED' }),
  ],
  SCAN_QR: [
    R('scanNoQr', 'scanNoQr', 'SCAN_QR where no QR is shown (live) or none was captured (photo)', ['PAIR-01'], { code: 'NO_QR' }),
    R('scanNotRegistered', 'scanNotRegistered', 'SCAN_QR approved from an account with no primary', ['AUTH-01'], { code: 'NOT_REGISTERED' }),
  ],
  ENTER_CODE: [R('codeNotRegistered', 'codeNotRegistered', 'ENTER_CODE for an account with no primary', ['AUTH-01', 'PAIR-06'], { code: 'NOT_REGISTERED' })],
  UNLINK: [R('unlinkNotRegistered', 'unlinkNotRegistered', 'UNLINK in an account with no primary', ['AUTH-03'], { code: 'NOT_REGISTERED' })],
  SEND: [
    R('sendUnknownDevice', 'sendUnknownDevice', 'SEND from a device never created', [], { code: 'UNKNOWN_DEVICE' }),
    R('sendNotRegistered', 'sendNotRegistered', "SEND from an account with no primary", ['EXP-03', 'LIFE-01'], { code: 'NOT_REGISTERED' }),
  ],
} satisfies Record<string, readonly Rule[]>;

// ---- registered -------------------------------------------------------------------------------
const REGISTERED = {
  REGISTER: [R('registerAgain', 'register', 'REGISTER of an account that already has a primary', ['LIFE-01'], { code: 'ALREADY_REGISTERED' })],
  REREGISTER: [
    R('reregisterNotVerified', 'reregisterWithoutProof', "REREGISTER without proof of owning the number (no or a wrong one-time code, no previous primary's signature): nothing changes", ['LIFE-03'], { code: 'NUMBER_NOT_VERIFIED' }),
    R('reregister', 'reregister', 'New phone, new identity key, number proven: every linked companion signed out (primary-reregistered); primary online with no messages; version increases', ['LIFE-01', 'LIFE-03', 'LIFE-02', 'LIMIT-02', 'E2E-03'], { effect: 'reregister', target: '.primaryOnline', companion: 'linked → signed-out (primary-reregistered)' }),
  ],
  LOGOUT: [
    R('logoutPrimaryOffline', 'logoutPrimaryOffline', 'LOGOUT while the primary is offline', ['OFF-01', 'LIFE-01'], { code: 'DEVICE_OFFLINE' }),
    R('logout', 'logout', 'Every linked companion and the primary signed out (primary-logout); account no longer registered; version increases', ['LIFE-01', 'LIFE-02', 'LIMIT-02', 'E2E-03'], { effect: 'logout', target: 'unregistered', companion: 'linked → signed-out (primary-logout)' }),
  ],
  REQUEST_CODE: [
    R('requestCodeAlreadyLinked', 'requestCodeAlreadyLinked', 'REQUEST_CODE from a linked companion', ['PAIR-02'], { code: 'ALREADY_LINKED' }),
    R('requestCodeOffline', 'requestCodeOffline', 'REQUEST_CODE from an offline companion', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('requestCode', 'requestCode', "The companion gets its own new active code for its account's number (attempts 0); only its own earlier attempt (QR or code) is cancelled, every other companion's code is untouched", ['PAIR-06', 'EXP-03'], { effect: 'requestCode', companion: 'new | idle | signed-out | linking → linking.code' }),
  ],
  SCAN_QR: [
    R('scanNoQr', 'scanNoQr', 'SCAN_QR where no QR is shown (live) or none was captured (photo)', ['PAIR-01'], { code: 'NO_QR' }),
    R('scanNotPrimary', 'scanNotPrimary', 'SCAN_QR approved by a companion (of either account)', ['AUTH-01', 'PAIR-07'], { code: 'NOT_PRIMARY' }),
    R('scanByOffline', 'scanByOffline', 'SCAN_QR by an offline primary', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('scanWrongAccount', 'scanWrongAccount', "The primary scans the QR of a companion linking to the other account: nothing is linked, the companion still links and its QR reference stays unused", ['PAIR-07', 'AUTH-01'], { code: 'WRONG_ACCOUNT' }),
    R('scanLimitReached', 'scanLimitReached', 'SCAN_QR when maxCompanions companions are already linked', ['LIMIT-01'], { code: 'LIMIT_REACHED' }),
    R('scanIdCheckFailed', 'scanIdCheckFailed', 'SCAN_QR whose ID check fails on a primary that has one', ['PAIR-05'], { code: 'ID_CHECK_FAILED' }),
    R('scanTamperedRef', 'scanTamperedRef', 'SCAN_QR of a QR whose reference was altered', ['PAIR-07'], { code: 'QR_INVALID' }),
    R('scanPhotoUsed', 'scanPhotoUsed', 'SCAN_QR of a replayed QR whose reference was used or whose attempt was cancelled', ['PAIR-03'], { code: 'QR_USED' }),
    R('scanPhotoExpired', 'scanPhotoExpired', 'SCAN_QR of a replayed QR whose reference is no longer the one shown', ['PAIR-04'], { code: 'QR_EXPIRED' }),
    R('scanTamperedKeyOrSecret', 'scanTamperedKeyOrSecret', 'SCAN_QR of a QR whose key or linking secret was altered', ['PAIR-07'], { code: 'QR_INVALID' }),
    R('scanAccepted', 'scanAccepted', 'The primary approves the QR: the companion is linked and online, gets the primary\'s history, every other linked device is told; version increases', ['PAIR-01', 'PAIR-02', 'PAIR-03', 'PAIR-07', 'HIST-01', 'NOTE-01', 'LIFE-02', 'AUTH-01'], { effect: 'linkByQr', companion: 'linking.qr → linked.online' }),
  ],
  ENTER_CODE: [
    R('codeNotPrimary', 'codeNotPrimary', 'ENTER_CODE on a companion', ['AUTH-01', 'PAIR-07'], { code: 'NOT_PRIMARY' }),
    R('codeByOffline', 'codeByOffline', 'ENTER_CODE on an offline primary', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('codeLimitReached', 'codeLimitReached', 'ENTER_CODE when maxCompanions companions are already linked', ['LIMIT-01'], { code: 'LIMIT_REACHED' }),
    R('codeIdCheckFailed', 'codeIdCheckFailed', 'ENTER_CODE whose ID check fails on a primary that has one', ['PAIR-05'], { code: 'ID_CHECK_FAILED' }),
    R('codeNone', 'codeNone', "ENTER_CODE for a companion that has no code in this account (it never asked for one, or it is the other account's): nothing changes", ['PAIR-06', 'PAIR-07'], { code: 'CODE_INVALID' }),
    R('codeExhausted', 'codeExhausted', "ENTER_CODE after the picked companion's code was exhausted by wrong entries", ['PAIR-06'], { code: 'ATTEMPTS_EXHAUSTED' }),
    R('codeExpired', 'codeExpired', "ENTER_CODE after the picked companion's code outlived its lifetime", ['PAIR-06'], { code: 'CODE_EXPIRED' }),
    R('codeSpent', 'codeSpent', "ENTER_CODE after the picked companion's code was used or cancelled", ['PAIR-06'], { code: 'CODE_INVALID' }),
    R('codeWrongLastAttempt', 'codeWrongLastAttempt', "A wrong code for the picked companion on its code's last allowed attempt: refused CODE_INVALID, that code is exhausted and the companion becomes idle", ['PAIR-06', 'PAIR-07'], { effect: 'countWrongCode', companion: 'linking.code → idle' }),
    R('codeWrong', 'codeWrong', "A wrong code for the picked companion: refused CODE_INVALID, that code's attempts + 1 (no other code is touched)", ['PAIR-06', 'PAIR-07'], { effect: 'countWrongCode' }),
    R('codeAccepted', 'codeAccepted', "The primary enters the picked companion's right code: it is linked and online, gets the primary's history, every other linked device is told; version increases", ['PAIR-06', 'PAIR-02', 'HIST-01', 'NOTE-01', 'LIFE-02', 'AUTH-01'], { effect: 'linkByCode', companion: 'linking.code → linked.online' }),
  ],
  UNLINK: [
    R('unlinkByNotLinked', 'unlinkByNotLinked', 'UNLINK by a device that is not linked', ['AUTH-03', 'EXP-03'], { code: 'NOT_LINKED' }),
    R('unlinkByOffline', 'unlinkByOffline', 'UNLINK by an offline device', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('unlinkOtherAccount', 'unlinkOtherAccount', 'UNLINK by the primary of a device of the other account (its primary too): not a device of this account', ['AUTH-03'], { code: 'NOT_LINKED' }),
    R('unlinkPrimary', 'unlinkPrimary', 'UNLINK of the account\'s own primary', ['AUTH-03'], { code: 'PRIMARY_NOT_UNLINKABLE' }),
    R('unlinkOtherByCompanion', 'unlinkOtherByCompanion', 'A companion tries to unlink another device', ['AUTH-03'], { code: 'NOT_PRIMARY' }),
    R('unlinkTargetNotLinked', 'unlinkTargetNotLinked', 'UNLINK of a companion of this account that is not linked', ['AUTH-03'], { code: 'NOT_LINKED' }),
    R('unlinkAccepted', 'unlinkAccepted', 'The target is signed out (unlinked): nothing more reaches it, its slot is free; version increases', ['AUTH-03', 'LIMIT-02', 'E2E-03', 'EXP-03', 'LIFE-02'], { effect: 'unlink', companion: 'linked → signed-out (unlinked)' }),
  ],
  SEND: [
    R('sendUnknownDevice', 'sendUnknownDevice', 'SEND from a device never created', [], { code: 'UNKNOWN_DEVICE' }),
    R('sendRecipientNotRegistered', 'sendRecipientNotRegistered', 'SEND to an account with no primary', ['E2E-02'], { code: 'NOT_REGISTERED' }),
    R('sendSignedOut', 'sendSignedOut', 'SEND from a signed-out companion', ['EXP-03', 'E2E-03'], { code: 'SIGNED_OUT' }),
    R('sendNotLinked', 'sendNotLinked', 'SEND from a companion never linked, or still linking', ['AUTH-02', 'EXP-03'], { code: 'NOT_LINKED' }),
    R('sendOffline', 'sendOffline', 'SEND from an offline device', ['OFF-01'], { code: 'DEVICE_OFFLINE' }),
    R('sendAccepted', 'sendAccepted', "The message is appended to the sender's messages and reaches every other linked device of both accounts: now if online, else on reconnect", ['E2E-02', 'OFF-01', 'OFF-02'], { effect: 'send' }),
  ],
} satisfies Record<string, readonly Rule[]>;

const TIME_IN_ACCOUNT: readonly Rule[] = [
  R('companionIdleReached', 'companionIdleReached', 'A linked companion offline for companionIdleMs is signed out (idle); version increases', ['EXP-04', 'LIMIT-02', 'E2E-03', 'LIFE-02'], { effect: 'companionIdle', companion: 'linked.offline → signed-out (idle)' }),
  R('codeLifetimeReached', 'codeLifetimeReached', "A companion's active code reaches its lifetime: expired; the companion becomes idle", ['PAIR-06'], { effect: 'codeExpired', companion: 'linking.code → idle' }),
  R('qrAttemptOver', 'qrAttemptOver', "The last QR reference's window closes: the attempt ends, the companion becomes idle", ['PAIR-04'], { effect: 'qrAttemptEnded', companion: 'linking.qr → idle' }),
];

const PRIMARY_GOES_OFFLINE = R('primaryGoesOffline', 'primaryGoesOffline', "The primary goes offline: its dormancy window starts; messages for it are queued", ['EXP-01', 'OFF-01', 'OFF-02'], { effect: 'goOffline', target: 'primaryOffline' });
const PRIMARY_GOES_ONLINE = R('primaryGoesOnline', 'primaryGoesOnline', 'The primary reconnects: it receives what was queued for it, in order; its dormancy window ends', ['EXP-02', 'OFF-02'], { effect: 'goOnline', target: 'primaryOnline' });
const DORMANCY = R('primaryDormancyReached', 'primaryDormancyReached', 'The primary has been offline for primaryDormancyMs: every linked companion is signed out (primary-dormant); version increases if any was', ['EXP-01', 'LIMIT-02', 'E2E-03', 'LIFE-02'], { effect: 'primaryDormant', target: 'primaryDormant', companion: 'linked → signed-out (primary-dormant)' });

export function accountRegion(account: AccountId) {
  const at = (path: string) => (path ? `${account}.${path}` : account);
  const timeRules = TIME_IN_ACCOUNT.map((r) => toConfig(at(''), account, r, false));
  return {
    description: `Account ${account}: its primary's lifecycle, and its companions' lifecycles kept in the context`,
    meta: { requirements: ['LIFE-01', 'PAIR-01', 'LIMIT-01'] },
    initial: 'unregistered',
    on: onEvents(at(''), account, CONNECTIVITY),
    always: timeRules,
    states: {
      unregistered: {
        description: `Account ${account} has no registered primary (never registered, or logged out); no companion is linked`,
        meta: { requirements: ['LIFE-01'] },
        on: onEvents(at('unregistered'), account, UNREGISTERED),
      },
      registered: {
        description: `Account ${account} has a registered primary that alone authorizes companions`,
        meta: { requirements: ['AUTH-01', 'LIFE-01', 'LIFE-02'] },
        initial: 'primaryOnline',
        on: onEvents(at('registered'), account, REGISTERED),
        states: {
          primaryOnline: {
            description: 'The primary is connected: no dormancy window runs',
            meta: { requirements: ['EXP-02', 'OFF-01'] },
            on: { GO_OFFLINE: [toConfig(at('registered.primaryOnline'), account, PRIMARY_GOES_OFFLINE)] },
          },
          primaryOffline: {
            description: 'The primary is offline and its dormancy window runs; companions keep working',
            meta: { requirements: ['EXP-01', 'OFF-01'] },
            on: { GO_ONLINE: [toConfig(at('registered.primaryOffline'), account, PRIMARY_GOES_ONLINE)] },
            always: [toConfig(at('registered.primaryOffline'), account, DORMANCY, false)],
          },
          primaryDormant: {
            description: 'The primary stayed offline for the whole window: every companion was signed out, none is linked until it reconnects',
            meta: { requirements: ['EXP-01', 'EXP-03'] },
            on: { GO_ONLINE: [toConfig(at('registered.primaryDormant'), account, PRIMARY_GOES_ONLINE)] },
          },
        },
      },
    },
  };
}
