/**
 * The worked example of ADAPTERS.md: a complete adapter module around InMemoryWorld, loadable as
 *   linkspec run --adapter ./adapters/examples/inMemoryAdapter.ts
 * or servable as a remote driver with `linkspec driver --adapter ./adapters/examples/inMemoryAdapter.ts`.
 *
 * What a module must export: a default export that is an Adapter, or a (possibly async) no-arg
 * factory returning one. Capabilities are honest: it draws its QR as a real PNG (with `qrcode`),
 * so 'qr-image' holds; it has no real server, no real encryption and no signed device lists, so
 * by default 'server-injection', 'traffic-inspection' and 'device-list-inspection' are absent and
 * those checks are SKIPPED, never passed.
 *
 * Options exist for the harness's own tests (conformance/test/fixtures/memoryAdapter.ts), never
 * for a team's run: `serverStandIns` declares the two server capabilities over the world's toy
 * relay and injection (enough to give those checks a correct and a broken subject, proof of
 * nothing), and `bugs` switches in deliberate deviations (inMemoryBugs.ts) the harness must catch.
 */
import QRCode from 'qrcode';
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import type { Profile } from '../../model/profile.js';
import { bugsOn, type Bugs } from './inMemoryBugs.js';
import { InMemoryWorld } from './inMemoryWorld.js';

export const IN_MEMORY_CAPABILITIES: readonly Capability[] = [
  'qr-image', 'pairing-code', 'id-check', 'clock', 'offline', 'messaging', 'history', 'notices', 'lifecycle', 'restart',
  'key-change-notice',
  // Each operation changes the world in one synchronous step, so overlapping calls are atomic (race-* checks).
  'concurrency',
];
/** What `serverStandIns` adds: the world plays the server, with a toy seal for a cipher. */
export const SERVER_STAND_IN_CAPABILITIES: readonly Capability[] = ['server-injection', 'traffic-inspection', 'server-traffic'];

export interface InMemoryOptions {
  /** Deliberate bugs for testing the harness itself; none by default. */
  readonly bugs?: Bugs;
  /** Declare 'server-injection' and 'traffic-inspection' over the world's stand-ins (harness tests only). */
  readonly serverStandIns?: boolean;
  /** Declare only these (a subset, to test how the harness skips); default: all the adapter has. */
  readonly capabilities?: readonly Capability[];
  readonly name?: string;
}

function openWorld(profile: Profile, bugs: Bugs, serverStandIns: boolean): Driver {
  const world = new InMemoryWorld(profile, bugs);
  return {
    register: async (account, { idCheck }) => world.register(account, idCheck),
    reregister: async (account, { proof }) => world.reregister(account, proof),
    logout: async (account) => world.logout(account),
    setOnline: async (device, online) => world.setOnline(device, online),
    startQrLinking: async (device, info) => world.startQr(device, info),
    qrImage: async (device) => {
      const text = world.qrText(device);
      if (!text.ok) return text;
      // Byte mode keeps the text exactly as the harness will decode it.
      return { ok: true, value: new Uint8Array(await QRCode.toBuffer([{ data: Buffer.from(text.value, 'utf8'), mode: 'byte' }], { type: 'png', margin: 4, scale: 4 })) };
    },
    scanQr: async (by, qrText, idCheck) => world.scanQr(by, qrText, idCheck),
    cancelLinking: async (device) => world.cancelLinking(device),
    requestPairingCode: async (device, info) => world.requestCode(device, info),
    enterPairingCode: async (by, companion, code, idCheck) => world.enterCode(by, companion, code, idCheck),
    unlink: async (by, target) => world.unlink(by, target),
    send: async (from, messageId) => world.send(from, messageId),
    advanceClock: async (ms) => world.advance(ms),
    // Nothing is held outside memory, so a restart loses nothing by construction.
    restart: async () => world.restart(),
    // Every step completes synchronously: the world is always quiescent when observed.
    observe: async () => world.observe(),
    keyChangeNotices: async (device) => world.keyChangeNotices(device),
    ...(serverStandIns ? {
      injectDevice: async (account, name) => world.inject(account, name),
      injectedDeviceReceived: async (account, name) => world.injectedReceived(account, name),
      relayedPayloads: async () => world.relayedPayloads(),
      serverTraffic: async () => world.serverTraffic(),
    } satisfies Partial<Driver> : {}),
    close: async () => undefined,
  };
}

export function createInMemoryAdapter(options: InMemoryOptions = {}): Adapter {
  const bugs = options.bugs ?? {};
  const broken = bugsOn(bugs);
  const all = [...IN_MEMORY_CAPABILITIES, ...(options.serverStandIns ? SERVER_STAND_IN_CAPABILITIES : [])];
  return {
    name: options.name ?? (broken.length > 0 ? `in-memory-example-broken(${broken.join(',')})` : 'in-memory-example'),
    description: 'Worked example: events.ts semantics in a few maps (no crypto, no sockets).',
    capabilities: new Set(options.capabilities ?? all),
    open: async (profile) => openWorld(profile, bugs, options.serverStandIns === true),
  };
}

export default createInMemoryAdapter;
