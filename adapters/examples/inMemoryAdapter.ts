/**
 * The worked example of ADAPTERS.md: a complete adapter module around InMemoryWorld, loadable as
 *   linkspec run --adapter ./adapters/examples/inMemoryAdapter.ts
 * or servable as a remote driver with `linkspec driver --adapter ./adapters/examples/inMemoryAdapter.ts`.
 *
 * What a module must export: a default export that is an Adapter, or a (possibly async) no-arg
 * factory returning one. Capabilities are honest: it draws its QR as a real PNG (with `qrcode`),
 * so 'qr-image' holds; it has no server to inject into, no relayed traffic and no signed device
 * lists, so 'server-injection', 'traffic-inspection' and 'device-list-inspection' are absent and
 * those checks are SKIPPED, never passed.
 */
import QRCode from 'qrcode';
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import type { Profile } from '../../model/profile.js';
import { InMemoryWorld } from './inMemoryWorld.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'qr-image', 'pairing-code', 'id-check', 'clock', 'offline', 'messaging', 'history', 'notices', 'lifecycle', 'restart',
]);

function openWorld(profile: Profile): Driver {
  const world = new InMemoryWorld(profile);
  return {
    register: async (account, { idCheck }) => world.register(account, idCheck),
    reregister: async (account) => world.reregister(account),
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
    enterPairingCode: async (by, code, idCheck) => world.enterCode(by, code, idCheck),
    unlink: async (by, target) => world.unlink(by, target),
    send: async (from, messageId) => world.send(from, messageId),
    advanceClock: async (ms) => world.advance(ms),
    // Nothing is held outside memory, so a restart loses nothing by construction.
    restart: async () => undefined,
    // Every step completes synchronously: the world is always quiescent when observed.
    observe: async () => world.observe(),
    close: async () => undefined,
  };
}

export function createInMemoryAdapter(): Adapter {
  return {
    name: 'in-memory-example',
    description: 'Worked example: events.ts semantics in a few maps (no crypto, no sockets).',
    capabilities: CAPABILITIES,
    open: async (profile) => openWorld(profile),
  };
}

export default createInMemoryAdapter;
