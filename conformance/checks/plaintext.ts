/**
 * Does a relayed payload carry a message in plaintext (E2E-01)? A payload is usually a JSON
 * envelope whose fields are base64 (`{"nonce": ..., "ciphertext": ...}`), and a client that ships
 * with its encryption stubbed out puts the message itself, base64-encoded, in the "ciphertext"
 * field. So every string field is read the ways a server operator could read it without a key
 * (as is, base64, base64url, hex). Found by `linkspec selftest`: the known-bad variant
 * 'plaintext-relay' survived a check that only looked at the raw payload.
 */

/** Every string in a JSON value (the payload itself when it is not JSON). */
function strings(payload: string): string[] {
  let value: unknown;
  try { value = JSON.parse(payload); } catch { return [payload]; }
  const out: string[] = [payload];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** The readings of a field a server operator could make without any key. */
function readings(field: string): string[] {
  const out = [field];
  if (/^[A-Za-z0-9+/_-]+=*$/.test(field)) out.push(Buffer.from(field, 'base64').toString('latin1'), Buffer.from(field, 'base64url').toString('latin1'));
  if (/^(?:[0-9a-fA-F]{2})+$/.test(field)) out.push(Buffer.from(field, 'hex').toString('latin1'));
  return out;
}

export function leaksPlaintext(payload: string, probe: string): boolean {
  return strings(payload).some((s) => readings(s).some((r) => r.includes(probe)));
}

/** Delimiters of text a human (or a grep) would read an id out of; not base64's `+ / =`. */
const TOKEN_SPLIT = /[\s"'`,:;{}[\]()<>|]+/;

/** Mostly printable: a reading that is text, not the bytes of a ciphertext. */
function textLike(r: string): boolean {
  if (r.length === 0) return false;
  let printable = 0;
  for (let i = 0; i < r.length; i += 1) {
    const c = r.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable += 1;
  }
  return printable / r.length >= 0.9;
}

/**
 * The message ids of `ids` that a payload shows in plaintext (E2E-01, issue 9 class 4): an id
 * counts only as a whole token of a text-like reading (`{"messageId":"m3"}`, `{"id":"m3"}`,
 * `["m1","m2"]`), so short ids such as `m3` are found in any plaintext framing while the random
 * bytes of a real ciphertext never match (they are not text, and base64 has no delimiters).
 */
export function plaintextIds(payload: string, ids: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const s of strings(payload)) {
    for (const r of readings(s)) {
      if (!textLike(r)) continue;
      for (const token of r.split(TOKEN_SPLIT)) if (ids.has(token)) found.add(token);
    }
  }
  return [...found];
}
