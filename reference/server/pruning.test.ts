/**
 * Pruning (pruning.ts, issue 10): pending companions that nothing can read any more are
 * forgotten once a virtual day - and only those: a companion still bound, holding an active
 * code, or with a QR attempt kept; QR attempts are forgotten only PRUNE_HORIZON_MS after they
 * ended, so a photo of an old reference is still answered QR_USED / QR_EXPIRED within any run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../model/profile.js';
import { WireConnection } from '../client/wire.js';
import { generateDeviceKeys, sign, toBase64 } from '../crypto/keys.js';
import { BIND_PREFIX, boxKeyBytes, challengeBytes } from '../protocol/constants.js';
import { MemoryStorage } from '../storage/memory.js';
import { SqliteStorage } from '../storage/sqlite.js';
import type { Storage } from '../storage/storage.js';
import { PRUNE_HORIZON_MS } from './pruning.js';
import { ReferenceServer } from './server.js';

let server: ReferenceServer | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
  server = undefined;
});

const pending = (s: Storage, id: string) => s.putPendingCompanion({ id, boxKey: 'b', boxKeySignature: 's', name: id, platform: 'web' });

describe.each([['MemoryStorage', () => new MemoryStorage()], ['SqliteStorage', () => new SqliteStorage(':memory:')]] as const)('pruning on %s', (_name, make) => {
  it('forgets a pending companion nothing can read, keeps the bound, the coding and the QR-showing ones', async () => {
    const storage = make();
    server = new ReferenceServer({ storage });
    const url = await server.start();
    // A companion bound on a live connection (link.bind), nothing started yet.
    const w = await WireConnection.open(url);
    open.push(w);
    const keys = generateDeviceKeys();
    const boundId = toBase64(keys.signing.publicKey);
    expect(await w.request('link.bind', {
      identityKey: boundId, boxKey: toBase64(keys.box.publicKey),
      boxKeySignature: toBase64(sign(boxKeyBytes(keys.box.publicKey), keys.signing.secretKey)), name: 'bound', platform: 'web',
      signature: toBase64(sign(challengeBytes(BIND_PREFIX, w.nonce), keys.signing.secretKey)),
    })).toMatchObject({ ok: true });
    pending(storage, 'GONE');
    pending(storage, 'CODING');
    storage.putCode({ codeId: 'K', phone: '+1', wrapped: 'QUJD', companionId: 'CODING', issuedAt: 0, expiresAt: 10 * DAY_MS, attempts: 0, state: 'active' });
    pending(storage, 'SHOWED');
    storage.putQrAttempt({ attemptId: 'A', companionId: 'SHOWED', startedAt: 0, state: 'cancelled', phone: '+1' });
    storage.putQrRef({ ref: 'r', attemptId: 'A', index: 0, fromMs: 0, untilMs: 60_000, used: false });

    server.advance(DAY_MS);
    expect(storage.getPendingCompanion('GONE')).toBeUndefined();
    expect(storage.getPendingCompanion(boundId)).toBeDefined();
    expect(storage.getPendingCompanion('CODING')).toBeDefined();
    expect(storage.getPendingCompanion('SHOWED')).toBeDefined();
    expect(storage.getQrRef('r')).toBeDefined();

    server.advance(PRUNE_HORIZON_MS - DAY_MS); // the reference closed at 1 min: not yet past the horizon
    expect(storage.getQrRef('r')).toBeDefined();
    server.advance(DAY_MS);
    expect(storage.getQrRef('r')).toBeUndefined();
    expect(storage.getQrAttempt('A')).toBeUndefined();
    expect(storage.getPendingCompanion('SHOWED')).toBeUndefined();
    expect(storage.getPendingCompanion('CODING')).toBeUndefined(); // its code expired long ago
    expect(storage.getPendingCompanion(boundId)).toBeDefined();
  });
});
