// Where the server's behaviour differs from, or is not pinned down by, PROTOCOL.md. Each line: DOC-OK / DOC-DIFF.
import * as L from './lib.ts';
import nacl from 'tweetnacl';
const { b64 } = L;
let diffs = 0;
const doc = (name: string, matches: boolean, evidence: string) => { if (!matches) diffs++; console.log(`${matches ? 'DOC-OK  ' : 'DOC-DIFF'} ${name} :: ${evidence}`); };
const srv = await L.startServer();
try {
  const A = '+15553330001', B = '+15553330002';
  const { c: pc0, d: pd } = await L.registerNew(srv, A);
  // 1. a device authenticating again closes its earlier connection with 1000 (§1 close codes)
  const pc = await L.connect(srv.url); await L.auth(pc, pd);
  const cl = await pc0.waitClose(3000);
  doc('earlier connection closed 1000 when the device authenticates again', cl?.code === 1000, `close ${JSON.stringify(cl)}`);
  // 2. result ok carries value (§1: {"type":"result","id":7,"ok":true,"value":{…}})
  const comp = await L.bindCompanion(srv.url);
  const h = new L.CodeHolder();
  const cr = await comp.c.req('code.request', { phone: A, wrapped: b64(h.cblob) });
  doc('ok result has a value member (code.request)', cr.ok && 'value' in cr, JSON.stringify(cr));
  // 3. send to a device of one's own account with toPhone = own number
  const { c: bc, d: bd } = await L.registerNew(srv, B);
  const q = await L.linkByQr(srv.url, pc, pd, A);
  const env = L.sealHistory(pd, q.d.box.publicKey);
  const s1 = await pc.req('send', { toPhone: A, envelopes: [{ to: q.d.id, envelope: env }] });
  doc('send with toPhone = own number to an own companion (doc: "every to a linked device of either account")', s1.ok, JSON.stringify(s1));
  const s2 = await pc.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: env }, { to: q.d.id, envelope: env }] });
  doc('send to contact + own companion in one send', s2.ok, JSON.stringify(s2).slice(0, 200));
  // 4. after signed_out the connection "drops back to unauthenticated": authenticated-only requests → OUT_OF_ORDER
  const g = await L.devicesGet(pc, A);
  await pc.req('unlink', { target: q.d.id, list: L.signList(pd, A, g.value.list.version + 1, g.value.list.devices.filter((d: any) => d.id !== q.d.id)) });
  await q.c.push('signed_out', 3000);
  const so1 = await q.c.req('send', { toPhone: B, envelopes: [{ to: bd.id, envelope: env }] });
  const so2 = await q.c.req('devices.get', { phone: A });
  const so3 = await q.c.req('unlink', { target: q.d.id });
  doc('signed-out connection: authenticated-only requests answer OUT_OF_ORDER (§3 "drops back to unauthenticated", "Any request that needs an authenticated … connection and lacks it")', [so1, so2, so3].every((r) => r.code === 'OUT_OF_ORDER'), `send→${so1.code} devices.get→${so2.code} unlink→${so3.code}`);
  // 5. code.fail: "the primary holding the token"; unknown token
  const x = await L.connect(srv.url);
  const cf = await x.req('code.fail', { codeToken: 'no-such-token' });
  doc('code.fail from an unauthenticated socket with an unknown token is refused', !cf.ok, JSON.stringify(cf));
  // 6. id echo rules for frames refused before parsing
  const y = await L.connect(srv.url);
  const nest = (id: string) => `{"id":${id},"type":"account.info","phone":${'['.repeat(40)}}`;
  const echo = async (raw: string) => { const n0 = y.frames.length; y.send(raw); await y.waitFor((f) => y.frames.indexOf(f) >= n0 && (f.type === 'error' || f.type === 'result'), 3000); return y.frames.slice(n0).find((f) => f.type === 'error' || f.type === 'result'); };
  const e1 = await echo(nest('"abc"'));
  const e2 = await echo(nest('"a\\"b"'));
  const e3 = await echo(`{"pad":"${'x'.repeat(5000)}","id":"late","type":"x",` + '['.repeat(40) + '}');
  const e4 = await echo(`{"inner":{"id":"nested"},"type":"x","z":${'['.repeat(40)}}`);
  doc('id echo: top-level "id" found by byte scan (abc), escaped → null, after 4096 bytes → null, nested "id" → null', e1?.id === 'abc' && e2?.id === null && e3?.id === null && e4?.id === null, `${JSON.stringify(e1?.id)} ${JSON.stringify(e2?.id)} ${JSON.stringify(e3?.id)} ${JSON.stringify(e4?.id)} codes ${e1?.code}/${e2?.code}/${e3?.code}/${e4?.code}`);
  // 7. binary frame → BAD_FRAME, connection stays
  const n0 = y.frames.length; y.ws.send(Buffer.from('{"type":"account.info","id":1,"phone":"x"}'));
  const bf = await y.waitFor((f) => y.frames.indexOf(f) >= n0, 3000);
  doc('binary frame answered BAD_FRAME, connection kept', bf?.code === 'BAD_FRAME' && !y.closed, JSON.stringify(bf));
  // 8. extra field → BAD_FRAME; unknown ack → no answer
  const ex = await pc.req('devices.get', { phone: A, extra: 1 });
  doc('extra field → BAD_FRAME', ex.code === 'BAD_FRAME', JSON.stringify(ex).slice(0, 150));
  const n1 = pc.frames.length; pc.send({ type: 'ack', seq: 999999 }); pc.send({ type: 'ack', push: 999999 }); pc.send({ type: 'ack' }); pc.send({ type: 'ack', seq: 1, push: 1 });
  await L.sleep(500);
  doc('acks (unknown seq/push, empty, both) get no answer (§1 "Acks have no id and get no answer")', pc.frames.length === n1, JSON.stringify(pc.frames.slice(n1)).slice(0, 300));
  // 9. odd request ids
  const odd: string[] = [];
  for (const id of ['0', '-1', '1.5', '""', `"${'i'.repeat(65)}"`, 'null', '1e3', '9007199254740993']) {
    const m0 = y.frames.length; y.send(`{"type":"account.info","id":${id},"phone":"x"}`);
    const f = await y.waitFor((fr) => y.frames.indexOf(fr) >= m0, 2000);
    odd.push(`${id.length > 12 ? id.slice(0, 8) + '…' : id}→${f?.type}:${JSON.stringify(f?.id)}:${f?.code}`);
  }
  console.log(`INFO odd ids (doc: id is a string of 1..64 chars or an integer): ${odd.join(' ')}`);
  // 10. disconnect answer
  const dc = await bc.req('disconnect');
  console.log(`INFO disconnect answer: ${JSON.stringify(dc)}; socket after 1 s: ${bc.closed ? 'closed ' + bc.closed.code : 'open'}`);
  await L.sleep(1000);
  console.log(`INFO after disconnect, open socket: ${bc.closed ? 'closed' : 'open'}; devices.get → ${(await bc.req('devices.get', { phone: B })).code ?? 'ok'}`);
  // 11. link.bind answer and code.request on a companion whose code was replaced
  console.log(`INFO link.bind value: ${JSON.stringify(comp.r.value)}`);
  void nacl;
} finally { await srv.stop(); }
console.log(`${diffs} doc differences`);
process.exit(0);
