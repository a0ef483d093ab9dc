/**
 * Cluster benchmarks (issue 13): pairing and fan-out on a reference cluster of ONE node against
 * TWO nodes, measured in the same run (baseline = 1 node, ratio = 2 nodes / 1 node). Both
 * clusters run on the local PostgreSQL and Redis, each in a fresh schema; devices are spread
 * over the nodes (a companion on another node than its primary, recipients over both), so with
 * two nodes every link offer and delivery crosses the bus. Loops are bounded by time and count.
 * Without PostgreSQL/Redis one line says so (`skipped`).
 */
import { DEFAULT_PROFILE } from '../model/profile.js';
import { DeviceClient } from '../reference/client/device.js';
import { linkByQr } from '../fuzz/canary.js';
import { ClusterNodes } from '../adapters/cluster/nodes.js';
import { describeMissing, probeServices } from '../adapters/cluster/services.js';
import type { BenchLine } from './line.js';
import { codeFromTestControl } from '../reference/client/verificationCodes.js';
import type { OpResult } from '../model/errors.js';

/** A refused registration would make every later step fail obscurely (a phone without a number). */
function registered(r: OpResult): void {
  if (!r.ok) throw new Error(`cluster bench: register refused ${r.code}`);
}

async function pairingPerSec(urls: readonly string[], ms: number, lanes: number): Promise<{ perSec: number; linked: number }> {
  const open: DeviceClient[] = [];
  const device = (url: string, role: 'primary' | 'companion', name: string) => {
    // The SMS of number verification (LIFE-03) is read from the outbox of the node the phone talks to.
    const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => codeFromTestControl(url, phone) });
    open.push(c);
    return c;
  };
  let linked = 0;
  let accounts = 0;
  try {
    const end = performance.now() + ms;
    const lane = async (l: number) => {
      while (performance.now() < end) {
        const phone = device(urls[l % urls.length]!, 'primary', `P${l}`);
        registered(await phone.register(`+41${l}0${++accounts}`, { idCheck: false }));
        for (let i = 0; i < DEFAULT_PROFILE.maxCompanions && performance.now() < end; i++) {
          const companion = device(urls[(l + 1 + i) % urls.length]!, 'companion', `C${l}.${i}`);
          await companion.connect();
          await linkByQr(phone, companion);
          linked++;
          await companion.close();
        }
        await phone.close();
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
    return { perSec: Math.round((linked * 1000) / (performance.now() - t0)), linked };
  } finally {
    for (const c of open) await c.close().catch(() => undefined);
  }
}

/** One account with a primary and 4 companions spread over the nodes; `senders` accounts send to it. */
async function fanoutPerSec(urls: readonly string[], ms: number, senders: number): Promise<{ deliveriesPerSec: number; sent: number }> {
  const open: DeviceClient[] = [];
  const device = (url: string, role: 'primary' | 'companion', name: string) => {
    // The SMS of number verification (LIFE-03) is read from the outbox of the node the phone talks to.
    const c = new DeviceClient({ url, role, name, platform: 'web', profile: DEFAULT_PROFILE, verificationCode: (phone) => codeFromTestControl(url, phone) });
    open.push(c);
    return c;
  };
  try {
    const target = device(urls[0]!, 'primary', 'T');
    registered(await target.register('+42000001', { idCheck: false }));
    const recipients = [target];
    for (let i = 0; i < DEFAULT_PROFILE.maxCompanions; i++) {
      const c = device(urls[(i + 1) % urls.length]!, 'companion', `T.c${i}`);
      await c.connect();
      await linkByQr(target, c);
      recipients.push(c);
    }
    const from = await Promise.all(Array.from({ length: senders }, async (_, s) => {
      const p = device(urls[(s + 1) % urls.length]!, 'primary', `S${s}`);
      registered(await p.register(`+4210000${s}`, { idCheck: false }));
      return p;
    }));
    let sent = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    await Promise.all(from.map(async (p, s) => {
      for (let i = 0; performance.now() < end && i < 5_000; i++) {
        const r = await p.send('+42000001', `f${s}.${i}`);
        if (r.ok) sent++;
      }
    }));
    // Every recipient holds every message: the deliveries are done (bounded wait).
    const deadline = performance.now() + 20_000;
    while (recipients.some((r) => r.messages.length < sent) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const delivered = recipients.reduce((n, r) => n + Math.min(r.messages.length, sent), 0);
    return { deliveriesPerSec: Math.round((delivered * 1000) / (performance.now() - t0)), sent };
  } finally {
    for (const c of open) await c.close().catch(() => undefined);
  }
}

export async function benchCluster(options: { ms?: number } = {}): Promise<BenchLine[]> {
  const ms = options.ms ?? 3_000;
  const missing = describeMissing(await probeServices());
  if (missing && /postgres|redis/.test(missing)) return [{ bench: 'cluster', skipped: `PostgreSQL/Redis not answering: ${missing}` }];
  const results: Record<number, { pairing: { perSec: number; linked: number }; fanout: { deliveriesPerSec: number; sent: number } }> = {};
  for (const n of [1, 2]) {
    const nodes = await ClusterNodes.start(n);
    try {
      results[n] = { pairing: await pairingPerSec(nodes.urls, ms, 8), fanout: await fanoutPerSec(nodes.urls, ms, 4) };
    } finally {
      await nodes.close();
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100) / 100);
  return [
    { bench: 'cluster.pairing', nodes: 2, pairingsPerSec: results[2]!.pairing.perSec, pairings: results[2]!.pairing.linked, baseline: '1 node', baselinePairingsPerSec: results[1]!.pairing.perSec, ratio: ratio(results[2]!.pairing.perSec, results[1]!.pairing.perSec) },
    { bench: 'cluster.fanout', nodes: 2, recipientsPerMessage: 1 + DEFAULT_PROFILE.maxCompanions, deliveriesPerSec: results[2]!.fanout.deliveriesPerSec, messages: results[2]!.fanout.sent, baseline: '1 node', baselineDeliveriesPerSec: results[1]!.fanout.deliveriesPerSec, ratio: ratio(results[2]!.fanout.deliveriesPerSec, results[1]!.fanout.deliveriesPerSec) },
  ];
}
