// Writes schema/cluster.schema.json from the zod schema: `npm run schema`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { clusterJsonSchema } from '../src/spec/json-schema.js';

mkdirSync('schema', { recursive: true });
writeFileSync('schema/cluster.schema.json', clusterJsonSchema());
