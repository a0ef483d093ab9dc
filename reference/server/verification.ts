/**
 * Proof of owning a phone number (LIFE-03): nobody registers or re-registers a number without
 * either
 * - a one-time verification code the server sent OUT OF BAND to that number (`verify.request`,
 *   then `verify.confirm` on the same connection), or
 * - a transfer signature by the number's current primary over the new primary's identity key
 *   (`register {proof: {transfer}}`), the "move to a new phone" path.
 * Without one, `register` is refused NUMBER_NOT_VERIFIED and nothing changes.
 *
 *   new phone                       server                         out of band (SMS here)
 *     |-- verify.request {phone} ---->|  6 digits, 10 min (virtual) -->  sender.send(phone, code)
 *     |<-- result ok {} --------------|                                    |
 *     |   (user reads the code)  <~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~|
 *     |-- verify.confirm {phone, code}>|  wrong: NUMBER_NOT_VERIFIED, attempts + 1 (5: code burned)
 *     |<-- result ok {registered, version}  (the connection now holds proof for `phone`)
 *     |-- register {phone, …} ------->|  the proof is spent by a successful register
 *
 * A code belongs to the number AND the remote address that requested it, and only a
 * `verify.confirm` from that address can use or burn it (red team F5: with one code per number, a
 * stranger's 5 requests spent the number's hourly budget and 5 wrong guesses burned the owner's
 * code - the owner was locked out for an hour). So a stranger's requests and guesses spend the
 * stranger's code and budget, never the owner's; the owner's phone gets the stranger's SMS too,
 * with a code that works for nobody (as a registration session's code does elsewhere). A number
 * behind the same address as the stranger (a shared NAT) is not protected by this.
 *
 * Abuse limits (real time, like every limit in limits.ts): at most `verificationSendsPerWindow`
 * codes per (number, address) per `verificationWindowMs` (nobody draws fresh codes to guess
 * faster), `verificationSendsPerNumber` per number from all addresses (nobody floods a number
 * with SMS; an attacker needs that many / 5 addresses to lock the owner out, and then only for the
 * window), and `verificationAttempts` wrong guesses per code. Every code sent
 * costs money and reaches a person, so sends are also budgeted per connection and per remote
 * address per window and server-wide per minute (red team F4: with the per-number budget only,
 * 8 connections sent 20,000 codes to different numbers in 20 s). All budgets are checked before
 * any is spent: a refused request costs no budget. An active code
 * is re-sent, not replaced, by a second request from the same address. Codes live in memory: a restart forgets them (request a new one).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { Request } from '../protocol/frames.js';
import { done, fail, type Connection, type HandlerResult, type ServerContext } from './context.js';
import { WindowCounter, type Limits } from './limits.js';

export const VERIFICATION_CODE_DIGITS = 6;
/** Virtual-time lifetime of a verification code. */
export const VERIFICATION_CODE_TTL_MS = 10 * 60_000;

/** Where verification codes go: the out-of-band channel (an SMS gateway in production). */
export interface VerificationSender {
  send(phone: string, code: string): void;
}

/** Keeps the latest code sent to each number; test control (`tc.verificationCode`) and in-process tests read it. */
export class VerificationOutbox implements VerificationSender {
  private readonly latestCodes = new Map<string, string>();
  send(phone: string, code: string): void { this.latestCodes.set(phone, code); }
  latest(phone: string): string | null { return this.latestCodes.get(phone) ?? null; }
  clear(): void { this.latestCodes.clear(); }
}

/** Appends one JSON line `{"phone","code"}` per code to a file (`linkspec serve --verification-out FILE`). */
export class FileVerificationSender implements VerificationSender {
  constructor(private readonly path: string) {}
  send(phone: string, code: string): void { appendFileSync(this.path, `${JSON.stringify({ phone, code })}\n`); }
}

/** The code last written for `phone` by a FileVerificationSender (what the user reads in the SMS). */
export function latestCodeInFile(path: string, phone: string): string | null {
  if (!existsSync(path)) return null;
  let code: string | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { phone?: unknown; code?: unknown };
      if (entry.phone === phone && typeof entry.code === 'string') code = entry.code;
    } catch { /* a torn last line: skip it */ }
  }
  return code;
}

/** Several senders at once (for example the file and the test-control outbox). */
export class FanOutSender implements VerificationSender {
  constructor(private readonly senders: readonly VerificationSender[]) {}
  send(phone: string, code: string): void { for (const s of this.senders) s.send(phone, code); }
}

interface ActiveCode { readonly code: string; readonly expiresAt: number; wrong: number }

/** Per-server verification state (in memory; a restart forgets it). */
export class Verifications {
  private readonly codes = new Map<string, ActiveCode>();
  /** Keyed by codeKey(address, phone), like `codes`. */
  private readonly sends = new Map<string, WindowCounter>();
  private readonly sendsToNumber = new Map<string, WindowCounter>();
  private readonly sendsByConnection = new WeakMap<Connection, WindowCounter>();
  private readonly sendsByAddress = new Map<string, WindowCounter>();
  private readonly sendsServerWide: WindowCounter;
  /** Connection -> the number it proved (spent by a successful register). */
  private readonly proven = new WeakMap<Connection, string>();

