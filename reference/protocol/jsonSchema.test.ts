/** The committed protocol.schema.json is exactly what frames.ts generates, and names every frame type. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RequestSchemas, ServerFrameSchemas } from './frames.js';
import { protocolJsonSchemaText } from './jsonSchema.js';

describe('protocol.schema.json', () => {
  it('is up to date (regenerate: npx tsx reference/protocol/writeSchema.ts)', () => {
    const committed = readFileSync(new URL('./protocol.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(protocolJsonSchemaText());
  });
  it('mentions every frame type', () => {
    const text = protocolJsonSchemaText();
    for (const type of [...Object.keys(RequestSchemas), ...Object.keys(ServerFrameSchemas), 'ack']) expect(text).toContain(`"${type}"`);
  });
});
