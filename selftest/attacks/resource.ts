// Class 5: resource exhaustion, loopback only, bounded (each attack ≤ ~20 s). PROTOCOL.md §1 "Limits and close codes".
// usage: node --import tsx resource.ts [attack ...]   (default: all)
import * as L from './lib.ts';
import * as fs from 'node:fs';
import { execSync } from 'node:child_process';
import nacl from 'tweetnacl';
import * as crypto from 'node:crypto';
const { verdict, b64 } = L;
const which = process.argv.slice(2);
const want = (k: string) => which.length === 0 || which.includes(k);
const srv = await L.startServer();
let ph = 0;
const phone = () => `+1557${String(process.pid % 1000).padStart(3, '0')}${String(++ph).padStart(4, '0')}`;

function rssKiB(pid: number): number {
  let total = 0;
  const kids = (p: number): number[] => { try { return execSync(`pgrep -P ${p}`).toString().trim().split(/\s+/).filter(Boolean).map(Number); } catch { return []; } };
  const walk = (p: number) => { try { const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8')); if (m) total += Number(m[1]); } catch {} for (const k of kids(p)) walk(k); };
  walk(pid);
  return total;
}
// A probe in a separate process (so the attacker's own CPU use does not show up as server latency).
import { spawn } from 'node:child_process';
function probe(ms: number): Promise<{ ready: Promise<void>; done: Promise<any> }> {
  const p = spawn('node', ['--import', 'tsx', 'probe.ts', srv.url, srv.codesFile, String(ms), phone()], { cwd: new URL('.', import.meta.url).pathname });
  let out = ''; let readyRes: () => void; const ready = new Promise<void>((r) => (readyRes = r));
  p.stdout.on('data', (d) => { out += d; if (out.includes('READY')) readyRes(); });
  const done = new Promise((r) => p.on('exit', () => { const line = out.trim().split('\n').pop()!; try { r(JSON.parse(line)); } catch { r({ n: 0, errs: ['probe-failed ' + out.slice(0, 100)] }); } }));
  return Promise.resolve({ ready, done });
}
const fmt = (s: any) => `p50=${s.p50?.toFixed(1)} ms p99=${s.p99?.toFixed(1)} ms max=${s.max?.toFixed(0)} ms n=${s.n}${s.errs.length ? ' errs=' + s.errs.join('/') : ''}`;
async function measured(name: string, setup: () => Promise<any>, attack: (ctx: any, deadline: number) => Promise<string>, seconds = 10) {
  const ctx = await setup();
  const rss0 = rssKiB(srv.proc.pid!);
  const base = await (await probe(2000)).done.catch(() => null);
  const bp = await (await probe(seconds * 1000 + 1000));
  await bp.ready;
  let peak = rss0;
  const mon = setInterval(() => { peak = Math.max(peak, rssKiB(srv.proc.pid!)); }, 500);
  const info = await attack(ctx, Date.now() + seconds * 1000);
  clearInterval(mon);
  const s = await bp.done;
  const rss1 = rssKiB(srv.proc.pid!);
  const ok = s.n > 0 && s.p99 < 500 && !s.errs.some((e: string) => e === 'CLOSED' || e === 'TIMEOUT');
  verdict(`${name}: probe p99 < 500 ms`, !ok, `${fmt(s)} (baseline alone p50=${base?.p50?.toFixed(1)} p99=${base?.p99?.toFixed(1)}); server RSS ${(rss0 / 1024).toFixed(0)}→peak ${(peak / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB; ${info}; load: ${L.loadavg().replace(/.*load average: /, '')}`);
  await L.closeAll();
  await L.sleep(500);
}

try {
  console.log(`INFO start: server RSS ${(rssKiB(srv.proc.pid!) / 1024).toFixed(0)} MiB; ${L.loadavg()}`);
  if (want('nest')) await measured('deep-nesting 60 KiB frames from 60 unauthenticated sockets', () => Promise.all(Array.from({ length: 60 }, () => L.connect(srv.url))), async (cs: L.Conn[], dl) => {
    const frame = '{"type":"account.info","id":1,"phone":' + '['.repeat(60000) + ']'.repeat(10) + '}';
    let sent = 0;
    while (Date.now() < dl) {
      for (const c of cs) if (!c.closed && c.ws.bufferedAmount < 1 << 20) { c.ws.send(frame); sent++; }
      await L.sleep(5);
    }
    await L.sleep(500);
    const codes = new Map<string, number>();
    for (const c of cs) for (const e of c.frames) if (e.type === 'error' || e.type === 'result') codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    return `sent ${sent} frames (${(sent * frame.length / 2 ** 20).toFixed(0)} MiB); answers ${JSON.stringify([...codes])}; closed ${cs.filter((c) => c.closed).length}`;
  });
  for (const k of [4, 16]) if (want('big')) await measured(`1 MiB frames (half deep-nested, half a 1 MB string) from ${k} authenticated connections`, async () => { const cs: L.Conn[] = []; for (let i = 0; i < k; i++) cs.push((await L.registerNew(srv, phone())).c); return cs; }, async (cs: L.Conn[], dl) => {
    const big = JSON.stringify({ type: 'devices.get', id: 'x', phone: 'A'.repeat(1_048_000) });
    const deep = '{"type":"devices.get","id":"y","phone":' + '['.repeat(1_048_000) + '}';
    let sent = 0;
    while (Date.now() < dl) {
      for (const c of cs) if (!c.closed && c.ws.bufferedAmount < 2 << 20) { c.ws.send(sent % 2 ? big : deep); sent++; }
      await L.sleep(10);
    }
    await L.sleep(500);
    const codes = new Map<string, number>();
    for (const c of cs) for (const e of c.frames) if (e.type === 'error' || e.type === 'result') codes.set(e.code ?? 'ok', (codes.get(e.code ?? 'ok') ?? 0) + 1);
    return `sent ${sent} × ~1 MiB; answers ${JSON.stringify([...codes])}; closed ${cs.filter((c) => c.closed).length}`;
  });
  if (want('idle')) {
    // many idle unauthenticated sockets, from several loopback source addresses (per-address cap 64)
    const rss0 = rssKiB(srv.proc.pid!);
    const held: L.Conn[] = []; const refused: Record<string, number> = {};
    for (let a = 2; a <= 20; a++) {
      const addr = `127.0.0.${a}`;
      const rs = await Promise.allSettled(Array.from({ length: 64 }, () => L.connect(srv.url, { localAddress: addr })));
      for (const r of rs) if (r.status === 'fulfilled') held.push(r.value); else { const k = String(r.reason?.message).slice(0, 60); refused[k] = (refused[k] ?? 0) + 1; }
      if (held.length >= 1100) break;
    }
    await L.sleep(500);
    const rss1 = rssKiB(srv.proc.pid!);
    // a legitimate device that needs a new socket now (e.g. the victim's phone reconnecting), from a fresh address
    let legit = 'ok';
    try { const c = await L.connect(srv.url, { localAddress: '127.0.0.99' }); c.close(); } catch (e: any) { legit = String(e.message).slice(0, 90); }
    verdict('1,000 idle unauthenticated sockets from 16+ loopback addresses lock out every new connection (incl. devices reconnecting)', legit !== 'ok', `held ${held.length}; refused ${JSON.stringify(refused)}; legit connect from 127.0.0.99 → ${legit}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB (${((rss1 - rss0) / Math.max(1, held.length)).toFixed(1)} KiB/socket)`);
    for (const c of held) c.terminate();
    await L.closeAll(); await L.sleep(1000);
  }
  if (want('frag')) {
    // never-finished fragmented messages: unauthenticated (≤ 64 KiB) and authenticated (≤ 4 MiB each)
    const rss0 = rssKiB(srv.proc.pid!);
    const un: L.Conn[] = [];
    for (let a = 30; a < 34; a++) un.push(...(await Promise.all(Array.from({ length: 60 }, () => L.connect(srv.url, { localAddress: `127.0.0.${a}` })))));
    const chunk = 'x'.repeat(16 * 1024 - 1);
    for (const c of un) { c.ws.send('{"type":"account.info","id":1,"phone":"', { fin: false }); for (let i = 0; i < 3; i++) c.ws.send(chunk, { fin: false }); }
    await L.sleep(2000);
    const rss1 = rssKiB(srv.proc.pid!);
    const unClosed = un.filter((c) => c.closed).length;
    // authenticated: 16 connections (16 accounts), each 4 MiB - 64 KiB, never finished
    const au: L.Conn[] = [];
    for (let i = 0; i < 16; i++) au.push((await L.registerNew(srv, phone())).c);
    const mchunk = 'y'.repeat(256 * 1024);
    for (const c of au) { c.ws.send('{"type":"devices.get","id":1,"phone":"', { fin: false }); for (let i = 0; i < 15; i++) c.ws.send(mchunk, { fin: false }); }
    await L.sleep(3000);
    const rss2 = rssKiB(srv.proc.pid!);
    const auClosed = au.filter((c) => c.closed).map((c) => c.closed!.code);
    const s = await (await probe(3000)).done;
    const perAuth = (rss2 - rss1) / 16;
    verdict('never-finished fragmented messages: server memory per socket', perAuth > 8 * 1024 || s.p99 > 500, `unauth: 240 sockets × 48 KiB pending → RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB (${((rss1 - rss0) / 240).toFixed(0)} KiB/socket), ${unClosed} closed; auth: 16 sockets × 3.75 MiB pending → ${(rss2 / 1024).toFixed(0)} MiB (${(perAuth / 1024).toFixed(2)} MiB/socket), closed ${JSON.stringify(auClosed)}; probe ${fmt(s)}`);
    await L.closeAll(); await L.sleep(1000);
  }
  if (want('nonread')) {
    // a non-reading client: what does the server push into its socket? (window 256 deliveries / 4 MiB; close past 8 MiB unread)
    const A = phone(), B = phone();
    const { c: ac } = await L.registerNew(srv, A);
    const { c: bc0, d: bd } = await L.registerNew(srv, B);
    bc0.close();
    const bc = await L.connect(srv.url, { autoAck: false });
    await L.auth(bc, bd);
    (bc.ws as any)._socket.pause();
    const rss0 = rssKiB(srv.proc.pid!);
    const env = { nonce: b64(nacl.randomBytes(24)), ciphertext: b64(nacl.randomBytes(700 * 1024)) };
    let sends = 0; const codes = new Map<string, number>();
    const dl = Date.now() + 10000;
    while (Date.now() < dl) {
      const r = await ac.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: env }] });
      sends++; codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1);
      if (!r.ok && r.code === 'CLOSED') break;
      if (!r.ok && r.code === 'RATE_LIMITED') await L.sleep(100);
    }
    const rss1 = rssKiB(srv.proc.pid!);
    (bc.ws as any)._socket.resume();
    await L.sleep(3000);
    const got = bc.frames.filter((f) => f.type === 'deliver');
    const bytes = got.reduce((n, f) => n + Buffer.byteLength(f.payload ?? ''), 0);
    const cl = bc.closed;
    // pass: closed OUTBOUND_BACKLOG, or no more than the window (256 / 4 MiB + one) went out unacked
    const ok = (cl && cl.code === 1008) || (got.length <= 256 && bytes <= 4 * 2 ** 20 + 1024 * 1024);
    verdict('non-reading recipient: server pushes more than the documented window / 8 MiB into its socket', !ok, `${codes.get('ok') ?? 0} × 933 KiB accepted for it in 10 s (answers ${JSON.stringify([...codes])}); after resuming (no acks): ${got.length} deliveries, ${(bytes / 2 ** 20).toFixed(1)} MiB, socket ${cl ? 'closed ' + cl.code + ' ' + cl.reason.slice(0, 30) : 'open'}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB`);
    await L.closeAll(); await L.sleep(500);
  }
  if (want('queue')) {
    const A = phone(), B = phone();
    const { c: ac } = await L.registerNew(srv, A);
    const { c: bc, d: bd } = await L.registerNew(srv, B);
    await bc.req('disconnect'); bc.close();
    const rss0 = rssKiB(srv.proc.pid!);
    const env = { nonce: b64(nacl.randomBytes(24)), ciphertext: b64(nacl.randomBytes(700 * 1024)) };
    let stored = 0; const codes = new Map<string, number>();
    const dl = Date.now() + 15000;
    while (Date.now() < dl) {
      const r = await ac.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: env }] });
      if (r.ok) stored += 1;
      codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1);
      if (!r.ok && (r.code === 'CLOSED' || r.code === 'TIMEOUT')) break;
      if (!r.ok && r.code === 'RATE_LIMITED') await L.sleep(100);
    }
    const rss1 = rssKiB(srv.proc.pid!);
    // B comes back: can it use its connection? (reconnect up to 6 times)
    const tries: string[] = []; let usable = false;
    for (let k = 0; k < 6 && !usable; k++) {
      const t0 = performance.now();
      const b2 = await L.connect(srv.url);
      const a = await L.auth(b2, bd);
      const g = a.ok ? await b2.req('devices.get', { phone: B }, 20000) : a;
      await L.sleep(1500);
      const got = b2.frames.filter((f) => f.type === 'deliver').length;
      usable = a.ok && g.ok && !b2.closed;
      tries.push(`#${k + 1}: auth ${a.ok ? 'ok' : a.code} devices.get ${g.ok ? 'ok' : g.code} ${(performance.now() - t0).toFixed(0)} ms, ${got} deliveries, ${b2.closed ? 'closed ' + b2.closed.code + ' ' + b2.closed.reason.slice(0, 20) : 'open'}`);
      b2.close();
    }
    verdict('a device whose offline queue a stranger filled cannot use its connection after reconnecting', !usable, `stored ${stored} envelopes (~${(stored * 0.93).toFixed(0)} MiB) for B in 15 s by one stranger connection; answers ${JSON.stringify([...codes])}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB; B reconnects: ${tries.join('; ')}`);
    await L.closeAll(); await L.sleep(500);
  }
  if (want('queuefull')) {
    // per-recipient quota (128 MiB): strangers fill it, then a friend's message is refused
    const B = phone();
    const { c: bc, d: bd } = await L.registerNew(srv, B);
    await bc.req('disconnect'); bc.close();
    const atk: L.Conn[] = [];
    for (let i = 0; i < 4; i++) atk.push((await L.registerNew(srv, phone())).c);
    const { c: fc } = await L.registerNew(srv, phone());
    const rss0 = rssKiB(srv.proc.pid!);
    const env = { nonce: b64(nacl.randomBytes(24)), ciphertext: b64(nacl.randomBytes(700 * 1024)) };
    let stored = 0, full = false; const codes = new Map<string, number>();
    const t0 = Date.now(); const dl = t0 + 50000;
    await Promise.all(atk.map(async (c) => {
      while (Date.now() < dl && !full) {
        const r = await c.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: env }] });
        if (r.ok) stored++;
        codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1);
        if (!r.ok && r.code === 'QUEUE_FULL') full = true;
        if (!r.ok && r.code === 'RATE_LIMITED') await L.sleep(150);
        if (!r.ok && (r.code === 'CLOSED' || r.code === 'TIMEOUT')) break;
      }
    }));
    // top up the remainder with smaller envelopes
    for (const size of [64 * 1024, 4096, 256, 16]) {
      const e2 = { nonce: b64(nacl.randomBytes(24)), ciphertext: b64(nacl.randomBytes(size)) };
      for (let i = 0; i < 400; i++) { const r = await atk[0].req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: e2 }] }); if (r.ok) stored += size / (933 * 1024); else if (r.code === 'QUEUE_FULL') break; else await L.sleep(100); }
    }
    const secs = (Date.now() - t0) / 1000;
    const rss1 = rssKiB(srv.proc.pid!);
    const small = { nonce: b64(nacl.randomBytes(24)), ciphertext: b64(nacl.randomBytes(64)) };
    const fr = await fc.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: small }] });
    verdict('strangers fill a victim device\'s queue to its quota, then a friend\'s message is refused', !fr.ok, `${stored.toFixed(2)} × 933 KiB stored (~${(stored * 0.93).toFixed(0)} MiB) in ${secs.toFixed(1)} s by 4 stranger connections; answers ${JSON.stringify([...codes])}; friend's 64-byte message → ${fr.ok ? 'ok' : fr.code}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB`);
    await L.closeAll(); await L.sleep(500);
  }
  if (want('bindflood')) {
    // one connection re-binding fresh keys: does each leave state on the server?
    const c = await L.connect(srv.url);
    // node's native Ed25519 (tweetnacl is too slow to be the bottleneck-free attacker)
    const fastKey = () => { const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519'); const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64'); return { pub, sign: (m: Buffer) => crypto.sign(null, m, privateKey).toString('base64') }; };
    const bx = nacl.box.keyPair(); const boxKey = b64(bx.publicKey); const boxMsg = Buffer.concat([Buffer.from('linkspec-box-v1'), Buffer.from(bx.publicKey)]);
    const rss0 = rssKiB(srv.proc.pid!);
    const codes = new Map<string, number>();
    const dl = Date.now() + 15000; let n = 0;
    while (Date.now() < dl && n < 10000) {
      const batch = Array.from({ length: 50 }, () => { const d = fastKey(); return c.req('link.bind', { identityKey: d.pub, boxKey, boxKeySignature: d.sign(boxMsg), name: 'n'.repeat(200), platform: 'p'.repeat(200), signature: d.sign(Buffer.concat([Buffer.from('linkspec-bind-v1'), Buffer.from(c.nonce)])) }); });
      for (const r of await Promise.all(batch)) { n++; codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1); }
      if (c.closed) break;
    }
    const rss1 = rssKiB(srv.proc.pid!);
    verdict('one connection announces thousands of companions (link.bind with fresh keys)', (codes.get('ok') ?? 0) > 1, `${n} binds: ${JSON.stringify([...codes])}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB`);
    await L.closeAll();
  }
  if (want('smsmem')) {
    // verification codes for many numbers from a few connections: memory kept per number
    const rss0 = rssKiB(srv.proc.pid!);
    let sent = 0; const codes = new Map<string, number>();
    const dl = Date.now() + 20000; let k = 0;
    const cs = await Promise.all(Array.from({ length: 8 }, () => L.connect(srv.url)));
    while (Date.now() < dl && sent < 40000) {
      const rs = await Promise.all(cs.flatMap((c) => Array.from({ length: 100 }, () => c.req('verify.request', { phone: `+1999${String(k++).padStart(8, '0')}` }))));
      for (const r of rs) { if (r.ok) sent++; codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1); }
      if (cs.some((c) => c.closed)) break;
    }
    const rss1 = rssKiB(srv.proc.pid!);
    verdict('verification-code flood over many numbers (SMS pumping at scale)', sent > 1000, `${sent} codes sent in 20 s from 8 unauthenticated connections; answers ${JSON.stringify([...codes])}; RSS ${(rss0 / 1024).toFixed(0)}→${(rss1 / 1024).toFixed(0)} MiB; codes file ${(fs.statSync(srv.codesFile).size / 2 ** 20).toFixed(1)} MiB`);
    await L.closeAll();
  }
  if (want('sms')) {
    // verification flood: one connection, many numbers (LIFE-03 limit is per number)
    const c = await L.connect(srv.url);
    const before = fs.readFileSync(srv.codesFile, 'utf8').split('\n').filter(Boolean).length;
    const codes = new Map<string, number>();
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 300 }, (_, i) => c.req('verify.request', { phone: `+1888${String(i).padStart(7, '0')}` })));
    for (const r of rs) codes.set(r.ok ? 'ok' : r.code, (codes.get(r.ok ? 'ok' : r.code) ?? 0) + 1);
    const after = fs.readFileSync(srv.codesFile, 'utf8').split('\n').filter(Boolean).length;
    verdict('SMS pumping: one unauthenticated connection sends verification codes to 300 different numbers', after - before > 50, `${after - before} codes sent in ${Date.now() - t0} ms; answers ${JSON.stringify([...codes])}`);
    // second connection, same numbers: per-number limit holds?
    await L.closeAll();
    // code.request flood from many fresh bound connections: how many distinct companions hold a request for one number at once?
    const A = phone(); const { c: pc } = await L.registerNew(srv, A);
    let ok = 0, lim = 0, maxListed = 0; const refusals = new Set<string>(); const t1 = Date.now();
    for (let k = 0; k < 4; k++) {
      const cs = await Promise.all(Array.from({ length: 15 }, () => L.bindCompanion(srv.url, 'x')));
      await Promise.all(cs.map(async (b) => { for (let i = 0; i < 31; i++) { const r = await b.c.req('code.request', { phone: A, wrapped: b64(nacl.randomBytes(80)) }); if (r.ok) ok++; else { lim++; refusals.add(r.code); } } }));
      const l = await pc.req('code.list', {});
      maxListed = Math.max(maxListed, l.ok ? l.value.requests.length : 1);
      for (const b of cs) b.c.close();
      await L.sleep(200);
    }
    verdict('code.request flood for one number from 60 fresh connections holds more than 10 requests at once', maxListed > 10, `${ok} accepted (incl. renewals), ${lim} refused ${JSON.stringify([...refusals])} in ${Date.now() - t1} ms; most requests listed at once: ${maxListed}`);
    await L.closeAll();
  }
} finally { await srv.stop(); }
process.exit(L.exitCode());
