import { existsSync } from 'node:fs';
import { psql } from '../../ops/accounts/psql.js';

/**
 * Reads the mail database for a step's observe, or `undefined` when there is nothing to
 * read yet: no PostgreSQL client, no server, no database, or its tables not migrated (a
 * first apply). Observing never fails an apply or a plan; applying reports real errors.
 */
export async function readDatabase<T>(
  read: () => Promise<T>,
  table = 'public.schema_migrations',
): Promise<T | undefined> {
  if (!existsSync('/usr/bin/psql')) return undefined;
  try {
    const [[present] = []] = await psql(`SELECT to_regclass(:'t') IS NOT NULL;`, { t: table });
    if (present !== 't') return undefined;
    return await read();
  } catch {
    return undefined;
  }
}
