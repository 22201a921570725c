import { hostConnection, hostDatabase } from './host.js';
import { migrationPlan, MIGRATIONS_TABLE_SQL, type Migration } from './migrations.js';
import type { Db } from './client.js';

/**
 * Database creation and migrations on the host, as the superuser (role postgres: the
 * migrations create roles and grant on the tables they make).
 */

/** Two applies at once must not run one migration twice: the second waits for the first. */
const MIGRATION_LOCK = 'SELECT pg_advisory_lock(hashtext($1))';
const MIGRATION_UNLOCK = 'SELECT pg_advisory_unlock(hashtext($1))';
const LOCK_NAME = 'mailctl migrations';

export async function databaseExists(): Promise<boolean> {
  const { database } = await hostDatabase();
  const rows = await hostConnection(
    (db) => db.rows('SELECT 1 FROM pg_database WHERE datname = $1', [database]),
    'superuser',
    'postgres',
  );
  return rows.length > 0;
}

/** Creates the mail database (native mode; the container image makes it from POSTGRES_DB). */
export async function createDatabase(): Promise<void> {
  const { database } = await hostDatabase();
  // A utility statement takes no bound parameters; the name is quoted as an identifier
  // (and the schema allows only [a-z_][a-z0-9_]* anyway).
  const ident = `"${database.replaceAll('"', '""')}"`;
  await hostConnection((db) => db.rows(`CREATE DATABASE ${ident}`), 'superuser', 'postgres');
}

async function applied(db: Db): Promise<string[]> {
  const [table] = await db.rows<{ present: boolean }>(
    "SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present",
  );
  if (!table?.present) return [];
  const rows = await db.rows<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
  return rows.map((r) => r.id);
}

/** The migrations this database has not had yet, in order. */
export async function pendingMigrations(): Promise<Migration[]> {
  return migrationPlan(await hostConnection(applied, 'superuser'));
}

/**
 * Applies every pending migration, each in its own transaction together with its record in
 * schema_migrations, so that a failed one leaves the ones before it applied and itself not.
 * Returns the ids applied.
 */
export async function migrate(): Promise<string[]> {
  return hostConnection(async (db) => {
    await db.rows(MIGRATION_LOCK, [LOCK_NAME]);
    try {
      await db.rows(MIGRATIONS_TABLE_SQL);
      const pending = migrationPlan(await applied(db));
      for (const m of pending) {
        await db.rows('BEGIN');
        try {
          // Migrations are multi-statement scripts of our own, without values: the simple
          // query protocol runs them as written.
          await db.rows(m.sql);
          await db.rows('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
          await db.rows('COMMIT');
        } catch (e) {
          await db.rows('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }
      return pending.map((m) => m.id);
    } finally {
      await db.rows(MIGRATION_UNLOCK, [LOCK_NAME]).catch(() => undefined);
    }
  }, 'superuser');
}
