import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestingDepth, readRequestId } from './frameScan.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The depth JSON.parse would see, computed on the parsed value. */
function parsedDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(parsedDepth));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(parsedDepth));
  return 0;
}

describe('frameScan: nesting depth before JSON.parse', () => {
  it('equals the depth of the parsed value for any JSON (strings with brackets, escapes, unicode)', () => {
    fc.assert(fc.property(fc.json({ depthSize: 'large' }), (text) => {
      expect(nestingDepth(bytes(text), 1_000)).toBe(parsedDepth(JSON.parse(text)));
    }), { numRuns: 500 });
  });

  it('stops as soon as the limit is passed', () => {
    expect(nestingDepth(bytes('['.repeat(1_000_000)), 32)).toBe(33);
    expect(nestingDepth(bytes('"[[[[\\"[[["'), 2)).toBe(0);
  });
});

describe('frameScan: the request id without parsing', () => {
  it('finds a top-level string or integer id, wherever the member sits', () => {
    fc.assert(fc.property(
      fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), fc.integer({ min: -1e12, max: 1e12 })),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/).filter((k) => k !== 'id'), fc.jsonValue(), { maxKeys: 4 }),
      fc.boolean(),
      (id, others, idFirst) => {
        const frame = idFirst ? { id, ...others } : { ...others, id };
        const text = JSON.stringify(frame);
        fc.pre(text.length < 4_000);
        expect(readRequestId(bytes(text))).toBe(id);
      },
    ), { numRuns: 500 });
  });

  it('ignores an "id" nested deeper or inside a string, and ids it cannot read plainly', () => {
    expect(readRequestId(bytes('{"type":"x","list":{"id":5}}'))).toBeNull();
    expect(readRequestId(bytes('{"phone":"\\"id\\":7"}'))).toBeNull();
    expect(readRequestId(bytes('{"id":"a\\"b"}'))).toBeNull();
    expect(readRequestId(bytes('{"id":1.5}'))).toBeNull();
    expect(readRequestId(bytes('{"id" : "abc" }'))).toBe('abc');
    expect(readRequestId(bytes('[[[[[[[[['))).toBeNull();
  });
});
