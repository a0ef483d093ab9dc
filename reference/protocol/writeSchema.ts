/** Rewrites reference/protocol/protocol.schema.json from frames.ts (see jsonSchema.ts). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protocolJsonSchemaText } from './jsonSchema.js';

const target = fileURLToPath(new URL('./protocol.schema.json', import.meta.url));
writeFileSync(target, protocolJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
