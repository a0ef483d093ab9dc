/**
 * A cheap look at a text frame's bytes BEFORE `JSON.parse` (issue 10: 1 MiB of nested `[` cost
 * about a second of JSON.parse on the event loop, before any check). One linear pass, no
 * allocation, no recursion:
 * - `nestingDepth`: the deepest `[`/`{` nesting outside strings, stopping as soon as it passes
 *   `limit` (a frame of the protocol nests at most 6 deep; the server refuses above MAX_DEPTH);
 * - `readRequestId`: the top-level `"id"` member, when it is a plain string or an integer within
 *   the first `ID_SCAN_BYTES`, so that a frame refused unparsed (RATE_LIMITED, FRAME_TOO_LARGE,
 *   too deep) can still be answered with its id.
 * Neither validates JSON: the parse that follows (if any) does.
 */

/** Deepest nesting the server parses; deeper frames are refused BAD_FRAME unparsed. */
export const MAX_DEPTH = 32;
/** How far into a frame `readRequestId` looks. */
export const ID_SCAN_BYTES = 4_096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

/** Deepest nesting of `[`/`{` outside strings; stops counting (returns limit + 1) once above `limit`. */
export function nestingDepth(bytes: Uint8Array, limit = MAX_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_SQUARE || b === OPEN_CURLY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (b === CLOSE_SQUARE || b === CLOSE_CURLY) depth--;
  }
  return deepest;
}

/**
 * The value of the top-level `"id"` member if it is a string of 1..64 plain characters (no
 * escapes) or a safe integer, found within the first ID_SCAN_BYTES; else null.
 */
export function readRequestId(bytes: Uint8Array): string | number | null {
  const end = Math.min(bytes.length, ID_SCAN_BYTES);
  let depth = 0;
  let i = 0;
  while (i < end) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      const start = i + 1;
      let j = start;
      let escaped = false;
      while (j < end && bytes[j] !== QUOTE) { if (bytes[j] === BACKSLASH) { escaped = true; j++; } j++; }
      if (j >= end) return null;
      // A member name at depth 1 followed by a colon.
      if (depth === 1 && !escaped && j - start === 2 && bytes[start] === 0x69 && bytes[start + 1] === 0x64) {
        let k = j + 1;
        while (k < end && isSpace(bytes[k]!)) k++;
        if (bytes[k] === 0x3a) return valueAt(bytes, k + 1, end);
      }
      i = j + 1;
      continue;
    }
    if (b === OPEN_SQUARE || b === OPEN_CURLY) depth++;
    else if (b === CLOSE_SQUARE || b === CLOSE_CURLY) depth--;
    i++;
  }
  return null;
}

function isSpace(b: number): boolean { return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d; }

function valueAt(bytes: Uint8Array, from: number, end: number): string | number | null {
  let i = from;
  while (i < end && isSpace(bytes[i]!)) i++;
  if (bytes[i] === QUOTE) {
    let j = i + 1;
    while (j < end && bytes[j] !== QUOTE) { if (bytes[j] === BACKSLASH || bytes[j]! < 0x20 || bytes[j]! > 0x7e) return null; j++; }
    if (j >= end || j - i - 1 < 1 || j - i - 1 > 64) return null;
    return Buffer.from(bytes.buffer, bytes.byteOffset + i + 1, j - i - 1).toString('latin1');
  }
  let j = i;
  if (bytes[j] === 0x2d) j++;
  const digitsFrom = j;
  while (j < end && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
  if (j === digitsFrom || j - digitsFrom > 15) return null;
  const next = bytes[j];
  if (next !== undefined && next !== 0x2c && next !== 0x7d && !isSpace(next)) return null;
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + i, j - i).toString('latin1'));
}
