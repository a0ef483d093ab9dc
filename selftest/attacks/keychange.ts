// Class 1 (contact side): does a contact's client surface a changed primary key? PROTOCOL.md §3 "Contacts' key pinning", §4.8.
// Uses the reference client (reference/client) as "the contact's client" against the running server.
import * as L from './lib.ts';
import { DeviceClient } from '../../reference/client/device.ts';
import { DEFAULT_PROFILE } from '../../model/profile.ts';
const srv = await L.startServer();
const mk = (name: string, role: 'primary' | 'companion' = 'primary') => new DeviceClient({ url: srv.url, role, name, platform: 'android', profile: DEFAULT_PROFILE, verificationCode: async (n) => { await L.sleep(50); return L.lastCode(srv, n); } });
try {
  const A = '+15557770001', B = '+15557770002';
  const a = mk('A'), b = mk('B'), a2 = mk('A-new'), b2 = mk('B-new');
  console.log('reg', JSON.stringify(await a.register(A, { idCheck: true })), JSON.stringify(await b.register(B, { idCheck: true })));
  // (1) B pinned A's key by fetching A's list (sending to A)
  console.log('B->A', JSON.stringify(await b.send(A, 'm1')));
  // (2) contact C pins A's key only by receiving a delivery from A
  const C = '+15557770003'; const c = mk('C'); await c.register(C, { idCheck: true });
  console.log('A->C', JSON.stringify(await a.send(C, 'c1')));
  await L.sleep(300);
  // A's number moves to a new phone via transfer proof
  const sig = a.transferSignature(a2.identityKey);
  const r = await a2.register(A, { idCheck: true, replace: true, proof: { kind: 'transfer', signature: sig, version: 1 } });
  console.log('A re-registered', JSON.stringify(r));
  const s2 = await b.send(A, 'm2');
  console.log('B->A after change', JSON.stringify(s2), 'B keyChanges', JSON.stringify(b.keyChanges));
  L.verdict('contact (sender) silently switches to a changed primary key', b.keyChanges.length === 0, `keyChanges=${JSON.stringify(b.keyChanges)}`);
  const s3 = await a2.send(C, 'c2'); await L.sleep(500);
  console.log('A2->C', JSON.stringify(s3), 'C messages', JSON.stringify(c.messages), 'C undecryptable', c.undecryptable, 'C keyChanges', JSON.stringify(c.keyChanges));
  L.verdict('contact (recipient only) silently accepts a delivery under a changed primary key', c.messages.includes('c2') && c.keyChanges.length === 0, `C got c2=${c.messages.includes('c2')} keyChanges=${c.keyChanges.length} undecryptable=${c.undecryptable}`);
} finally { await srv.stop(); }
process.exit(L.exitCode());
