/**
 * Node failure (issue 13): a cluster node killed with SIGKILL loses nothing the cluster
 * acknowledged (OFF-02: stored before the `result` frame), and its devices reconnect to another
 * node and carry on: they get what was queued for them, send, and receive.
 * Skipped, with one printed line, where PostgreSQL/Redis do not answer (CI fails instead).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createStepTranslator } from '../../conformance/translate.js';
import type { LinkEvent } from '../../model/events.js';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { ReferenceDriver } from '../reference/driver.js';
import { ClusterNodes } from './nodes.js';

/** Bounded wait for a condition the cluster reaches by itself (real time bounds it, never decides it). */
async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!inject('clusterServices'))('a cluster node killed with SIGKILL', () => {
  let nodes: ClusterNodes | undefined;
  afterAll(async () => { await nodes?.close(); });

  it('loses nothing acknowledged; its devices reconnect to the surviving node', async () => {
    nodes = await ClusterNodes.start(2);
    const [survivor, victim] = nodes.urls;
    // Placement in turn: A.primary -> survivor, B.primary -> victim, A.c1 -> survivor. Test control on the survivor.
    const driver = await ReferenceDriver.open({ url: survivor, nodes: [survivor, victim], close: async () => undefined }, DEFAULT_PROFILE);
    const steps = createStepTranslator(driver, DEFAULT_PROFILE);
    const setup: LinkEvent[] = [
      { type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REGISTER', account: 'B', idCheck: false },
      { type: 'SHOW_QR', device: 'A.c1' }, { type: 'SCAN_QR', device: 'A.c1', by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' },
      { type: 'GO_OFFLINE', device: 'A.c1' },
      { type: 'SEND', from: 'B.primary', id: 'before-1' }, // acknowledged by the victim node: queued for A.c1
      { type: 'SEND', from: 'A.primary', id: 'to-b-1' }, // delivered to B.primary on the victim node
    ];
    for (const event of setup) expect((await steps.apply(event)).result, event.type).toEqual({ ok: true });

    const b = driver.client('B.primary')!;
    const a = driver.client('A.primary')!;
    const c1 = driver.client('A.c1')!;
    // B.primary sends and the victim acknowledges; then the victim dies at once, no orderly shutdown.
    expect(await b.send('+15550000001', 'before-2')).toEqual({ ok: true });
    nodes.kill(1);
    await until('the victim exited', () => nodes!.nodes[1]!.child.signalCode === 'SIGKILL');

    // B's device reconnects to the survivor; A.c1 comes back online there too.
    await b.dropConnection();
    b.url = survivor;
    expect(await b.connect()).toEqual({ ok: true });
    c1.url = survivor;
    expect(await c1.connect()).toEqual({ ok: true });
    await until('A.c1 has everything acknowledged while it was away', () => ['before-1', 'before-2'].every((m) => c1.messages.includes(m)));
    await until('A.primary has both of B\'s messages', () => ['before-1', 'before-2'].every((m) => a.messages.includes(m)));
    expect(b.messages).toContain('to-b-1');

    // And the cluster carries on with one node: messages both ways.
    expect(await b.send('+15550000001', 'after-1')).toEqual({ ok: true });
    expect(await a.send('+15550000002', 'after-2')).toEqual({ ok: true });
    await until('deliveries after the failure', () => c1.messages.includes('after-1') && a.messages.includes('after-1') && b.messages.includes('after-2'));
    // Each message once (OFF-02).
    for (const m of ['before-1', 'before-2', 'after-1']) expect(c1.messages.filter((x) => x === m)).toHaveLength(1);
    for (const client of [a, b, c1]) await client.close();
  }, 120_000);
});
