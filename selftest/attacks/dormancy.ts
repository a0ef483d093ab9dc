// Class 4: dormancy escape (EXP-01..03). PROTOCOL.md §4.7, §4.9 (tc.advance on loopback), §1 close codes (1001 restart).
import * as L from './lib.ts';
import * as fs from 'node:fs';
const { verdict } = L;
const DAY = 86_400_000, D14 = 14 * DAY;
let srv = await L.startServer({ testControl: true });
let ctl: L.Conn;
async function tc(type: string, f: any = {}) {
  if (!ctl || ctl.closed) ctl = await L.connect(srv.url);
  const r = await ctl.req(type, f, 30000);
  if (!r.ok) throw new Error(`${type} ${JSON.stringify(r)}`);
  return r.value;
}
async function status(A: string, id: string) {
  const v = await tc('tc.inspect');
  const acc = v.accounts.find((a: any) => a.phone === A);
  const d = acc?.devices.find((x: any) => x.id === id);
  return d ? `${d.status}${d.signOutReason ? '/' + d.signOutReason : ''}` : 'absent';
}
async function world(A: string, opts: { primaryStays?: boolean } = {}) {
  await tc('tc.reset');
  const { c: pc, d: pd } = await L.registerNew(srv, A);
  const C = await L.linkByQr(srv.url, pc, pd, A);
  if (!opts.primaryStays) { await pc.req('disconnect'); pc.close(); await L.sleep(100); }
  return { pc, pd, C };
}
const isOut = (s: string) => !s.startsWith('linked');
try {
  // 4.0 baseline + reconnect after the deadline
  {
    const A = '+15551400001';
    const { C, pd } = await world(A);
    await tc('tc.advance', { ms: D14 - 1 });
    const before = await status(A, C.d.id);
    await tc('tc.advance', { ms: 1 });
    const push = await C.c.push('signed_out', 3000);
    const after = await status(A, C.d.id);
    const c2 = await L.connect(srv.url); const a2 = await L.auth(c2, C.d);
    const s2 = await c2.req('send', { toPhone: A, envelopes: [{ to: pd.id, envelope: L.sealHistory(C.d, pd.box.publicKey) }] });
    verdict('baseline: companion signed out at 14 d and auth refused after', !isOut(after) || a2.ok || s2.ok, `at 14d-1ms ${before}; at 14d ${after} push=${push?.reason}; re-auth → ${a2.ok ? 'ok' : a2.code}; send → ${s2.ok ? 'ok' : s2.code}`);
    await L.closeAll();
  }
  // 4.1 reconnecting / sending / acking every day through the window
  {
    const A = '+15551400002';
    const { C, pd } = await world(A);
    let c = C.c; const log: string[] = [];
    for (let day = 1; day <= 15; day++) {
      await tc('tc.advance', { ms: DAY - (day === 14 ? 1 : 0) - (day === 15 ? -1 : 0) });
      c.close(); c = await L.connect(srv.url);
      const a = await L.auth(c, C.d);
      const s = await c.req('send', { toPhone: A, envelopes: [{ to: pd.id, envelope: L.sealHistory(C.d, pd.box.publicKey) }] });
      if (day >= 13) log.push(`d${day}:auth ${a.ok ? 'ok' : a.code}/send ${s.ok ? 'ok' : s.code}`);
      if (day === 13 && !s.ok) console.log('INFO send answer', JSON.stringify(s));
    }
    const st = await status(A, C.d.id);
    verdict('daily reconnect+send keeps companion linked past primary dormancy', !isOut(st), `${log.join(' ')} final=${st}`);
    await L.closeAll();
  }
  // 4.2 link.bind tricks around the deadline
  {
    const A = '+15551400003';
    const { C } = await world(A);
    const ca = await L.connect(srv.url); await L.auth(ca, C.d);
    const bindAuthed = await ca.req('link.bind', { identityKey: C.d.identityKey, boxKey: C.d.boxKey, boxKeySignature: C.d.boxKeySignature(), name: 'x', platform: 'web', signature: C.d.bindSig(ca.nonce) });
    const cb = await L.connect(srv.url);
    const bindFresh = await cb.req('link.bind', { identityKey: C.d.identityKey, boxKey: C.d.boxKey, boxKeySignature: C.d.boxKeySignature(), name: 'x', platform: 'web', signature: C.d.bindSig(cb.nonce) });
    const st0 = await cb.req('link.start', { phone: A });
    await tc('tc.advance', { ms: D14 });
    const st = await status(A, C.d.id);
    const cc = await L.connect(srv.url);
    const bindAfter = await cc.req('link.bind', { identityKey: C.d.identityKey, boxKey: C.d.boxKey, boxKeySignature: C.d.boxKeySignature(), name: 'x', platform: 'web', signature: C.d.bindSig(cc.nonce) });
    // the signed-out connection itself tries again
    const back = await ca.req('link.bind', { identityKey: C.d.identityKey, boxKey: C.d.boxKey, boxKeySignature: C.d.boxKeySignature(), name: 'x', platform: 'web', signature: C.d.bindSig(ca.nonce) });
    const backAuth = await L.auth(ca, C.d);
    verdict('link.bind (authed / fresh conn / after sign-out) keeps or revives the companion', bindAuthed.ok || bindAfter.ok || back.ok || backAuth.ok || !isOut(st), `bind on authed conn → ${bindAuthed.ok ? 'ok' : bindAuthed.code}; bind own key on fresh conn before deadline → ${bindFresh.ok ? 'ok ' + JSON.stringify(bindFresh.value) : bindFresh.code} (link.start → ${st0.ok ? 'ok' : st0.code}); status after 14d ${st}; bind after → ${bindAfter.ok ? 'ok' : bindAfter.code}; same conn bind → ${back.ok ? 'ok' : back.code}, auth → ${backAuth.ok ? 'ok' : backAuth.code}`);
    await L.closeAll();
  }
  // 4.3 companion on two connections (second auth replaces first) across the deadline
  {
    const A = '+15551400004';
    const { C } = await world(A);
    const c1 = await L.connect(srv.url), c2 = await L.connect(srv.url);
    const [a1, a2] = await Promise.all([L.auth(c1, C.d), L.auth(c2, C.d)]);
    const [, , ] = await Promise.all([tc('tc.advance', { ms: D14 }), L.auth(await L.connect(srv.url), C.d), c1.req('devices.get', { phone: A })]);
    const st = await status(A, C.d.id);
    const open = [C.c, c1, c2].map((c) => (c.closed ? `closed${c.closed.code}` : 'open')).join('/');
    const probes = await Promise.all([c1, c2].map((c) => c.closed ? Promise.resolve({ code: 'closed' }) : c.req('devices.get', { phone: A })));
    verdict('companion on two connections across the deadline', !isOut(st) || probes.some((p: any) => p.ok), `auths ${a1.ok ? 'ok' : a1.code}/${a2.ok ? 'ok' : a2.code}; conns ${open}; status ${st}; devices.get after: ${probes.map((p: any) => p.ok ? 'OK' : p.code).join('/')}`);
    await L.closeAll();
  }
  // 4.4 racing reconnect with the deadline (repeat)
  {
    let escaped = 0; const ev: string[] = [];
    for (let t = 0; t < 8; t++) {
      const A = '+1555140010' + t;
      const { C, pd } = await world(A);
      await tc('tc.advance', { ms: D14 - 1 });
      C.c.close();
      const cn = await L.connect(srv.url);
      const env = { toPhone: A, envelopes: [{ to: pd.id, envelope: L.sealHistory(C.d, pd.box.publicKey) }] };
      if (!ctl || ctl.closed) ctl = await L.connect(srv.url);
      // fire both without awaiting, in alternating order, with a small skew
      const fire = (): Promise<any>[] => { const pa = L.auth(cn, C.d); const ps = cn.req('send', env); return [pa, ps]; };
      let a: any, s: any, adv: any;
      if (t % 2 === 0) { const [pa, ps] = fire(); await L.sleep(t); adv = ctl.req('tc.advance', { ms: 1 }); [a, s] = await Promise.all([pa, ps]); await adv; }
      else { adv = ctl.req('tc.advance', { ms: 1 }); const [pa, ps] = fire(); [a, s] = await Promise.all([pa, ps]); await adv; }
      await L.sleep(100);
      const st = await status(A, C.d.id);
      const s2 = cn.closed ? { ok: false, code: 'closed' } : await cn.req('send', env);
      const c3 = await L.connect(srv.url); const a3 = await L.auth(c3, C.d);
      if (!isOut(st) || s2.ok || a3.ok) escaped++;
      if (t < 3) ev.push(`auth ${a.ok ? 'ok' : a.code} send ${s.ok ? 'ok' : s.code} → ${st}, later send ${s2.ok ? 'ok' : s2.code}, re-auth ${a3.ok ? 'ok' : a3.code}`);
      void adv;
      await L.closeAll();
    }
    verdict('racing reconnect/send with the 14 d deadline', escaped > 0, `${escaped}/8 escaped; ${ev.join('; ')}`);
  }
  // 4.5 primary offline via abrupt socket close (no disconnect frame)
  {
    const A = '+15551400005';
    const { pc, C } = await world(A, { primaryStays: true });
    pc.terminate(); await L.sleep(200);
    await tc('tc.advance', { ms: D14 });
    const st = await status(A, C.d.id);
    verdict('primary lost abruptly (TCP drop): companion still signed out at 14 d', !isOut(st), `status ${st}`);
    await L.closeAll();
  }
  // 4.6 primary sent `disconnect` but keeps the socket open (half-offline)
  {
    const A = '+15551400006';
    const { pc, C } = await world(A, { primaryStays: true });
    await pc.req('disconnect');
    await tc('tc.advance', { ms: D14 });
    const st = await status(A, C.d.id);
    console.log(`INFO primary sent disconnect, socket left open: companion at 14 d = ${st}; primary conn ${pc.closed ? 'closed ' + pc.closed.code : 'open'}`);
    await L.closeAll();
  }
  // 4.7 restart across the deadline (SQLite), primary disconnected before the restart
  for (const mode of ['disconnected', 'connected-at-restart', 'connected-at-kill']) {
    const db = `/tmp/rt-dorm-${process.pid}-${mode}.db`;
    for (const f of [db, db + '-wal', db + '-shm']) try { fs.unlinkSync(f); } catch {}
    await srv.stop();
    srv = await L.startServer({ testControl: true, db });
    ctl = undefined as any;
    const A = '+15551400007';
    const { c: pc, d: pd } = await L.registerNew(srv, A);
    const C = await L.linkByQr(srv.url, pc, pd, A);
    if (mode === 'disconnected') { await pc.req('disconnect'); pc.close(); await L.sleep(100); }
    await tc('tc.advance', { ms: 13 * DAY });
    const now1 = (await tc('tc.inspect')).now;
    const port = srv.port;
    if (mode === 'connected-at-kill') { srv.proc.kill('SIGKILL'); await new Promise((r) => setTimeout(r, 500)); } else await srv.stop();
    await L.closeAll(); ctl = undefined as any;
    srv = await L.startServer({ testControl: true, db, port });
    const now2 = (await tc('tc.inspect')).now;
    console.log(`INFO after restart (${mode}), before advancing: ${(await tc('tc.inspect')).accounts.find((x: any) => x.phone === A)?.devices.map((d: any) => `${d.role}:${d.status}:online=${d.online}`).join(',')}`);
    // Disconnected: the window started at 0, so the deadline is 14 d total. Connected until the
    // stop: the primary was last seen at the stop (13 d), so its window ends at 27 d (PROTOCOL.md §1, 1001).
    await tc('tc.advance', { ms: mode === 'disconnected' ? DAY + 1 : 14 * DAY + 1 });
    let st = await status(A, C.d.id);
    const stAt14 = st;
    await tc('tc.advance', { ms: 30 * DAY });
    st = await status(A, C.d.id);
    const c = await L.connect(srv.url); const a = await L.auth(c, C.d);
    verdict(`restart (${mode}) across the 14 d deadline keeps the companion linked`, !isOut(stAt14) || a.ok, `clock before stop ${now1 / DAY} d, after restart ${now2 / DAY} d; status 14 d after the primary was last seen: ${stAt14}; at +44 d: ${st}; companion auth → ${a.ok ? 'ok' : a.code}`);
    await L.closeAll();
    for (const f of [db, db + '-wal', db + '-shm']) try { fs.unlinkSync(f); } catch {}
  }
  // 4.8 does an unauthenticated tc connection survive the 30 s auth deadline? (harness usability, doc)
} finally { await srv.stop(); }
process.exit(L.exitCode());
