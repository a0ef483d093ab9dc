/**
 * The web companion's saved state, in IndexedDB (database `linkspec`, store `device`, one record):
 * its keys, its link (status, device id, phone, the primary key it pinned while linking), its
 * messages and notices, and why it was signed out. Typed arrays are stored as they are
 * (structured clone). A record that does not have the expected shape is ignored: the page then
 * starts as a new device rather than crash (the server will not know that device).
 */
import type { DeviceKeys } from '../../crypto/keys.js';

export interface SavedDevice {
  readonly version: 1;
  readonly keys: DeviceKeys;
  readonly status: 'idle' | 'linked' | 'signed-out';
  readonly deviceId?: string;
  readonly phone?: string;
  /** The account's primary identity key as verified while linking (the trust anchor, AUTH-02). */
  readonly primaryKey?: string;
  readonly messages: readonly string[];
  readonly notices: readonly string[];
  readonly signOutReason?: string;
}

const DB = 'linkspec';
const STORE = 'device';
const KEY = 'state';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

let opened: Promise<IDBDatabase> | undefined;
function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  return opened;
}

/** Forget the device entirely (the harness hands this page to another device next). */
export async function deleteDevice(): Promise<void> {
  const db = opened ? await opened.catch(() => undefined) : undefined;
  db?.close();
  opened = undefined;
  await new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(DB);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('IndexedDB delete blocked'));
  });
}

export async function saveDevice(state: SavedDevice): Promise<void> {
  const db = await database();
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(state, KEY);
  await new Promise<void>((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
}

export async function loadDevice(): Promise<SavedDevice | undefined> {
  const db = await database();
  const value: unknown = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
  return isSavedDevice(value) ? value : undefined;
}

function isBytes(x: unknown, length: number): boolean { return x instanceof Uint8Array && x.length === length; }
function isStrings(x: unknown): boolean { return Array.isArray(x) && x.every((s) => typeof s === 'string'); }

function isSavedDevice(x: any): x is SavedDevice {
  return typeof x === 'object' && x !== null && x.version === 1
    && isBytes(x.keys?.signing?.publicKey, 32) && isBytes(x.keys?.signing?.secretKey, 64)
    && isBytes(x.keys?.box?.publicKey, 32) && isBytes(x.keys?.box?.secretKey, 32)
    && ['idle', 'linked', 'signed-out'].includes(x.status) && isStrings(x.messages) && isStrings(x.notices)
    && (x.status !== 'linked' || (typeof x.deviceId === 'string' && typeof x.phone === 'string'));
}
