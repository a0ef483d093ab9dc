// Class 2 after per-companion pairing codes: PROTOCOL.md §3 (code.request, code.list, code.enter {companion}), §4.2, §1 Limits (10 active requests per number).
import * as L from './lib.ts';
import nacl from 'tweetnacl';
const { verdict, b64 } = L;
const srv = await L.startServer();
let n = 0;
const phone = () => `+1558${String(process.pid % 1000).padStart(3, '0')}${String(++n).padStart(4, '0')}`;
const types = (c: L.Conn) => c.frames.filter((f) => f.type !== 'result').map((f) => f.type + (f.reason ? `{${f.reason}}` : '')).join(',') || 'none';
const linkedTo = async (pc: L.Conn, A: string, d: L.Device) => ((await L.devicesGet(pc, A)).value?.list?.devices ?? []).some((x: any) => x.id === d.id);
async function holder(A: string, name = 'Alice laptop') {
  const V = await L.bindCompanion(srv.url, name);
  const h = new L.CodeHolder();
  L.holdCode(V.c, V.d, h);
  const r = await V.c.req('code.request', { phone: A, wrapped: b64(h.cblob) });
  return { ...V, h, rq: r };
}
try {
  // 1. a stranger's request touches nothing of the victim's; the primary picks the victim and links it
  {
    const A = phone();
    const { c: pc, d: pd } = await L.registerNew(srv, A);
    const V = await holder(A);
    const S = await holder(A, 'Alice laptop');
    await L.sleep(300);
    const list = await pc.req('code.list', {});
    const res = await L.primaryEntersCode(pc, pd, A, V.h.code, { companion: V.d.identityKey });
    await L.sleep(300);
    const vLinked = await linkedTo(pc, A, V.d), sLinked = await linkedTo(pc, A, S.d);
    verdict('stranger code.request for the victim\'s number disturbs the victim', !V.rq.ok || V.c.frames.some((f: any) => f.type === 'code.ended') || !vLinked || sLinked, `victim pushes before entry: ${types(V.c)}; stranger request → ${S.rq.ok ? 'ok' : S.rq.code}; code.list → ${list.ok ? list.value.requests.length + ' requests ' + JSON.stringify(list.value.requests.map((r: any) => r.name)) : list.code}; primary → ${res.stage} ${res.r.ok ? 'ok' : res.r.code}; victim linked ${vLinked}, stranger linked ${sLinked}; stranger frames: ${types(S.c)}`);
    await L.closeAll();
  }
  // 2. the number filled by strangers: the victim cannot request a code; renewal keeps it filled
  {
    const A = phone();
    const { c: pc } = await L.registerNew(srv, A);
    const S: Awaited<ReturnType<typeof holder>>[] = [];
    for (let i = 0; i < 12; i++) S.push(await holder(A, 'Alice laptop'));
    const okS = S.filter((s) => s.rq.ok).length;
    const l1 = await pc.req('code.list', {});
    const V = await L.bindCompanion(srv.url, 'Alice laptop (real)');
    const hv = new L.CodeHolder();
    const vr = await V.c.req('code.request', { phone: A, wrapped: b64(hv.cblob) });
    // strangers renew their own requests (each renewal a fresh blob)
    await L.sleep(1100);
    const ren = await Promise.all(S.filter((s) => s.rq.ok).map((s) => s.c.req('code.request', { phone: A, wrapped: b64(new L.CodeHolder(s.h.code).cblob) })));
    const l2 = await pc.req('code.list', {});
    const vr2 = await V.c.req('code.request', { phone: A, wrapped: b64(hv.cblob) });
    const exp1 = l1.value?.requests?.map((r: any) => r.expiresAt) ?? [], exp2 = l2.value?.requests?.map((r: any) => r.expiresAt) ?? [];
    verdict('strangers fill the number\'s 10 code slots: the victim cannot request a pairing code', !vr.ok, `${okS}/12 stranger requests accepted; victim → ${vr.ok ? 'ok' : vr.code}`);
    verdict('strangers renew their requests (expiresAt moves on) and keep the number full beyond one code lifetime', !vr2.ok && Math.min(...exp2) > Math.min(...exp1), `renewals ${ren.map((r) => (r.ok ? 'ok' : r.code)).join(',')}; earliest expiresAt ${Math.min(...exp1)} → ${Math.min(...exp2)}; victim again → ${vr2.ok ? 'ok' : vr2.code}`);
    const names = new Set((l2.value?.requests ?? []).map((r: any) => `${r.name}/${r.platform}`));
    verdict('code.list entries indistinguishable (stranger copies the victim\'s name/platform)', names.size < (l2.value?.requests?.length ?? 0), `${l2.value?.requests?.length} requests, ${names.size} distinct name/platform: ${[...names].join(' | ')}`);
    await L.closeAll();
  }
  // 3. ONE stranger connection re-binding fresh keys: does it fill the number alone?
  {
    const A = phone();
    const { c: pc } = await L.registerNew(srv, A);
    const c = await L.connect(srv.url);
    const rs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const d = new L.Device();
      const b = await c.req('link.bind', { identityKey: d.identityKey, boxKey: d.boxKey, boxKeySignature: d.boxKeySignature(), name: 'x' + i, platform: 'web', signature: d.bindSig(c.nonce) });
      const r = await c.req('code.request', { phone: A, wrapped: b64(nacl.randomBytes(80)) });
      rs.push(`${b.ok ? '' : 'bind:' + b.code + ' '}${r.ok ? 'ok' : r.code}`);
    }
    const l = await pc.req('code.list', {});
    verdict('one socket re-binding fresh keys holds many of the number\'s code slots', (l.value?.requests?.length ?? 0) > 1, `requests: ${rs.join(',')}; code.list shows ${l.value?.requests?.length ?? l.code}`);
    await L.closeAll();
  }
  // 4. cross-account and stranger frames against the victim's request
  {
    const A = phone(), B = phone();
    const { c: pc, d: pd } = await L.registerNew(srv, A);
    const { c: qc } = await L.registerNew(srv, B);
    const V = await holder(A);
    const S = await L.bindCompanion(srv.url, 'stranger');
    const qe = await qc.req('code.enter', { companion: V.d.identityKey });
    verdict('primary of another account enters a code for the victim companion (gets its blob)', qe.ok, `→ ${qe.ok ? 'ok wrapped=' + qe.value.wrapped?.slice(0, 8) : qe.code}`);
    const ql = await qc.req('code.list', {});
    const leak = JSON.stringify(ql).includes(V.d.identityKey);
    verdict('another account\'s code.list shows the victim\'s request', leak, `→ ${ql.ok ? JSON.stringify(ql.value).slice(0, 120) : ql.code}`);
    const sl = await S.c.req('code.list', {});
    const se = await S.c.req('code.enter', { companion: V.d.identityKey });
    const sc = await S.c.req('link.cancel', {});
    verdict('bound stranger lists / enters / cancels', sl.ok || se.ok, `code.list → ${sl.code}; code.enter → ${se.code}; link.cancel (own) → ${sc.ok ? 'ok' : sc.code}; victim pushes ${types(V.c)}`);
    // companion of the account (linked) tries code.list / code.enter
    const comp = await L.linkByQr(srv.url, pc, pd, A, 'own laptop');
    const cl = await comp.c.req('code.list', {});
    const ce = await comp.c.req('code.enter', { companion: V.d.identityKey });
    verdict('a linked companion lists or enters codes', cl.ok || ce.ok, `code.list → ${cl.ok ? 'ok' : cl.code}; code.enter → ${ce.ok ? 'ok' : ce.code}`);
    // wrong pick: user picks the stranger's request and types the victim's code; the victim's request survives
    const S2 = await holder(A, 'Alice laptop');
    const wrong = await L.primaryEntersCode(pc, pd, A, V.h.code, { companion: S2.d.identityKey });
    const l = await pc.req('code.list', {});
    const still = (l.value?.requests ?? []).some((r: any) => r.companion === V.d.identityKey);
    const right = await L.primaryEntersCode(pc, pd, A, V.h.code, { companion: V.d.identityKey });
    verdict('a wrong pick (stranger\'s request) harms the victim\'s request', !still || !(right.stage === 'approve' && right.r.ok), `wrong pick → ${wrong.stage} ${wrong.r.ok ? 'ok' : wrong.r.code}; victim request still listed ${still}; right pick → ${right.stage} ${right.r.ok ? 'ok' : right.r.code}`);
    await L.closeAll();
  }
  // 5. code.fail with the primary's token from others (authorization)
  for (const who of ['unauthenticated socket', 'primary of another account']) {
    const A = phone();
    const { c: pc, d: pd } = await L.registerNew(srv, A);
    const V = await holder(A);
    const X = who === 'unauthenticated socket' ? await L.connect(srv.url) : (await L.registerNew(srv, phone())).c;
    const e = await pc.req('code.enter', { companion: V.d.identityKey });
    const f = await X.req('code.fail', { codeToken: e.value?.codeToken });
    const p = L.primaryCode(L.unb64(e.value.wrapped), V.h.code, V.d.sign.publicKey);
    const ch = await pc.req('code.challenge', { codeToken: e.value.codeToken, wrapped: b64(p.pblob) });
    const ap = ch.ok ? await L.approve(pc, pd, A, { codeToken: e.value.codeToken }, e.value.companion, p.linkKey) : ch;
    verdict(`code.fail with the victim primary's codeToken from an ${who}`, f.ok || !ap.ok, `code.fail → ${f.ok ? 'ok' : f.code}; primary then → ${ap.ok ? 'linked' : ap.code}`);
    await L.closeAll();
  }
} finally { await srv.stop(); }
process.exit(L.exitCode());
