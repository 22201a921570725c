import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterJsonSchema } from './json-schema.js';

describe('schema/cluster.schema.json', () => {
  it('is up to date with the zod schema (regenerate with npm run schema)', () => {
    const committed = readFileSync(
      new URL('../../schema/cluster.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(clusterJsonSchema());
  });
});
