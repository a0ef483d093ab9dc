// Outsider client for the linkspec wire protocol v1, written from reference/PROTOCOL.md only.
import WebSocket from 'ws';
import nacl from 'tweetnacl';
import { spawn, ChildProcess, execSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
export const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
export const cat = (...a: Uint8Array[]) => new Uint8Array(Buffer.concat(a.map((x) => Buffer.from(x))));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- results ----------
let failures = 0;
export function verdict(name: string, attackSucceeded: boolean, evidence: string) {
  if (attackSucceeded) failures++;
  console.log(`${attackSucceeded ? 'FAIL' : 'PASS'} ${name} :: ${evidence}`);
}
export function exitCode() { return failures ? 1 : 0; }

// ---------- server ----------
// The repository root: the nearest folder above this file holding package.json (works from redteam-scratch/ or selftest/attacks/).
export const ROOT = process.env.LINKSPEC_ROOT ?? (() => { let d = path.dirname(new URL(import.meta.url).pathname); while (!fs.existsSync(path.join(d, 'package.json')) && d !== '/') d = path.dirname(d); return d; })();
export interface Srv { url: string; port: number; proc: ChildProcess; codesFile: string; stop(): Promise<void>; out: string[] }
export async function startServer(opts: { testControl?: boolean; db?: string; host?: string; port?: number; extra?: string[] } = {}): Promise<Srv> {
  for (let attempt = 0; ; attempt++) {
    try { return await startServerOnce(opts); } catch (e: any) { if (opts.port || attempt >= 3 || !/EADDRINUSE/.test(String(e?.message))) throw e; }
  }
}
async function startServerOnce(opts: { testControl?: boolean; db?: string; host?: string; port?: number; extra?: string[] }): Promise<Srv> {
  const port = opts.port ?? 20000 + Math.floor(Math.random() * 30000);
  const dir = fs.mkdtempSync('/tmp/rt-');
  const codesFile = path.join(dir, 'codes.jsonl');
  fs.writeFileSync(codesFile, '');
  const args = ['bin/linkspec.mjs', 'serve', '--host', opts.host ?? '127.0.0.1', '--port', String(port), '--db', opts.db ?? ':memory:', '--verification-out', codesFile];
  if (opts.testControl) args.push('--test-control');
  if (opts.extra) args.push(...opts.extra);
  const proc = spawn('node', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  proc.stdout!.on('data', (d) => out.push(String(d)));
  proc.stderr!.on('data', (d) => out.push(String(d)));
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  const url = `ws://${host}:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error('server exited ' + proc.exitCode + ' ' + out.join(''));
    try { const c = await connect(url); c.close(); break; } catch { /* not yet */ }
    if (Date.now() - t0 > 20000) throw new Error('server did not start ' + out.join(''));
    await sleep(200);
  }
  return {
    url, port, proc, codesFile, out,
    stop: () => new Promise<void>((r) => { const done = () => { fs.rmSync(dir, { recursive: true, force: true }); r(); }; if (proc.exitCode !== null) return done(); proc.on('exit', done); proc.kill('SIGTERM'); setTimeout(() => { try { proc.kill('SIGKILL'); } catch {} }, 5000); }),
  };
}
export function lastCode(srv: Srv, phone: string): string | null {
  const lines = fs.readFileSync(srv.codesFile, 'utf8').split('\n').filter(Boolean);
  let c: string | null = null;
  for (const l of lines) { try { const j = JSON.parse(l); if (j.phone === phone) c = j.code; } catch {} }
  return c;
}
export function countCodes(srv: Srv, phone: string): number {
  return fs.readFileSync(srv.codesFile, 'utf8').split('\n').filter(Boolean).filter((l) => { try { return JSON.parse(l).phone === phone; } catch { return false; } }).length;
}

// ---------- connection ----------
export class Conn {
  ws!: WebSocket;
  nonce!: Uint8Array;
  pushes: any[] = [];
  frames: any[] = [];
  errors: any[] = [];
  pending = new Map<string | number, (f: any) => void>();
  waiters: { pred: (f: any) => boolean; res: (f: any) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  closeWaiters: ((c: any) => void)[] = [];
  autoAck = true;
  onPush: ((c: Conn, f: any) => void) | null = null;
  nextId = 1;
  dev: Device | null = null;
  send(obj: any) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }
  req(type: string, fields: any = {}, timeoutMs = 15000): Promise<any> {
    const id = this.nextId++;
    return new Promise((res) => {
      const t = setTimeout(() => { this.pending.delete(id); res({ type: 'timeout', ok: false, code: 'TIMEOUT' }); }, timeoutMs);
      this.pending.set(id, (f) => { clearTimeout(t); res(f); });
      if (this.closed) { clearTimeout(t); this.pending.delete(id); return res({ ok: false, code: 'CLOSED', closed: this.closed }); }
      this.send({ type, id, ...fields });
    });
  }
  waitFor(pred: (f: any) => boolean, timeoutMs = 10000): Promise<any | null> {
    const hit = this.frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((res) => {
      const w = { pred, res };
      this.waiters.push(w);
      setTimeout(() => { const i = this.waiters.indexOf(w); if (i >= 0) { this.waiters.splice(i, 1); res(null); } }, timeoutMs);
    });
  }
  push(type: string, timeoutMs = 10000) { return this.waitFor((f) => f.type === type, timeoutMs); }
  waitClose(timeoutMs = 10000): Promise<{ code: number; reason: string } | null> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((res) => { this.closeWaiters.push(res); setTimeout(() => res(null), timeoutMs); });
  }
  close() { try { this.ws.close(); } catch {} }
  terminate() { try { this.ws.terminate(); } catch {} }
}
export const ALL: Conn[] = [];
export async function closeAll() { for (const c of ALL.splice(0)) c.close(); await sleep(100); }
export function connect(url: string, opts: { autoAck?: boolean; localAddress?: string } = {}): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new Conn();
    ALL.push(c);
    if (opts.autoAck === false) c.autoAck = false;
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    c.ws = ws;
    let got = false;
    ws.on('message', (data, isBinary) => {
      let f: any;
      try { f = JSON.parse(String(data)); } catch { return; }
      if (!got && f.type === 'challenge') { got = true; c.nonce = unb64(f.nonce); resolve(c); return; }
      c.frames.push(f);
      if ((f.type === 'result' || f.type === 'error') && f.id != null && c.pending.has(f.id)) { const p = c.pending.get(f.id)!; c.pending.delete(f.id); p(f); }
      else if (f.type === 'error') c.errors.push(f);
      if (typeof f.push === 'number') { c.pushes.push(f); if (c.autoAck) c.send({ type: 'ack', push: f.push }); }
      if (f.type === 'deliver' && c.autoAck) c.send({ type: 'ack', seq: f.seq });
      if (c.onPush && f.type !== 'result') c.onPush(c, f);
      for (const w of [...c.waiters]) if (w.pred(f)) { c.waiters.splice(c.waiters.indexOf(w), 1); w.res(f); }
    });
    ws.on('close', (code, reason) => {
      c.closed = { code, reason: String(reason) };
      for (const w of c.closeWaiters) w(c.closed);
      for (const [, p] of c.pending) p({ ok: false, code: 'CLOSED', closed: c.closed });
      c.pending.clear();
      if (!got) reject(new Error('closed before challenge ' + code + ' ' + reason));
    });
    ws.on('error', (e) => { if (!got) reject(e); });
  });
}

// ---------- keys ----------
export class Device {
  sign = nacl.sign.keyPair();
  box = nacl.box.keyPair();
  get id() { return b64(this.sign.publicKey); }
  get identityKey() { return b64(this.sign.publicKey); }
  get boxKey() { return b64(this.box.publicKey); }
  s(msg: Uint8Array) { return nacl.sign.detached(msg, this.sign.secretKey); }
  boxKeySignature() { return b64(this.s(cat(utf8('linkspec-box-v1'), this.box.publicKey))); }
  authSig(nonce: Uint8Array) { return b64(this.s(cat(utf8('linkspec-auth-v1'), nonce))); }
  bindSig(nonce: Uint8Array) { return b64(this.s(cat(utf8('linkspec-bind-v1'), nonce))); }
  transferSig(phone: string, newKey: Uint8Array) { return b64(this.s(cat(utf8('linkspec-transfer-v1'), utf8(phone), new Uint8Array([0]), newKey))); }
}
export type ListDev = { id: string; identityKey: string };
export function listBytes(phone: string, version: number, devices: ListDev[]) {
  const sorted = [...devices].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.identityKey < b.identityKey ? -1 : a.identityKey > b.identityKey ? 1 : 0));
  return utf8(JSON.stringify([phone, version, sorted.map((d) => [d.id, d.identityKey])]));
}
export function signList(primary: Device, phone: string, version: number, devices: ListDev[]) {
  return { version, devices, signature: b64(primary.s(cat(new Uint8Array([6, 2]), listBytes(phone, version, devices)))) };
}
export const ld = (d: Device): ListDev => ({ id: d.id, identityKey: d.identityKey });

// ---------- flows ----------
export async function auth(c: Conn, d: Device) {
  const r = await c.req('auth', { deviceId: d.id, signature: d.authSig(c.nonce) });
  if (r.ok) c.dev = d;
  return r;
}
export async function verify(c: Conn, srv: Srv, phone: string) {
  const r1 = await c.req('verify.request', { phone });
  if (!r1.ok) return r1;
  await sleep(50);
  const code = lastCode(srv, phone);
  return c.req('verify.confirm', { phone, code });
}
export function registerFrame(d: Device, phone: string, version: number, replace: boolean, proof?: string) {
  const f: any = { phone, replace, identityKey: d.identityKey, boxKey: d.boxKey, boxKeySignature: d.boxKeySignature(), name: 'phone', platform: 'android', list: signList(d, phone, version, [ld(d)]) };
  if (proof) f.proof = { transfer: proof };
  return f;
}
/**
 * Honest registrations come from many phones: each from its own loopback address (127.0.1.x), so
 * the server's per-address verification budget (PROTOCOL.md §1, 30 an hour) is an attacker's
 * limit, not the test bed's.
 */
let honestAddress = 0;
export async function registerNew(srv: Srv, phone: string): Promise<{ c: Conn; d: Device }> {
  const c = await connect(srv.url, { localAddress: `127.0.1.${1 + (honestAddress++ % 250)}` });
  const d = new Device();
  const v = await verify(c, srv, phone);
  if (!v.ok) throw new Error('verify failed ' + JSON.stringify(v));
  const r = await c.req('register', registerFrame(d, phone, (v.value?.version ?? 0) + 1, false));
  if (!r.ok) throw new Error('register failed ' + JSON.stringify(r));
  c.dev = d;
  return { c, d };
}
export async function devicesGet(c: Conn, phone: string) { return c.req('devices.get', { phone }); }

export function details(version: number, ts = Date.now()) {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(Math.floor(Math.random() * 2 ** 32), 0);
  b.writeBigUInt64BE(BigInt(ts), 4);
  b.writeUInt32BE(version, 12);
  return new Uint8Array(b);
}
export const hmac = (key: Uint8Array, data: Uint8Array) => new Uint8Array(crypto.createHmac('sha256', key).update(data).digest());
export const sha256 = (data: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(data).digest());

// A companion that answers offers honestly: checks the HMAC with its key and signs.
export async function bindCompanion(url: string, name = 'laptop'): Promise<{ c: Conn; d: Device; r: any }> {
  const c = await connect(url);
  const d = new Device();
  const r = await c.req('link.bind', { identityKey: d.identityKey, boxKey: d.boxKey, boxKeySignature: d.boxKeySignature(), name, platform: 'web', signature: d.bindSig(c.nonce) });
  c.dev = d;
  return { c, d, r };
}
export function answerOffers(c: Conn, d: Device, hmacKey: () => Uint8Array | null) {
  c.onPush = (conn, f) => {
    if (f.type !== 'link.offer') return;
    const key = hmacKey();
    const det = unb64(f.details);
    const okH = key && b64(hmac(key, det)) === f.detailsHmac;
    const pk = unb64(f.primaryIdentityKey);
    const okA = nacl.sign.detached.verify(cat(new Uint8Array([6, 0]), det, d.sign.publicKey), unb64(f.accountSignature), pk);
    if (!okH || !okA) { conn.send({ type: 'link.answer', id: conn.nextId++, offerId: f.offerId, refuse: okH ? 'BAD_SIGNATURE' : 'QR_INVALID' }); return; }
    conn.send({ type: 'link.answer', id: conn.nextId++, offerId: f.offerId, deviceSignature: b64(d.s(cat(new Uint8Array([6, 1]), det, d.sign.publicKey, pk))) });
  };
}
export function sealHistory(from: Device, toBox: Uint8Array) {
  const nonce = nacl.randomBytes(24);
  return { nonce: b64(nonce), ciphertext: b64(nacl.box(utf8(JSON.stringify({ messages: [] })), nonce, toBox, from.box.secretKey)) };
}
// Full QR link of a new companion to (primary conn pc, primary device pd, phone).
export async function linkByQr(url: string, pc: Conn, pd: Device, phone: string, name = 'laptop') {
  const comp = await bindCompanion(url, name);
  if (!comp.r.ok) throw new Error('bind ' + JSON.stringify(comp.r));
  const secret = nacl.randomBytes(32);
  answerOffers(comp.c, comp.d, () => secret);
  const st = await comp.c.req('link.start', { phone });
  if (!st.ok) throw new Error('link.start ' + JSON.stringify(st));
  const qr = await comp.c.push('qr.ref');
  const ref = qr.ref;
  const res = await approve(pc, pd, phone, { ref }, comp.d, secret);
  return { ...comp, res, secret, ref };
}
export async function approve(pc: Conn, pd: Device, phone: string, via: { ref?: string; codeToken?: string }, comp: Device | { identityKey: string; boxKey: string }, hkey: Uint8Array, opts: { precheck?: boolean } = {}) {
  const cid = comp instanceof Device ? comp.identityKey : comp.identityKey;
  const cbox = comp instanceof Device ? comp.box.publicKey : unb64(comp.boxKey);
  if (opts.precheck !== false && via.ref) {
    const p = await pc.req('link.precheck', { ref: via.ref, companionIdentityKey: cid });
    if (!p.ok) return p;
  }
  const g = await devicesGet(pc, phone);
  if (!g.ok) return g;
  const cur = g.value.list;
  const v = cur.version + 1;
  const det = details(v);
  const devs = [...cur.devices, { id: cid, identityKey: cid }];
  return pc.req('link.approve', {
    ...via, companionIdentityKey: cid, details: b64(det), detailsHmac: b64(hmac(hkey, det)),
    accountSignature: b64(pd.s(cat(new Uint8Array([6, 0]), det, unb64(cid)))),
    list: signList(pd, phone, v, devs), history: sealHistory(pd, cbox),
  }, 20000);
}

// ---------- pairing code crypto (§4.2) ----------
const ALPHA = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';
export function newCode() { let s = ''; const r = nacl.randomBytes(8); for (const x of r) s += ALPHA[x & 31]; return s; }
export const codeKey = (code: string, salt: Uint8Array) => new Uint8Array(crypto.pbkdf2Sync(Buffer.from(code, 'utf8'), salt, 131072, 32, 'sha256'));
const ctr = (key: Uint8Array, iv: Uint8Array, data: Uint8Array) => { const c = crypto.createCipheriv('aes-256-ctr', key, iv); return new Uint8Array(Buffer.concat([c.update(data), c.final()])); };
export class CodeHolder {
  code = newCode();
  e = nacl.box.keyPair();
  salt = nacl.randomBytes(32);
  ivC = nacl.randomBytes(16);
  key: Uint8Array;
  cblob: Uint8Array;
  linkKey: Uint8Array | null = null;
  constructor(code?: string) {
    if (code) this.code = code;
    this.key = codeKey(this.code, this.salt);
    this.cblob = cat(this.salt, this.ivC, ctr(this.key, this.ivC, this.e.publicKey));
  }
  // answer a code.challenge push; returns confirm
  respond(pblob: Uint8Array, companionKey: Uint8Array) {
    const eP = ctr(this.key, pblob.slice(0, 16), pblob.slice(16, 48));
    const shared = nacl.scalarMult(this.e.secretKey, eP);
    this.linkKey = sha256(cat(utf8('linkspec-code-link-v1'), shared, this.cblob, pblob));
    return hmac(this.linkKey, cat(utf8('linkspec-code-confirm-v1'), companionKey));
  }
}
// primary side: given C blob and typed code, make P blob; returns linkKey and expected confirm
export function primaryCode(cblob: Uint8Array, typed: string, companionKey: Uint8Array) {
  const salt = cblob.slice(0, 32), ivC = cblob.slice(32, 48);
  const key = codeKey(typed, salt);
  const eC = ctr(key, ivC, cblob.slice(48, 80));
  const eP = nacl.box.keyPair();
  const ivP = nacl.randomBytes(16);
  const pblob = cat(ivP, ctr(key, ivP, eP.publicKey));
  const shared = nacl.scalarMult(eP.secretKey, eC);
  const linkKey = sha256(cat(utf8('linkspec-code-link-v1'), shared, cblob, pblob));
  const confirm = hmac(linkKey, cat(utf8('linkspec-code-confirm-v1'), companionKey));
  return { pblob, linkKey, confirm };
}
// companion auto-responder for code challenges
export function holdCode(c: Conn, d: Device, h: CodeHolder) {
  const prev = c.onPush;
  answerOffers(c, d, () => h.linkKey);
  const offer = c.onPush!;
  c.onPush = (conn, f) => {
    if (f.type === 'code.challenge') {
      const conf = h.respond(unb64(f.wrapped), d.sign.publicKey);
      conn.send({ type: 'code.response', id: conn.nextId++, challengeId: f.challengeId, confirm: b64(conf) });
    }
    offer(conn, f);
    if (prev) prev(conn, f);
  };
}
// primary types `typed`: code.enter, challenge, approve. Returns the last result.
export async function primaryEntersCode(pc: Conn, pd: Device, phone: string, typed: string, extra: any = {}) {
  const e = await pc.req('code.enter', extra);
  if (!e.ok) return { stage: 'enter', r: e };
  const cblob = unb64(e.value.wrapped);
  const comp = e.value.companion;
  const pcx = primaryCode(cblob, typed, unb64(comp.identityKey));
  const ch = await pc.req('code.challenge', { codeToken: e.value.codeToken, wrapped: b64(pcx.pblob) });
  if (!ch.ok) return { stage: 'challenge', r: ch, enter: e };
  if (b64(pcx.confirm) !== ch.value.confirm) {
    const f = await pc.req('code.fail', { codeToken: e.value.codeToken });
    return { stage: 'confirm-mismatch', r: f, enter: e };
  }
  const a = await approve(pc, pd, phone, { codeToken: e.value.codeToken }, comp, pcx.linkKey);
  return { stage: 'approve', r: a, enter: e };
}
export function loadavg() { return execSync('uptime').toString().trim(); }
export function pct(a: number[], p: number) { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; }
