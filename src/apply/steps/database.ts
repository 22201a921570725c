import { existsSync } from 'node:fs';
import { migrationPlan, migrationScript } from '../../db/index.js';
import { MAIL_DATABASE, psql } from '../../ops/accounts/psql.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import { DOVECOT_DB_PASSWORD_SECRET } from '../../render/dovecot/sql-conf.js';
import { POSTFIX_DB_PASSWORD_SECRET } from '../../render/postfix/pgsql-maps.js';
import { SOGO_DB_PASSWORD_SECRET, sogoComponent } from '../../render/sogo/index.js';
import { mustRun, run } from '../../util/exec.js';
import { readSecret } from '../secrets.js';
import { readDatabase } from './database-state.js';

const SOGO_UNIT = sogoComponent.units[0] ?? 'sogo.service';

/** In native mode the mail database is made with createdb, as the postgres superuser. */
export const databaseStep: HostStep = {
  name: 'database',
  phase: 'after-activate',
  async observe() {
    const exists = existsSync('/usr/bin/psql')
      ? await psql(
          `SELECT 1 FROM pg_database WHERE datname = :'d';`,
          { d: MAIL_DATABASE },
          'postgres',
        )
          .then((rows) => rows.length > 0)
          .catch(() => false)
      : false;
    return exists ? [] : [{ kind: 'database', action: 'create', target: MAIL_DATABASE }];
  },
  async apply() {
    await run('runuser', ['-u', 'postgres', '--', 'createdb', MAIL_DATABASE]).then((r) => {
      if (r.code !== 0 && !/already exists/.test(r.stderr))
        throw new Error(`createdb ${MAIL_DATABASE} failed: ${r.stderr.trim()}`);
    });
    return [`created database ${MAIL_DATABASE}`];
  },
};

const appliedMigrations = async (): Promise<string[]> =>
  (await readDatabase(async () =>
    (await psql('SELECT id FROM schema_migrations ORDER BY id;')).map((r) => r[0] ?? ''),
  )) ?? [];

/** The schema, as the migrations not yet recorded in schema_migrations make it. */
export const migrationsStep: HostStep = {
  name: 'migrations',
  phase: 'after-activate',
  async observe() {
    const pending = migrationPlan(await appliedMigrations());
    const changes: HostChange[] = pending.map((m) => ({
      kind: 'migration',
      action: 'run',
      target: m.id,
    }));
    // SOGo looks for its tables and creates them when it starts, which on a first apply is
    // before its schema exists: it starts again on the migrated database.
    if (pending.length)
      changes.push({
        kind: 'unit',
        action: 'restart',
        target: SOGO_UNIT,
        detail: 'if running, on the migrated database',
      });
    return changes;
  },
  async apply() {
    const notes: string[] = [];
    const pending = migrationPlan(await appliedMigrations());
    if (pending.length === 0) return notes;
    await psql(migrationScript(pending));
    notes.push(
      `applied ${pending.length} database migration(s): ${pending.map((m) => m.id).join(', ')}`,
    );
    if ((await run('systemctl', ['is-active', '--quiet', SOGO_UNIT])).code === 0) {
      // A sogod that cannot start on the migrated database fails the apply here.
      await mustRun('systemctl', ['restart', SOGO_UNIT]);
      notes.push(`restarted ${SOGO_UNIT} on the migrated database`);
    }
    return notes;
  },
};

/**
 * In container mode the daemons log in over TCP with SCRAM (no peer authentication across
 * the container boundary): each role's password is a host secret that their rendered
 * configuration already refers to.
 */
const CONTAINER_ROLE_SECRETS: readonly [role: string, secret: string][] = [
  ['postfix', POSTFIX_DB_PASSWORD_SECRET],
  ['dovecot', DOVECOT_DB_PASSWORD_SECRET],
  ['sogo', SOGO_DB_PASSWORD_SECRET],
];

/** Sets each daemon role's password once; the value travels on psql's stdin, never in argv. */
export const rolePasswordsStep: HostStep = {
  name: 'role-passwords',
  phase: 'after-activate',
  async observe() {
    const unset =
      (await readDatabase(async () =>
        (await psql(`SELECT rolname FROM pg_authid WHERE rolpassword IS NULL;`)).map((r) => r[0]),
      )) ?? CONTAINER_ROLE_SECRETS.map(([role]) => role);
    return CONTAINER_ROLE_SECRETS.filter(([role]) => unset.includes(role)).map(
      ([role, secret]) => ({
        kind: 'secret' as const,
        action: 'create' as const,
        target: `database password of role ${role}`,
        detail: `from the host secret ${secret}`,
      }),
    );
  },
  async apply(changes) {
    const notes: string[] = [];
    for (const [role, secret] of CONTAINER_ROLE_SECRETS) {
      if (!changes.some((c) => c.target === `database password of role ${role}`)) continue;
      // Secrets are base64url (secrets.ts), so they need no escaping inside the quotes.
      await psql(`\\set pw '${readSecret(secret)}'\nALTER ROLE ${role} PASSWORD :'pw';\n`);
      notes.push(`set the database password of role ${role}`);
    }
    return notes;
  },
};
