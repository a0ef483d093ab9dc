/**
 * Pairing throughput (issue 6; PAIR-01, PAIR-02, PAIR-07, AUTH-01): QR scanned -> linked per
 * second against the reference server in its own process, every signature checked on every side
 * (the server checks the companion's bind and box-key signatures, the primary's account and
 * device-list signatures and the companion's device signature; the companion checks the HMAC of
 * its secret and the account signature; the primary checks the list it extends). The QR is
 * handed over as text: rendering and decoding the image (qrcode + jsqr) is the harness's camera,
 * not the server, and is left out. Several accounts link in parallel; each links four
 * companions, then a fresh account takes its place (LIMIT-01).
 */
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';
import { linkByQr } from '../fuzz/canary.js';
import { startChildServer } from './child.js';
import type { BenchLine } from './line.js';

export async function benchPairing(options: { ms?: number; lanes?: number; profileDir?: string } = {}): Promise<BenchLine[]> {
  const ms = options.ms ?? 4_000;
  const lanes = options.lanes ?? 8;
  const server = await startChildServer('reference', options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []);
  const open: DeviceClient[] = [];
  const device = (role: 'primary' | 'companion', name: string) => {
    const c = new DeviceClient({ url: server.url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => server.verificationCode(phone) });
    open.push(c);
    return c;
  };
  let linked = 0;
  let accounts = 0;
  try {
    const end = performance.now() + ms;
    let started = 0;
    const lane = async (l: number) => {
      while (performance.now() < end) {
        const phone = device('primary', `P${l}`);
        await phone.register(`+40${l}0${++accounts}`, { idCheck: false });
        for (let i = 0; i < DEFAULT_PROFILE.maxCompanions && performance.now() < end; i++) {
          const companion = device('companion', `C${l}.${i}`);
          await companion.connect();
          started++;
          await linkByQr(phone, companion);
          linked++;
          await companion.close();
        }
        await phone.close();
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
    const elapsed = performance.now() - t0;
    const perSec = Math.round((linked * 1000) / elapsed);
    return [{ bench: 'server.pairing', pairingsPerSec: perSec, pairings: linked, started, accounts, lanes, wallMs: Math.round(elapsed), target: '>= 1000/s', met: perSec >= 1_000 }];
  } finally {
    for (const c of open) await c.close().catch(() => undefined);
    await server.stop();
  }
}
