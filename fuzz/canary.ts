/**
 * The canary: two honest accounts on the server being fuzzed, whose users must not notice the
 * fuzzing (issue 6). Account A has a primary and a companion linked by QR; account B a primary.
 * A round: A's primary messages B, and both B's primary and A's companion get it (E2E-02,
 * OFF-01). At the end a new companion links to B by QR (PAIR-01/02 still work), and both
 * accounts' device lists still verify with exactly the devices the canary linked (AUTH-01/02/03,
 * LIFE-02: nobody fuzzing added, removed or re-signed anything).
 */
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';

export type CanaryOutcome = { readonly ok: true; readonly rounds: number } | { readonly ok: false; readonly rounds: number; readonly reason: string };

const WAIT_MS = 5_000;

async function until(what: string, done: () => boolean, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`canary: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The number-verification codes the server sent (LIFE-03): the canary's phones read their SMS here. */
export type CodeReader = (phone: string) => string | null;

function device(url: string, role: 'primary' | 'companion', name: string, codes?: CodeReader): DeviceClient {
  return new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: codes });
}

/** Link `companion` (connected) to `primary` by QR, as a user would. */
export async function linkByQr(primary: DeviceClient, companion: DeviceClient): Promise<void> {
  const started = await companion.startQr(primary.phone!);
  if (!started.ok) throw new Error(`canary: startQr refused ${started.code}`);
  await until('the QR reference', () => companion.qrText() !== null);
  const r = await primary.scanQr(companion.qrText()!, 'pass');
  if (!r.ok) throw new Error(`canary: scanQr refused ${r.code}`);
  await until('the companion linked', () => companion.status === 'linked');
}

export class Canary {
  static readonly PHONE_A = '+15550000001';
  static readonly PHONE_B = '+15550000002';
  rounds = 0;
  private failure: string | undefined;

  private constructor(private readonly url: string, readonly a: DeviceClient, readonly aLaptop: DeviceClient, readonly b: DeviceClient) {}

  static async start(url: string, codes: CodeReader): Promise<Canary> {
    const a = device(url, 'primary', 'canary A phone', codes);
    const b = device(url, 'primary', 'canary B phone', codes);
    const aLaptop = device(url, 'companion', 'canary A laptop');
    for (const [c, phone] of [[a, Canary.PHONE_A], [b, Canary.PHONE_B]] as const) {
      const r = await c.register(phone, { idCheck: false });
      if (!r.ok) throw new Error(`canary: register ${phone} refused ${r.code}`);
    }
    await aLaptop.connect();
    await linkByQr(a, aLaptop);
    return new Canary(url, a, aLaptop, b);
  }

  /** Public ids the fuzzer aims at. */
  get phones(): string[] { return [Canary.PHONE_A, Canary.PHONE_B]; }
  get deviceIds(): string[] { return [this.a.deviceId!, this.aLaptop.deviceId!, this.b.deviceId!]; }

  /** One message A -> B, seen by B and by A's companion. Records the first failure. */
  async round(): Promise<void> {
    if (this.failure) return;
    const id = `canary-${++this.rounds}`;
    try {
      const r = await this.a.send(Canary.PHONE_B, id);
      if (!r.ok) throw new Error(`canary: send refused ${r.code}`);
      await until(`B receiving ${id}`, () => this.b.messages.includes(id));
      await until(`A's laptop receiving ${id}`, () => this.aLaptop.messages.includes(id));
    } catch (e) {
      this.failure = e instanceof Error ? e.message : String(e);
    }
  }

  /** The final checks: one more round, a new link, device lists as the canary made them. */
  async finish(): Promise<CanaryOutcome> {
    await this.round();
    const extra = device(this.url, 'companion', 'canary B laptop');
    try {
      if (this.failure) throw new Error(this.failure);
      for (const c of [this.a, this.aLaptop, this.b]) {
        if (!c.online || c.status !== 'linked') throw new Error(`canary: ${c.name} is ${c.online ? c.status : 'offline'}`);
      }
      await extra.connect();
      await linkByQr(this.b, extra);
      const expected: Array<[DeviceClient, string, string[]]> = [
        [this.b, Canary.PHONE_A, [this.a.deviceId!, this.aLaptop.deviceId!]],
        [this.a, Canary.PHONE_B, [this.b.deviceId!, extra.deviceId!]],
      ];
      for (const [viewer, phone, ids] of expected) {
        const trusted = await viewer.trustedDevices(phone);
        if (!trusted.ok) throw new Error(`canary: ${phone}'s device list does not verify (${trusted.code})`);
        const got = trusted.value.map((d) => d.id).sort();
        if (JSON.stringify(got) !== JSON.stringify([...ids].sort())) throw new Error(`canary: ${phone}'s trusted devices changed: ${got.length} devices`);
      }
      return { ok: true, rounds: this.rounds };
    } catch (e) {
      return { ok: false, rounds: this.rounds, reason: e instanceof Error ? e.message : String(e) };
    } finally {
      await extra.close();
    }
  }

  async close(): Promise<void> {
    for (const c of [this.a, this.aLaptop, this.b]) await c.close();
  }
}
