// Class 5: one connection re-binds fresh keys; each link.bind leaves a pending-companion row until the daily pruning (PROTOCOL.md §4.1 "How long the server remembers").
import * as L from './lib.ts';
import * as crypto from 'node:crypto';
import nacl from 'tweetnacl';
import { execSync } from 'node:child_process';
const db = `/tmp/rt-bind-${process.pid}.db`;
const srv = await L.startServer({ db });
try {
  const c = await L.connect(srv.url);
  const bx = nacl.box.keyPair();
  let ok = 0;
  for (let i = 0; i < 300; i++) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
    const sg = (m: Buffer) => crypto.sign(null, m, privateKey).toString('base64');
    const r = await c.req('link.bind', { identityKey: pub, boxKey: L.b64(bx.publicKey), boxKeySignature: sg(Buffer.concat([Buffer.from('linkspec-box-v1'), Buffer.from(bx.publicKey)])), name: 'n', platform: 'p', signature: sg(Buffer.concat([Buffer.from('linkspec-bind-v1'), Buffer.from(c.nonce)])) });
    if (r.ok) ok++; else await L.sleep(50);
  }
  await L.sleep(300);
  const rows = Number(execSync(`python3 -c "import sqlite3;print(sqlite3.connect('${db}').execute('select count(*) from pending_companions').fetchone()[0])"`).toString().trim());
  L.verdict('one unauthenticated connection leaves a stored pending companion per link.bind (only one can be bound at a time)', rows > 2, `${ok}/300 binds accepted on ONE connection; pending_companions rows in the SQLite store: ${rows} (kept until the once-a-day pruning)`);
} finally { await srv.stop(); for (const f of [db, db + '-wal', db + '-shm']) try { (await import('node:fs')).unlinkSync(f); } catch {} }
process.exit(L.exitCode());
