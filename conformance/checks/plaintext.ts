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
