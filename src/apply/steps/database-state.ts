import { hostTransaction } from '../../db/index.js';
import { UserError } from '../../util/errors.js';

/**
 * Reads the mail database for a step's observe, or `undefined` when there is nothing to
 * read yet: no server, no database, no login for mailctl yet, or its tables not migrated
 * (a first apply). Any other error (a query that fails on a reachable database) is not
 * "nothing there": planning on it would show every account as missing, so it fails the plan.
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
  } catch (e) {
    if (e instanceof UserError && e.code === 'E_DB_UNAVAILABLE') return undefined;
    throw e;
  }
}
