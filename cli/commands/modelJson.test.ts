/**
 * model.json runs: XState's createMachine on the JSON (with the project's named guards and
 * actions, the only things JSON cannot carry) starts as an actor and follows the project's own
 * machine event for event - same state value, same context - over thousands of random steps drawn
 * by the harness's own step generator, for the default profile and the Signal-like one.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createActor, createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../profileFile.js';
import { CAPABILITIES, type Capability } from '../../conformance/contract.js';
import { stepCommandArbitrary } from '../../conformance/stepCommands.js';
import type { LinkEvent } from '../../model/events.js';
import { linkMachine } from '../../model/linkMachine.js';
import { DEFAULT_PROFILE, type Profile } from '../../model/profile.js';
import { modelJson } from './model.js';

function follow(profile: Profile, seed: number, sequences: number, length: number): { events: number; divergences: string[] } {
  const config = JSON.parse(modelJson(profile)) as Parameters<typeof createMachine>[0];
  const fromJson = createMachine(config, linkMachine.implementations as Parameters<typeof createMachine>[1]);
  const moves = fc.sample(fc.array(stepCommandArbitrary(profile, new Set(Object.keys(CAPABILITIES) as Capability[])), { minLength: length, maxLength: length }), { numRuns: sequences, seed });
  let events = 0;
  const divergences: string[] = [];
  for (const sequence of moves) {
    const json = createActor(fromJson).start();
    const own = createActor(linkMachine, { input: { profile } }).start();
    expect(json.getSnapshot().value).toEqual(own.getSnapshot().value);
    expect(json.getSnapshot().context).toEqual(own.getSnapshot().context);
    // Both accounts registered first, so the walk reaches linking, limits and expiry.
    const steps: LinkEvent[] = [{ type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REGISTER', account: 'B', idCheck: true }, ...sequence.flat().map((c) => c.event)];
    for (const [i, event] of steps.entries()) {
      json.send(event as never);
      own.send(event);
      events += 1;
      const a = json.getSnapshot();
      const b = own.getSnapshot();
      if (JSON.stringify(a.value) !== JSON.stringify(b.value) || JSON.stringify(a.context) !== JSON.stringify(b.context)) {
        divergences.push(`step ${i + 1} ${JSON.stringify(event)}`);
        break;
      }
    }
  }
  return { events, divergences };
}

describe('model.json as an XState actor', () => {
  it('has a string initial on every compound state and the profile\'s empty world as context', () => {
    const json = JSON.parse(modelJson(DEFAULT_PROFILE));
    expect(json.states.clock.initial).toBe('idle');
    expect(json.initial).toBeUndefined();
    expect(json.context.profile).toEqual(DEFAULT_PROFILE);
  });

  it('follows the project\'s machine: 0 divergences over 3,000+ random events (default profile)', () => {
    const { events, divergences } = follow(DEFAULT_PROFILE, 20261129, 70, 40);
    expect(divergences).toEqual([]);
    expect(events).toBeGreaterThanOrEqual(3000);
  });

  it('follows it under another profile too', () => {
    const signal = parseProfile(JSON.parse(readFileSync(new URL('../../profiles/signal-like.json', import.meta.url), 'utf8')), 'signal-like.json');
    const { events, divergences } = follow(signal, 7, 20, 40);
    expect(divergences).toEqual([]);
    expect(events).toBeGreaterThanOrEqual(800);
  });

  it('would notice a machine that does not follow (the comparison can fail)', () => {
    const json = JSON.parse(modelJson(DEFAULT_PROFILE));
    json.states.clock.states.idle.on.ADVANCE[0].target = ['#link.clock.idle'];
    const fromJson = createMachine(json, linkMachine.implementations as Parameters<typeof createMachine>[1]);
    const a = createActor(fromJson).start();
    const b = createActor(linkMachine, { input: { profile: DEFAULT_PROFILE } }).start();
    a.send({ type: 'REGISTER', account: 'A', idCheck: false } as never);
    b.send({ type: 'REGISTER', account: 'A', idCheck: false });
    a.send({ type: 'ADVANCE', ms: DEFAULT_PROFILE.primaryDormancyMs } as never);
    b.send({ type: 'ADVANCE', ms: DEFAULT_PROFILE.primaryDormancyMs });
    expect(JSON.stringify(a.getSnapshot().context)).not.toBe(JSON.stringify(b.getSnapshot().context));
  });
});
