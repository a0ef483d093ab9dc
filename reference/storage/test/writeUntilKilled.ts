/**
 * Child process for sqlite.test.ts's kill -9 check (RESTART): opens the SQLite store at argv[2]
 * and commits writes forever, printing `ack <n>` only AFTER write n returned - exactly the
 * moment a server would acknowledge it. The parent SIGKILLs this process at some ack and checks
 * that every acknowledged write is in the file.
 */
import { SqliteStorage } from '../sqlite.js';

const storage = new SqliteStorage(process.argv[2]);
for (let n = 0; ; n++) {
  storage.transaction(() => {
    storage.enqueue({ recipientDeviceId: 'D', kind: 'message', senderDeviceId: 'S', payload: String(n) });
    storage.setMeta('last', String(n));
  });
  storage.putAccount({ phone: `+${n}`, registered: true, primaryDeviceId: null, primaryIdentityKey: null, registrations: n });
  process.stdout.write(`ack ${n}\n`);
}
