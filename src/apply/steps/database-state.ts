import { hostTransaction } from '../../db/index.js';

/**
 * Reads the mail database for a step's observe, or `undefined` when there is nothing to
 * read yet: no server, no database, no login for mailctl yet, or its tables not migrated
 * (a first apply). Observing never fails an apply or a plan; applying reports real errors.
 */
export async function readDatabase<T>(
  read: () => Promise<T>,
  table = 'public.schema_migrations',
): Promise<T | undefined> {
  try {
    const [row] = await hostTransaction(
      (db) =>
        db.rows<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]),
      'superuser',
    );
    if (!row?.present) return undefined;
    return await read();
  } catch {
    return undefined;
  }
}
