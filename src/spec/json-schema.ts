import { z } from 'zod';
import { clusterSchema } from './schema.js';

/** The JSON Schema editors use to complete and check cluster files (what a user writes, before defaults). */
export function clusterJsonSchema(): string {
  const schema = z.toJSONSchema(clusterSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'mailctl cluster file' }, null, 2)}\n`;
}
