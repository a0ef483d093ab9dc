// Class 3: test control exposure. PROTOCOL.md §4.9 (loopback only, TEST_CONTROL_NOT_LOOPBACK, exit 2), §5 UNKNOWN_TYPE.
import * as L from './lib.ts';
import { spawn, execSync } from 'node:child_process';
import { ReferenceServer } from '../../reference/server/server.ts';
import { MemoryStorage } from '../../reference/storage/memory.ts';
import { DEFAULT_PROFILE } from '../../model/profile.ts';
function tryServe(host: string, tc: boolean): Promise<{ code: number | null; out: string; listening: boolean }> {
  return new Promise((res) => {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const args = ['bin/linkspec.mjs', 'serve', '--host', host, '--port', String(port), '--db', ':memory:', '--verification-out', '/dev/null'];
    if (tc) args.push('--test-control');
    const p = spawn('node', args, { cwd: L.ROOT });
    let out = '';
    let listening = false;
    const onData = (d: any) => { out += d; if (!listening && /on ws:/.test(out)) { listening = true; clearTimeout(t); p.kill('SIGTERM'); } };
    p.stdout.on('data', onData); p.stderr.on('data', onData);
    const t = setTimeout(() => { p.kill('SIGKILL'); }, 30000);
    p.on('exit', (code) => { clearTimeout(t); res({ code: listening ? null : code, out, listening }); });
  });
}
const addrs = execSync('hostname -I').toString().trim().split(/\s+/);
const hostname = execSync('hostname').toString().trim();
const hosts = ['0.0.0.0', '::', '0', ...addrs, hostname, '::ffff:0.0.0.0', '0:0:0:0:0:0:0:0', `[::]`];
const results: (readonly [string, Awaited<ReturnType<typeof tryServe>>])[] = [];
for (const h of hosts) results.push([h, await tryServe(h, true)] as const);
for (const [h, r] of results) {
  let resolved = '';
  try { resolved = execSync(`getent hosts ${h} 2>/dev/null || true`).toString().trim(); } catch {}
  L.verdict(`serve --test-control --host ${JSON.stringify(h)} starts`, r.code !== 2 && r.listening, `exit=${r.code} listening=${r.listening} ${resolved ? '(resolves ' + resolved.split(/\s+/)[0] + ') ' : ''}out=${JSON.stringify(r.out.trim().slice(0, 160))}`);
}
// loopback spellings must still start (not an attack; documents behaviour)
for (const h of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
  const r = await tryServe(h, true);
  console.log(`INFO --test-control --host ${h}: exit=${r.code} listening=${r.listening}`);
}
// tc.* without test control
const srv = await L.startServer();
try {
  const c = await L.connect(srv.url);
  const frames: [string, any][] = [['tc.reset', {}], ['tc.advance', { ms: 1000 }], ['tc.inspect', {}], ['tc.quiescent', {}], ['tc.inject', { phone: '+1', name: 'x' }], ['tc.injectedReceived', { deviceId: 'AAAA' }], ['tc.payloads', {}], ['tc.lie', { phone: '+1', kind: 'replay-old-list' }], ['tc.lieAddressed', { phone: '+1' }], ['tc.traffic', {}], ['tc.verificationCode', { phone: '+1' }]];
  const { c: pc } = await L.registerNew(srv, '+15559990001');
  for (const conn of [c, pc]) {
    const out: string[] = []; let any = false;
    for (const [t, f] of frames) { const r = await conn.req(t, f); out.push(`${t}:${r.ok ? 'OK' : r.code}`); if (r.ok) any = true; }
    L.verdict(`tc.* accepted without --test-control (${conn === c ? 'unauthenticated' : 'authenticated primary'})`, any, out.join(' '));
  }
  const r = await c.req('tc.verificationCode', { phone: '+15559990001' });
  L.verdict('tc.verificationCode readable without test control', r.ok, JSON.stringify(r));
} finally { await srv.stop(); }
// the library API (reference/README.md) with testControl and a non-loopback host
for (const host of ['0.0.0.0', ...addrs, '::']) {
  let started = false, err = '';
  let server: any;
  try { server = new ReferenceServer({ storage: new MemoryStorage(), profile: DEFAULT_PROFILE, testControl: true, host } as any); err = await server.start(); started = true; }
  catch (e: any) { err = String(e?.message ?? e).slice(0, 150); }
  L.verdict(`ReferenceServer API testControl:true host ${host} starts`, started, err);
  if (started) await server.stop?.();
}
process.exit(L.exitCode());
