/**
 * The statechart: the normative semantics of model/events.ts as an XState 5 machine. Three
 * parallel regions: the clock (ADVANCE processes deadlines one at a time, in time order, through
 * eventless transitions: no timers, no `after`, no invoke), and one region per account
 * (accountRegion.ts). Guards are rules.ts, actions are effects.ts; every transition's meta names
 * its element id, the requirement IDs it serves and, for a refusal, the error code.
 *
 * The machine takes `input: { profile }` and starts as the empty world.
 */
import { assign, setup } from 'xstate';
import type { AccountId, LinkEvent } from './events.js';
import type { OperationErrorCode } from './errors.js';
import { dueDeadline } from './deadlines.js';
import { EFFECTS, type Effect, type EffectName } from './effects.js';
import type { Profile } from './profile.js';
import { RULES } from './rules.js';
import { accountRegion } from './accountRegion.js';
import { accountOfEvent, initialWorld, type World } from './world.js';
import { refuse } from './worldEffects.js';
import type { RuleParams, TransitionMeta } from './transitionSpec.js';

export const MACHINE_ID = 'link';

function traced(next: World, before: World, via: string): World {
  return { ...next, trace: [...before.trace, via] };
}

export function createLinkMachine(options: { rules?: Partial<typeof RULES>; effects?: Partial<typeof EFFECTS> } = {}) {
  // `options` exists so tests can build deliberately broken copies (explore.test.ts).
  const rules = { ...RULES, ...options.rules };
  const effects: Record<EffectName, Effect> = { ...EFFECTS, ...options.effects };
  return setup({
    types: {
      context: {} as World,
      events: {} as LinkEvent,
      input: {} as { profile: Profile },
    },
    guards: {
      rule: ({ context, event }, p: RuleParams) =>
        (!p.routed || accountOfEvent(event) === p.account) && rules[p.rule](context, event, p.account as AccountId),
      noDeadlineDue: ({ context }) => dueDeadline(context) === null,
    },
    actions: {
      // `via` is the transition's element id: the trace lets the explorer see which fired.
      apply: assign(({ context, event }, p: { effect: EffectName; account: AccountId | null; via: string }) =>
        traced(effects[p.effect](context, event, p.account), context, p.via)),
      refuse: assign(({ context }, p: { code: OperationErrorCode; via: string }) => traced(refuse(context, p.code), context, p.via)),
    },
  }).createMachine({
    id: MACHINE_ID,
    description: 'Multi-device accounts: two accounts A and B, each a primary and up to six symbolic companions, and a virtual clock',
    meta: { requirements: [] },
    type: 'parallel',
    context: ({ input }) => initialWorld(input.profile),
    states: {
      clock: {
        description: 'Virtual time: ADVANCE moves it; deadlines reached are processed in time order',
        meta: { requirements: ['EXP-01', 'PAIR-04'] },
        initial: 'idle',
        states: {
          idle: {
            description: 'No time is passing',
            meta: { requirements: [] },
            on: {
              ADVANCE: [{
                target: 'advancing',
                actions: [{ type: 'apply', params: { effect: 'beginAdvance', account: null, via: 'clock.idle/advance' } }],
                description: 'Time starts to pass towards now + ms (never refused)',
                meta: { id: 'clock.idle/advance', requirements: ['EXP-01', 'EXP-02', 'PAIR-04', 'PAIR-06'] } satisfies TransitionMeta,
              }],
              RESTART: [{
                actions: [{ type: 'apply', params: { effect: 'accept', account: null, via: 'clock.idle/restart' } }],
                description: 'The server restarts: nothing acknowledged is lost; no observable change (never refused)',
                meta: { id: 'clock.idle/restart', requirements: ['OFF-02'] } satisfies TransitionMeta,
              }],
            },
          },
          advancing: {
            description: 'Time is passing: each deadline reached is taken, earliest first, until none is left',
            meta: { requirements: ['EXP-01', 'EXP-04', 'PAIR-04', 'PAIR-06'] },
            always: [{
              guard: 'noDeadlineDue',
              target: 'idle',
              actions: [{ type: 'apply', params: { effect: 'finishAdvance', account: null, via: 'clock.advancing/land' } }],
              description: 'No deadline left before the target time: the clock lands on it',
              meta: { id: 'clock.advancing/land', requirements: ['EXP-01', 'EXP-02'] } satisfies TransitionMeta,
            }],
          },
        },
      },
      A: accountRegion('A'),
      B: accountRegion('B'),
    },
  });
}

export const linkMachine = createLinkMachine();
export type LinkMachine = typeof linkMachine;
