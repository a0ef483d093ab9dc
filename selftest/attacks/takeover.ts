// Class 1: account takeover attempts by a stranger with fresh keys. PROTOCOL.md §2, §3, §4.7, §4.8.
import * as L from './lib.ts';
import nacl from 'tweetnacl';
const { verdict, b64 } = L;
let n = 0;
const phone = () => `+1555${String(process.pid % 1000).padStart(3, '0')}${String(++n).padStart(4, '0')}`;
const srv = await L.startServer();
const S = () => L.connect(srv.url);
try {
  // --- 1a/1b: register over a registered number without proof
  {
    const A = phone();
    const { d: victim } = await L.registerNew(srv, A);
    const c = await S(); const x = new L.Device();
    const r1 = await c.req('register', L.registerFrame(x, A, 2, false));
    verdict('register replace:false on registered number', r1.ok, `→ ${r1.code}`);
    const r2 = await c.req('register', L.registerFrame(x, A, 2, true));
    verdict('register replace:true without verification/proof', r2.ok, `→ ${r2.code}`);
    // forged transfer proofs
    const self = x.transferSig(A, x.sign.publicKey);
    const r3 = await c.req('register', L.registerFrame(x, A, 2, true, self));
    verdict('transfer proof self-signed by the stranger', r3.ok, `→ ${r3.code}`);
    const garbage = b64(nacl.randomBytes(64));
    const r4 = await c.req('register', L.registerFrame(x, A, 2, true, garbage));
    verdict('transfer proof random 64 bytes', r4.ok, `→ ${r4.code}`);
    const r4b = await c.req('register', L.registerFrame(x, A, 2, true, b64(new Uint8Array(64))));
    verdict('transfer proof all-zero 64 bytes', r4b.ok, `→ ${r4b.code}`);
    // proof signed with victim's bind-style prefix? we don't have victim's secret: sign with another key but claim victim's identity in frame
    const fr = L.registerFrame(x, A, 2, true, self); fr.identityKey = victim.identityKey; // claim victim key with our box sig
    const r5 = await c.req('register', fr);
    verdict('register replace:true claiming the victim primary identityKey', r5.ok, `→ ${r5.code}`);
    // version games
    for (const v of [1, 3, 0x7fffffff]) {
      const r = await c.req('register', L.registerFrame(x, A, v, true, self));
      verdict(`register replace:true forged proof version ${v}`, r.ok, `→ ${r.code}`);
    }
    // stranger's pending registration must not have changed anything
    const g = await (async () => { const a = await S(); await L.auth(a, victim); return L.devicesGet(a, A); })();
    verdict('victim still primary after forged attempts', g.value?.primaryIdentityKey !== victim.identityKey, `primary=${g.value?.primaryIdentityKey === victim.identityKey ? 'victim' : 'OTHER'} version=${g.value?.list?.version}`);
    await L.closeAll();
  }

  // --- transfer proof from another number / for another key / replay after a re-registration
  {
    const A = phone(), B = phone();
    const { d: pa } = await L.registerNew(srv, A);
    const { d: pb } = await L.registerNew(srv, B);
    const x = new L.Device(), k2 = new L.Device();
    // pb (primary of B) signs a transfer of B to x: reuse on A
    const proofB = pb.transferSig(B, x.sign.publicKey);
    let c = await S();
    let r = await c.req('register', L.registerFrame(x, A, 2, true, proofB));
    verdict('transfer proof of number B reused on number A', r.ok, `→ ${r.code}`);
    // pa signs a transfer of A to k2; stranger x presents it for itself
    const proofK2 = pa.transferSig(A, k2.sign.publicKey);
    r = await c.req('register', L.registerFrame(x, A, 2, true, proofK2));
    verdict('transfer proof for another new key presented by stranger', r.ok, `→ ${r.code}`);
    // phone-variant: same number spelled differently in the signed bytes
    const proofVariant = pa.transferSig(A + ' ', x.sign.publicKey);
    r = await c.req('register', L.registerFrame(x, A, 2, true, proofVariant));
    verdict('transfer proof over phone+" " (not the number)', r.ok, `→ ${r.code}`);
    // legit transfer to k2, then replay the same proof later after k3 took over via SMS
    const ck2 = await S();
    r = await ck2.req('register', L.registerFrame(k2, A, 2, true, proofK2));
    verdict('(control) legit transfer proof accepted', !r.ok, `→ ${r.ok ? 'ok' : r.code}`);
    const ck3 = await S(); const k3 = new L.Device();
    const v = await L.verify(ck3, srv, A);
    r = await ck3.req('register', L.registerFrame(k3, A, (v.value?.version ?? 0) + 1, true));
    const curV = (v.value?.version ?? 0) + 1;
    const c4 = await S();
    r = await c4.req('register', L.registerFrame(k2, A, curV + 1, true, proofK2));
    verdict('replay of a used transfer proof after primary changed (old primary signed)', r.ok, `→ ${r.code}`);
    // old primary pa (already replaced) signs a new transfer to stranger
    const proofOld = pa.transferSig(A, x.sign.publicKey);
    r = await c4.req('register', L.registerFrame(x, A, curV + 1, true, proofOld));
    verdict('transfer proof signed by a former primary', r.ok, `→ ${r.code}`);
    // a companion of the account signs a transfer
    const { c: p3c } = { c: ck3 };
    const comp = await L.linkByQr(srv.url, p3c, k3, A);
    const proofComp = comp.d.transferSig(A, x.sign.publicKey);
    r = await c4.req('register', L.registerFrame(x, A, curV + 2, true, proofComp));
    verdict('transfer proof signed by a companion of the account', r.ok, `→ ${r.code}`);
    // logout then replay an old transfer signature with replace:false
    const proofBeforeLogout = k3.transferSig(A, x.sign.publicKey);
    const lo = await ck3.req('logout');
    const c5 = await S();
    const g = await c5.req('register', L.registerFrame(x, A, curV + 3, false, proofBeforeLogout));
    verdict('after logout: transfer proof of the logged-out primary registers a stranger', g.ok, `logout=${lo.ok ? 'ok' : lo.code} register → ${g.ok ? 'ok' : g.code}`);
    await L.closeAll();
  }

  // --- verification code guessing
  {
    const A = phone();
    const { d: victim } = await L.registerNew(srv, A);
    const c = await S();
    const r0 = await c.req('verify.request', { phone: A });
    await L.sleep(50);
    const code = L.lastCode(srv, A)!;
    const wrong = (k: number) => String((Number(code) + 1 + k) % 1000000).padStart(6, '0');
    const res: string[] = [];
    // guesses spread over 6 connections
    for (let i = 0; i < 5; i++) { const ci = await S(); const r = await ci.req('verify.confirm', { phone: A, code: wrong(i) }); res.push(r.ok ? 'ok' : r.code); }
    const cr = await S(); const right = await cr.req('verify.confirm', { phone: A, code });
    verdict('5 wrong guesses (5 connections) then the right code still accepted', right.ok, `request=${r0.ok} guesses=${res.join(',')} right→${right.ok ? 'ok' : right.code}`);
    // rate limit on re-requests: 5 per hour per number
    let sent = 0; const rr: string[] = [];
    for (let i = 0; i < 8; i++) { const r = await c.req('verify.request', { phone: A }); rr.push(r.ok ? 'ok' : r.code); }
    sent = L.countCodes(srv, A);
    verdict('verify.request rate limit per number (5/h)', sent > 5, `codes sent to number: ${sent}; answers ${rr.join(',')}`);
    // format tricks against a fresh number
    const B = phone();
    const cb = await S(); await cb.req('verify.request', { phone: B }); await L.sleep(50);
    const cB = L.lastCode(srv, B)!;
    const variants = [cB.slice(0, 5), cB + '0', ' ' + cB, cB + ' ', '+' + cB, cB.replace(/./g, (d) => String.fromCharCode(0xff10 + Number(d)))];
    const vr: string[] = [];
    let anyOk = false;
    for (const v of variants.slice(0, 4)) { const ci = await S(); const r = await ci.req('verify.confirm', { phone: B, code: v }); vr.push(`${JSON.stringify(v)}:${r.ok ? 'ok' : r.code}`); if (r.ok) anyOk = true; }
    verdict('verify.confirm accepts a non-exact form of the code', anyOk, vr.join(' '));
    // phone spelled differently gets its own code/limits?
    const ca = await S();
    const pv = await ca.req('verify.confirm', { phone: B + ' ', code: cB });
    verdict('code for B confirmed under phone "B "', pv.ok, `→ ${pv.ok ? 'ok' : pv.code}`);
    await L.closeAll();
  }

  // --- verification lockout: a stranger spends the number's hourly codes and burns the active one
  {
    const A = phone();
    await L.registerNew(srv, A); // 1 code used by the owner at registration
    const s = await S();
    const rq: string[] = [];
    for (let i = 0; i < 5; i++) { const r = await s.req('verify.request', { phone: A }); rq.push(r.ok ? 'ok' : r.code); }
    for (let i = 0; i < 5; i++) await s.req('verify.confirm', { phone: A, code: String(100000 + i) });
    const owner = await S();
    const o1 = await owner.req('verify.request', { phone: A });
    await L.sleep(50);
    const o2 = await owner.req('verify.confirm', { phone: A, code: L.lastCode(srv, A) });
    verdict('stranger locks the owner out of number verification for an hour (5 requests + 5 wrong guesses)', !o2.ok, `stranger requests ${rq.join(',')}; owner verify.request → ${o1.ok ? 'ok' : o1.code}; owner confirms the last code it got → ${o2.ok ? 'ok' : o2.code}`);
    await L.closeAll();
  }

  // --- verification confirmed on one connection, used on another / for another number
  {
    const A = phone(), B = phone();
    await L.registerNew(srv, A);
    const c1 = await S(); const v = await L.verify(c1, srv, B); // c1 proves B (unregistered)
    const c2 = await S(); const x = new L.Device();
    let r = await c2.req('register', L.registerFrame(x, B, (v.value?.version ?? 0) + 1, false));
    verdict('verification on conn1 used by register on conn2', r.ok, `verify=${v.ok} → ${r.ok ? 'ok' : r.code}`);
    r = await c1.req('register', L.registerFrame(x, A, 2, true));
    verdict('verification of number B used to re-register number A', r.ok, `→ ${r.ok ? 'ok' : r.code}`);
    // proof consumed after a successful register
    r = await c1.req('register', L.registerFrame(x, B, (v.value?.version ?? 0) + 1, false));
    const y = new L.Device();
    const r2 = await c1.req('register', L.registerFrame(y, B, (v.value?.version ?? 0) + 2, true));
    verdict('proof reused for a second register on same connection', r2.ok, `first=${r.ok ? 'ok' : r.code} second(replace, new key)→${r2.ok ? 'ok' : r2.code}`);
    // verify on conn that then authenticates as another device, then register
    const C = phone();
    const c3 = await S(); const vc = await L.verify(c3, srv, C);
    const d0 = new L.Device();
    const r3 = await c3.req('register', L.registerFrame(d0, C, (vc.value?.version ?? 0) + 1, false));
    verdict('(control) register after verify', !r3.ok, `→ ${r3.ok ? 'ok' : r3.code}`);
    await L.closeAll();
  }

  // --- double-spend race: same code confirmed on two connections at once; then racing registrations
  {
    let doubles = 0, bothReg = 0, trials = 10; const ev: string[] = [];
    for (let t = 0; t < trials; t++) {
      const A = phone();
      const c1 = await S(), c2 = await S();
      await c1.req('verify.request', { phone: A }); await L.sleep(30);
      const code = L.lastCode(srv, A)!;
      const [a, b] = await Promise.all([c1.req('verify.confirm', { phone: A, code }), c2.req('verify.confirm', { phone: A, code })]);
      if (a.ok && b.ok) doubles++;
      const d1 = new L.Device(), d2 = new L.Device();
      const [r1, r2] = await Promise.all([c1.req('register', L.registerFrame(d1, A, 1, false)), c2.req('register', L.registerFrame(d2, A, 1, false))]);
      if (r1.ok && r2.ok) bothReg++;
      if (t < 2) ev.push(`confirm ${a.ok ? 'ok' : a.code}/${b.ok ? 'ok' : b.code} reg ${r1.ok ? 'ok' : r1.code}/${r2.ok ? 'ok' : r2.code}`);
      c1.close(); c2.close();
    }
    verdict('one verification code confirmed on two connections concurrently', doubles > 0, `${doubles}/${trials} double confirms; ${ev.join('; ')}`);
    verdict('two concurrent registrations both succeed', bothReg > 0, `${bothReg}/${trials}`);
    // Race: two verified connections, both replace:true at the same time over an existing account
    let both = 0; const ev2: string[] = [];
    for (let t = 0; t < 6; t++) {
      const A = phone();
      const { d: p } = await L.registerNew(srv, A);
      const c1 = await S(), c2 = await S();
      const x1 = new L.Device(), x2 = new L.Device();
      const [r1, r2] = await Promise.all([
        c1.req('register', L.registerFrame(x1, A, 2, true, p.transferSig(A, x1.sign.publicKey))),
        c2.req('register', L.registerFrame(x2, A, 2, true, p.transferSig(A, x2.sign.publicKey)))]);
      if (r1.ok && r2.ok) both++;
      if (t < 2) ev2.push(`${r1.ok ? 'ok' : r1.code}/${r2.ok ? 'ok' : r2.code}`);
      c1.close(); c2.close();
    }
    verdict('two concurrent transfers of one number (same version) both succeed', both > 0, `${both}/6 ${ev2.join(' ')}`);
    await L.closeAll();
  }

  // --- auth tricks
  {
    const A = phone();
    const { c: pc0, d: pd } = await L.registerNew(srv, A);
    let pc = pc0;
    const comp = await L.linkByQr(srv.url, pc, pd, A);
    const x = new L.Device();
    const c = await S();
    let r = await c.req('auth', { deviceId: pd.id, signature: x.authSig(c.nonce) });
    verdict('auth as victim id with own signature', r.ok, `→ ${r.code}`);
    // replay a captured auth frame (signature over the victim connection's nonce)
    const cv = await S(); const sigV = pd.authSig(cv.nonce);
    r = await c.req('auth', { deviceId: pd.id, signature: sigV });
    verdict('auth with signature over another connection\'s nonce', r.ok, `→ ${r.code}`);
    const rv = await cv.req('auth', { deviceId: pd.id, signature: sigV });
    const pc0Closed = await pc0.waitClose(3000);
    console.log(`INFO primary's earlier connection when it authenticated again: close ${JSON.stringify(pc0Closed)} (doc: 1000)`);
    pc = cv;
    const cRe = await S();
    r = await cRe.req('auth', { deviceId: pd.id, signature: sigV });
    verdict('replay of a captured auth frame on a new connection', r.ok, `victim auth ${rv.ok ? 'ok' : rv.code}; replay → ${r.code}`);
    // cross-protocol: bind signature (same nonce) as auth
    const cb = await S();
    r = await cb.req('auth', { deviceId: comp.d.id, signature: comp.d.bindSig(cb.nonce) });
    verdict('bind-prefixed signature accepted as auth', r.ok, `→ ${r.code}`);
    // raw nonce signature (no prefix)
    r = await cb.req('auth', { deviceId: pd.id, signature: b64(pd.s(cb.nonce)) });
    verdict('signature over bare nonce (no prefix) accepted as auth', r.ok, `→ ${r.code}`);
    // non-canonical base64 / padding variations of deviceId
    const idNoPad = pd.id.replace(/=+$/, '');
    r = await cb.req('auth', { deviceId: idNoPad, signature: pd.authSig(cb.nonce) });
    // a device whose id has + or / so the url-safe spelling differs
    let z = new L.Device(); while (!/[+/]/.test(z.id)) z = new L.Device();
    const Z = phone(); await L.registerNew(srv, Z);
    const zc = await S(); const zv = await L.verify(zc, srv, Z);
    const zs = await S(); const zr0 = await zs.req('register', L.registerFrame(z, Z, 2, true, undefined));
    const cb2 = await S();
    const urlsafe = z.id.replace(/\+/g, '-').replace(/\//g, '_');
    void zv; void zr0;
    // register z properly on its own number
    const Y = phone(); const yc = await S(); const yv = await L.verify(yc, srv, Y);
    const yr = await yc.req('register', L.registerFrame(z, Y, (yv.value?.version ?? 0) + 1, false));
    const cb2r = await cb2.req('auth', { deviceId: urlsafe, signature: z.authSig(cb2.nonce) });
    console.log(`INFO url-safe spelling ${urlsafe.slice(0, 12)}… of a registered primary (${yr.ok ? 'registered' : yr.code}): auth → ${cb2r.ok ? 'ok ' + JSON.stringify(cb2r.value) : cb2r.code}; earlier conn closed: ${JSON.stringify(await yc.waitClose(1500))}`);
    verdict('(doc) non-canonical base64 device id accepted as the same device', r.ok || cb2r.ok, `unpadded→${r.ok ? 'ok' : r.code} urlsafe→${cb2r.ok ? 'ok' : cb2r.code}`);
    // nonce uniqueness
    const nonces = new Set<string>(); const cs: L.Conn[] = [];
    for (let i = 0; i < 50; i++) { const k = await S(); nonces.add(b64(k.nonce)); cs.push(k); k.close(); }
    verdict('challenge nonces unique (50 conns)', nonces.size !== 50, `${nonces.size}/50 distinct; nonce bytes=${cs[0].nonce.length}`);
    // link.bind with the victim primary's key (no secret): signature by stranger
    const cl = await S();
    r = await cl.req('link.bind', { identityKey: pd.identityKey, boxKey: x.boxKey, boxKeySignature: x.boxKeySignature(), name: 'evil', platform: 'web', signature: x.bindSig(cl.nonce) });
    verdict('link.bind claiming the primary\'s identity key', r.ok, `→ ${r.code}`);
    // link.bind on an authenticated connection
    const cp2 = await S(); await L.auth(cp2, comp.d);
    r = await cp2.req('link.bind', { identityKey: x.identityKey, boxKey: x.boxKey, boxKeySignature: x.boxKeySignature(), name: 'evil', platform: 'web', signature: x.bindSig(cp2.nonce) });
    verdict('link.bind on an authenticated companion connection', r.ok, `→ ${r.code}`);

    // companion acting as primary
    const cc = cp2; // comp.c was replaced by cp2's auth (§1 close 1000)
    console.log(`INFO original companion conn after second auth: closed=${JSON.stringify(comp.c.closed)}`);
    const g = await L.devicesGet(cc, A);
    const cur = g.value.list;
    const tries: [string, any][] = [
      ['logout', {}],
      ['devices.sign', { list: L.signList(comp.d, A, cur.version, cur.devices) }],
      ['unlink', { target: pd.id, list: L.signList(comp.d, A, cur.version + 1, cur.devices.filter((d: any) => d.id !== pd.id)) }],
      ['code.enter', {}],
      ['link.precheck', { ref: 'x' }],
      ['link.approve', { ref: 'x', companionIdentityKey: x.identityKey, details: b64(L.details(cur.version + 1)), detailsHmac: b64(new Uint8Array(32)), accountSignature: b64(comp.d.s(new Uint8Array(3))), list: L.signList(comp.d, A, cur.version + 1, [...cur.devices, L.ld(x)]), history: L.sealHistory(comp.d, x.box.publicKey) }],
    ];
    const out: string[] = [];
    let anyOk = false;
    for (const [t, f] of tries) { const rr = await cc.req(t, f); out.push(`${t}:${rr.ok ? 'OK' : rr.code}`); if (rr.ok) anyOk = true; }
    const g2 = await L.devicesGet(pc, A);
    if (!g2.ok) console.log("DEBUG g2", JSON.stringify(g2), JSON.stringify(pc.closed), out.join(" "));
    verdict('companion performs primary-only operations', anyOk || g2.value.list.version !== cur.version, out.join(' ') + ` version ${cur.version}→${g2.value.list.version}`);
    // companion re-registers the number as primary with its own companion key (no proof)
    const rr = await cc.req('register', L.registerFrame(comp.d, A, cur.version + 1, true));
    verdict('companion registers itself as primary without proof', rr.ok, `→ ${rr.ok ? 'ok' : rr.code}`);

    // replay old frames
    const reUnl = await pc.req('devices.sign', { list: L.signList(pd, A, cur.version - 1, cur.devices) });
    verdict('devices.sign with an older version', reUnl.ok, `→ ${reUnl.code}`);
    const approveAgain = await L.approve(pc, pd, A, { ref: comp.ref }, comp.d, comp.secret, { precheck: false });
    verdict('replay link.approve with a used QR ref', approveAgain.ok, `→ ${approveAgain.code}`);

    // unlink companion; signed-out companion comes back
    const ul = await pc.req('unlink', { target: comp.d.id, list: L.signList(pd, A, g2.value.list.version + 1, g2.value.list.devices.filter((d: any) => d.id !== comp.d.id)) });
    const so = await cc.push('signed_out', 3000);
    const after = await cc.req('send', { toPhone: A, envelopes: [{ to: pd.id, envelope: L.sealHistory(comp.d, pd.box.publicKey) }] });
    verdict('signed-out companion keeps acting on its connection', after.ok, `unlink=${ul.ok ? 'ok' : ul.code} push=${so?.reason} send→${after.code}`);
    const ca = await S(); const ra = await L.auth(ca, comp.d);
    verdict('signed-out companion auth again', ra.ok, `→ ${ra.code}`);
    const cbd = await S();
    const rb = await cbd.req('link.bind', { identityKey: comp.d.identityKey, boxKey: comp.d.boxKey, boxKeySignature: comp.d.boxKeySignature(), name: 'again', platform: 'web', signature: comp.d.bindSig(cbd.nonce) });
    verdict('signed-out companion link.bind with its old key', rb.ok, `→ ${rb.ok ? 'ok ' + JSON.stringify(rb.value) : rb.code}`);
    // non-canonical base64 spellings of the signed-out key
    const variants = (k: string) => [k.replace(/\+/g, '-').replace(/\//g, '_'), k.replace(/=+$/, ''), k.slice(0, 20) + '\n' + k.slice(20), k.slice(0, 20) + '.' + k.slice(20)];
    const vout: string[] = []; let revived = false;
    for (const v of variants(comp.d.identityKey)) {
      if (v === comp.d.identityKey) continue;
      const k1 = await S();
      const a1 = await k1.req('auth', { deviceId: v, signature: comp.d.authSig(k1.nonce) });
      const k2 = await S();
      const b1 = await k2.req('link.bind', { identityKey: v, boxKey: comp.d.boxKey, boxKeySignature: comp.d.boxKeySignature(), name: 'again', platform: 'web', signature: comp.d.bindSig(k2.nonce) });
      vout.push(`${JSON.stringify(v.slice(0, 6) + '…' + v.slice(-3))}: auth ${a1.ok ? 'OK' : a1.code} bind ${b1.ok ? 'OK' : b1.code}`);
      if (a1.ok || b1.ok) revived = true;
      k1.close(); k2.close();
    }
    verdict('signed-out companion revived via a non-canonical base64 spelling of its key', revived, `key has +/: ${/[+/]/.test(comp.d.identityKey)}; ` + vout.join('; '));
    if (rb.ok) {
      const st = await cbd.req('link.start', { phone: A });
      verdict('signed-out companion old key starts linking', st.ok, `→ ${st.ok ? 'ok' : st.code}`);
    }

    // old primary after re-registration
    const cnew = await S(); const np = new L.Device();
    const gv = await L.devicesGet(pc, A);
    const rg = await cnew.req('register', L.registerFrame(np, A, gv.value.list.version + 1, true, pd.transferSig(A, np.sign.publicKey)));
    const so2 = await pc.push('signed_out', 3000);
    const old = await pc.req('devices.get', { phone: A });
    const oa = await S(); const oar = await L.auth(oa, pd);
    verdict('old primary after re-registration keeps access', old.ok || oar.ok, `rereg=${rg.ok ? 'ok' : rg.code} push=${so2?.reason} devices.get→${old.ok ? 'ok' : old.code} auth→${oar.ok ? 'ok' : oar.code}`);
    // old primary re-registers with its OLD key via a fresh SMS (legit owner; checks doc rule "new identity key")
    const co = await S(); const vo = await L.verify(co, srv, A);
    const ro = await co.req('register', L.registerFrame(pd, A, (vo.value?.version ?? 0) + 1, true));
    console.log(`INFO signed-out old primary key re-registers with SMS proof → ${ro.ok ? 'ok' : ro.code}`);
  }
} finally {
  await srv.stop();
}
process.exit(L.exitCode());
