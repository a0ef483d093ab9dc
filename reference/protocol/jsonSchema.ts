/**
 * The wire protocol as JSON Schema (draft 2020-12), generated from the zod schemas in frames.ts
 * with zod 4's `z.toJSONSchema`, so teams in other languages validate against exactly what the
 * server validates. `npx tsx reference/protocol/writeSchema.ts` rewrites protocol.schema.json;
 * jsonSchema.test.ts fails when the committed file is out of date.
 */
import { z } from 'zod';
import { ClientFrame, PROTOCOL_VERSION, ServerFrame } from './frames.js';

export function protocolJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `linkspec reference wire protocol v${PROTOCOL_VERSION}`,
    description: 'JSON text frames over WebSocket. See reference/PROTOCOL.md.',
    $defs: {
      ClientFrame: z.toJSONSchema(ClientFrame, { target: 'draft-2020-12', unrepresentable: 'any' }),
      ServerFrame: z.toJSONSchema(ServerFrame, { target: 'draft-2020-12', unrepresentable: 'any' }),
    },
  };
}

export function protocolJsonSchemaText(): string {
  return `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
}