  constructor(
    private readonly sender: VerificationSender,
    private readonly limits: Limits,
    /** The remote address a connection came from (admission.ts). */
    private readonly addressOf: (conn: Connection) => string = () => 'unknown',
  ) {
    this.sendsServerWide = new WindowCounter(limits.verificationSendsPerMinute, 60_000);
  }

  request(ctx: ServerContext, conn: Connection, req: Request<'verify.request'>): HandlerResult {
    this.prune(ctx.clock.now());
    const l = this.limits;
    const per = `per ${l.verificationWindowMs / 1000} s`;
    const address = this.addressOf(conn);
    // The code and the per-number budget belong to the requesting address (see the file comment).
    const key = codeKey(address, req.phone);
    const budgets: Array<[WindowCounter, string]> = [
      [counterIn(this.sends, key, l.verificationSendsPerWindow, l.verificationWindowMs), `at most ${l.verificationSendsPerWindow} verification codes per number from one remote address ${per}`],
      [counterIn(this.sendsToNumber, req.phone, l.verificationSendsPerNumber, l.verificationWindowMs), `at most ${l.verificationSendsPerNumber} verification codes per number ${per}`],
      [counterIn(this.sendsByConnection, conn, l.verificationSendsPerConnection, l.verificationWindowMs), `at most ${l.verificationSendsPerConnection} verification codes per connection ${per}`],
      [counterIn(this.sendsByAddress, address, l.verificationSendsPerAddress, l.verificationWindowMs), `at most ${l.verificationSendsPerAddress} verification codes per remote address ${per}`],
      [this.sendsServerWide, `at most ${l.verificationSendsPerMinute} verification codes per minute on this server`],
    ];
    const spent = budgets.find(([counter]) => counter.full());
    if (spent) return fail('RATE_LIMITED', spent[1]);
    for (const [counter] of budgets) counter.take();
    let active = this.codes.get(key);
    if (!active) {
      const code = String(randomInt(10 ** VERIFICATION_CODE_DIGITS)).padStart(VERIFICATION_CODE_DIGITS, '0');
      active = { code, expiresAt: ctx.clock.now() + VERIFICATION_CODE_TTL_MS, wrong: 0 };
      this.codes.set(key, active);
    }
    this.sender.send(req.phone, active.code);
    return done({});
  }

  confirm(ctx: ServerContext, conn: Connection, req: Request<'verify.confirm'>): HandlerResult {
    const now = ctx.clock.now();
    this.prune(now);
    const key = codeKey(this.addressOf(conn), req.phone);
    const active = this.codes.get(key);
    if (!active) return fail('NUMBER_NOT_VERIFIED', 'no active verification code for this number requested from this address; request one');
    if (!timingSafeEqualText(active.code, req.code)) {
      active.wrong++;
      if (active.wrong >= this.limits.verificationAttempts) this.codes.delete(key);
      return fail('NUMBER_NOT_VERIFIED', 'wrong verification code');
    }
    this.codes.delete(key);
    this.proven.set(conn, req.phone);
    const account = ctx.storage.getAccount(req.phone);
    return done({ registered: account?.registered ?? false, version: ctx.storage.getDeviceList(req.phone)?.version ?? 0 });
  }

  /** Does this connection hold proof for `phone`? */
  holds(conn: Connection, phone: string): boolean { return this.proven.get(conn) === phone; }
  spend(conn: Connection): void { this.proven.delete(conn); }

  /** Codes past their lifetime and idle rate counters are dropped (pending records stay bounded). */
  private prune(now: number): void {
    for (const [key, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(key);
    if (this.sends.size > 10_000) for (const [key, counter] of this.sends) if (counter.idle()) this.sends.delete(key);
    if (this.sendsToNumber.size > 10_000) for (const [phone, counter] of this.sendsToNumber) if (counter.idle()) this.sendsToNumber.delete(phone);
    if (this.sendsByAddress.size > 10_000) for (const [address, counter] of this.sendsByAddress) if (counter.idle()) this.sendsByAddress.delete(address);
  }
}

/** Codes and their per-number budget belong to (requesting address, number). */
function codeKey(address: string, phone: string): string { return `${address} ${phone}`; }

/** The window counter for `key`, created on first use. */
function counterIn<K extends object | string>(
  counters: { get(k: K): WindowCounter | undefined; set(k: K, v: WindowCounter): unknown },
  key: K, max: number, windowMs: number,
): WindowCounter {
  let counter = counters.get(key);
  if (!counter) { counter = new WindowCounter(max, windowMs); counters.set(key, counter); }
  return counter;
}

function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
