// Smallest reproduction of the dormancy escape across a restart (PROTOCOL.md §1 close 1001, §4.7 EXP-01/-04):
// a primary and its companion connected when the server stops never start an offline window.
import * as L from './lib.ts';
import * as fs from 'node:fs';
const DAY = 86_400_000;
const db = `/tmp/rt-restart-${process.pid}.db`;
let srv = await L.startServer({ testControl: true, db });
try {
  const A = '+15551409999';
  const { c: pc, d: pd } = await L.registerNew(srv, A);
  const C = await L.linkByQr(srv.url, pc, pd, A);            // both stay connected
  const port = srv.port;
  await srv.stop(); await L.closeAll();                       // restart (SIGTERM; SIGKILL behaves the same)
  srv = await L.startServer({ testControl: true, db, port });
  const ctl = await L.connect(srv.url);
  await ctl.req('tc.advance', { ms: 44 * DAY });               // primary never comes back: 14 d dormancy, 30 d idleness
  const v = (await ctl.req('tc.inspect')).value;
  const devs = v.accounts.find((a: any) => a.phone === A).devices.map((d: any) => `${d.role}:${d.status}`).join(',');
  const c = await L.connect(srv.url); const a = await L.auth(c, C.d);
  L.verdict('companion still linked 44 d after a restart its primary never came back from', a.ok, `tc.inspect ${devs}; companion auth → ${a.ok ? 'ok' : a.code}`);
} finally { await srv.stop(); for (const f of [db, db + '-wal', db + '-shm']) try { fs.unlinkSync(f); } catch {} }
process.exit(L.exitCode());
