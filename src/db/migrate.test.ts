import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  outcome,
  postgresRoot,
  startMailPostgres,
  type TestPostgres,
} from '../../test/support/postgres17.js';
import { readDatabase } from '../apply/steps/database-state.js';
import { withConnection } from './client.js';
import { hostTransaction } from './host.js';
import { createDatabase, databaseExists, migrate, pendingMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { dbLogin, type DbSettings } from './settings.js';

const root = postgresRoot();
const ids = MIGRATIONS.map((m) => m.id);

// The machine these run on is loaded: initdb and the first start take their time.
describe.skipIf(!root)('the mail database on a real PostgreSQL 17', { timeout: 120_000 }, () => {
  let server: TestPostgres | undefined;
  let settings: DbSettings;

  beforeAll(async () => {
    ({ server, settings } = await startMailPostgres(root ?? ''));
  }, 300_000);
  afterAll(() => server?.stop(), 60_000);

  it('is unavailable (exit 1) before the database is made, then created once', async () => {
    expect(await outcome(hostTransaction((db) => db.rows('SELECT 1')))).toEqual([
      'E_DB_UNAVAILABLE',
      1,
    ]);
    expect(await databaseExists()).toBe(false);
    // What a step's observe sees on a first apply: nothing there yet, not an error.
    expect(await readDatabase(async () => 'read')).toBeUndefined();
    await createDatabase();
    expect(await databaseExists()).toBe(true);
  });

  it('migrates from empty, once, even with two applies at once, and then has nothing to do', async () => {
    expect((await pendingMigrations()).map((m) => m.id)).toEqual(ids);
    const runs = await Promise.all([migrate(), migrate()]);
    expect(runs.map((r) => r.length).sort()).toEqual([0, ids.length]);
    expect(runs.flat()).toEqual(ids);
    expect(await pendingMigrations()).toEqual([]);
    expect(await migrate()).toEqual([]);
    // A query that fails on a reachable, migrated database fails the plan, rather than
    // making every account look missing.
    await expect(
      readDatabase(() => hostTransaction((db) => db.rows('SELECT * FROM no_such_table'))),
    ).rejects.toThrow(/no_such_table/);
  });

  it('lets root in as mailctl_admin by the peer map, with rights on the account tables only', async () => {
    const who = await hostTransaction((db) =>
      db.rows<{ user: string }>('SELECT current_user AS user'),
    );
    expect(who).toEqual([{ user: 'mailctl_admin' }]);
    await hostTransaction((db) => db.rows("INSERT INTO domains (name) VALUES ('peer.test')"));
    const denied = await outcome(
      hostTransaction((db) => db.rows('SELECT * FROM schema_migrations')),
    );
    expect(denied).toMatchObject({ code: '42501' });
    await hostTransaction((db) => db.rows("DELETE FROM domains WHERE name = 'peer.test'"));
  });

  it('refuses root as any role the map does not name', async () => {
    const asDovecot = { ...dbLogin(settings, 'admin'), user: 'dovecot' };
    expect(await outcome(withConnection(asDovecot, (db) => db.rows('SELECT 1')))).toEqual([
      'E_DB_UNAVAILABLE',
      1,
    ]);
  });

  it('rolls a transaction back when it throws', async () => {
    const failed = hostTransaction(async (db) => {
      await db.rows('INSERT INTO domains (name) VALUES ($1)', ['rollback.test']);
      throw new Error('half-way');
    });
    await expect(failed).rejects.toThrow('half-way');
    const rows = await hostTransaction((db) =>
      db.rows('SELECT 1 FROM domains WHERE name = $1', ['rollback.test']),
    );
    expect(rows).toEqual([]);
  });

  it('is unavailable (exit 1) where there is no socket', async () => {
    const gone = { ...dbLogin(settings, 'admin'), host: '/nonexistent' };
    expect(await outcome(withConnection(gone, (db) => db.rows('SELECT 1')))).toEqual([
      'E_DB_UNAVAILABLE',
      1,
    ]);
  });
});
