// Doc check: does the 30 s AUTH_DEADLINE close a test-control connection that never authenticates? (§1 Limits vs §4.9)
import * as L from './lib.ts';
const srv = await L.startServer({ testControl: true });
try {
  const c = await L.connect(srv.url);
  await c.req('tc.inspect');
  const cl = await c.waitClose(33000);
  console.log(`${cl ? 'DOC-DIFF' : 'DOC-OK  '} unauthenticated tc connection after 33 s: ${cl ? 'closed ' + cl.code + ' ' + cl.reason : 'open'} (PROTOCOL.md §4.9 does not say the harness must reconnect)`);
} finally { await srv.stop(); }
