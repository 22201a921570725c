import {
  createDatabase,
  databaseExists,
  hostDatabase,
  hostTransaction,
  migrate,
  MIGRATIONS,
  pendingMigrations,
} from '../../db/index.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import { dovecotComponent } from '../../render/dovecot/index.js';
import { DOVECOT_DB_PASSWORD_SECRET } from '../../render/dovecot/sql-conf.js';
import type { MailHostContext } from '../../render/host-context.js';
import {
  POSTGRES_METRICS_ROLE,
  POSTGRES_METRICS_SECRET,
} from '../../render/monitoring/postgres-exporter.js';
import { POSTFIX_DB_PASSWORD_SECRET } from '../../render/postfix/pgsql-maps.js';
import { POSTGRES_ADMIN_SECRET } from '../../render/postgres/index.js';
import { SOGO_DB_PASSWORD_SECRET, sogoComponent } from '../../render/sogo/index.js';
import { mustRun, run } from '../../util/exec.js';
import { readSecret } from '../secrets.js';
import { readDatabase } from './database-state.js';

const SOGO_UNIT = sogoComponent.units[0] ?? 'sogo.service';
const DOVECOT_UNIT = dovecotComponent.units[0] ?? 'dovecot.service';

/** In native mode the mail database is made as the postgres superuser (peer map root -> postgres). */
export const databaseStep: HostStep = {
  name: 'database',
  phase: 'after-activate',
  async observe() {
    const exists = await databaseExists().catch(() => false);
    const { database } = await hostDatabase();
    return exists ? [] : [{ kind: 'database', action: 'create', target: database }];
  },
  async apply() {
    if (!(await databaseExists())) await createDatabase();
    return [`created database ${(await hostDatabase()).database}`];
  },
};

const pendingIds = async (): Promise<string[]> =>
  (await readDatabase(async () => (await pendingMigrations()).map((m) => m.id))) ??
  MIGRATIONS.map((m) => m.id);

/** The schema, as the migrations not yet recorded in schema_migrations make it. */
export const migrationsStep: HostStep = {
  name: 'migrations',
  phase: 'after-activate',
  async observe() {
    const pending = await pendingIds();
    const changes: HostChange[] = pending.map((id) => ({
      kind: 'migration',
      action: 'run',
      target: id,
    }));
    // SOGo looks for its tables and creates them when it starts, which on a first apply is
    // before its schema exists: it starts again on the migrated database. Dovecot's auth
    // process tried to connect before the migrations made its role (native mode: peer
    // authentication as `dovecot`); Debian 13's Dovecot (2.4.1, since +deb13u7) then fails
    // every lookup at once with "Not connected to database" and waits 1, 5, 25, 125, 625 s
    // between reconnects, so logins and Postfix's quota-status checks would fail for
    // minutes: it starts again too.
    if (pending.length)
      changes.push(
        ...[SOGO_UNIT, DOVECOT_UNIT].map((unit) => ({
          kind: 'unit' as const,
          action: 'restart' as const,
          target: unit,
          detail: 'if running, on the migrated database',
        })),
      );
    return changes;
  },
  async apply() {
    const notes: string[] = [];
    const applied = await migrate();
    if (applied.length === 0) return notes;
    notes.push(`applied ${applied.length} database migration(s): ${applied.join(', ')}`);
    for (const unit of [SOGO_UNIT, DOVECOT_UNIT]) {
      if ((await run('systemctl', ['is-active', '--quiet', unit])).code !== 0) continue;
      // A daemon that cannot start on the migrated database fails the apply here.
      await mustRun('systemctl', ['restart', unit]);
      notes.push(`restarted ${unit} on the migrated database`);
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
  // mailctl's own account commands (src/db).
  ['mailctl_admin', POSTGRES_ADMIN_SECRET],
];

/** The daemons that hold a connection as a role, restarted once its password is set. */
const ROLE_UNITS: Readonly<Record<string, string>> = {
  dovecot: dovecotComponent.units[0] ?? 'dovecot.service',
  sogo: SOGO_UNIT,
};

/** The roles that log in with a password on this host, and the secret each one's is. */
export function passwordRoles(
  ctx: Pick<MailHostContext, 'postgres' | 'monitoring'>,
): (readonly [role: string, secret: string])[] {
  return [
    ...(ctx.postgres.mode === 'container' ? CONTAINER_ROLE_SECRETS : []),
    // The metrics exporter, in either mode (migration 0005 makes the role).
    ...(ctx.monitoring.exporters
      ? [[POSTGRES_METRICS_ROLE, POSTGRES_METRICS_SECRET] as const]
      : []),
  ];
}

/**
 * Sets each role's password once: a role that has none, or does not exist yet (its
 * migration runs in the same apply, before this step). ALTER ROLE takes no bound
 * parameters, so the server itself quotes the bound value with format(%L) and runs the
 * result: the secret travels only inside the database connection, never in argv.
 */
export function rolePasswordsStep(roles: readonly (readonly [string, string])[]): HostStep {
  const target = (role: string) => `database password of role ${role}`;
  return {
    name: 'role-passwords',
    phase: 'after-activate',
    async observe() {
      const names = roles.map(([role]) => role);
      const unset =
        (await readDatabase(async () =>
          (
            await hostTransaction(
              (db) =>
                db.rows<{ rolname: string }>(
                  'SELECT r AS rolname FROM unnest($1::text[]) AS r WHERE NOT EXISTS ' +
                    '(SELECT 1 FROM pg_authid a WHERE a.rolname = r AND a.rolpassword IS NOT NULL)',
                  [names],
                ),
              'superuser',
            )
          ).map((r) => r.rolname),
        )) ?? names;
      return roles
        .filter(([role]) => unset.includes(role))
        .map(([role, secret]) => ({
          kind: 'secret' as const,
          action: 'create' as const,
          target: target(role),
          detail: `from the host secret ${secret}`,
        }));
    },
    async apply(changes) {
      const notes: string[] = [];
      for (const [role, secret] of roles) {
        if (!changes.some((c) => c.target === target(role))) continue;
        await hostTransaction(async (db) => {
          const [stmt] = await db.rows<{ sql: string }>(
            "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS sql",
            [role, readSecret(secret)],
          );
          await db.rows(stmt?.sql ?? '');
        }, 'superuser');
        notes.push(`set the database password of role ${role}`);
        // A daemon that started before its role had a password keeps failing: Dovecot's
        // pgsql driver stays "Not connected" after the refused logins of the first apply
        // (seen in container mode). Postfix's proxymap connects anew per lookup.
        const unit = ROLE_UNITS[role];
        if (unit && (await run('systemctl', ['is-active', '--quiet', unit])).code === 0) {
          await mustRun('systemctl', ['restart', unit]);
          notes.push(`restarted ${unit}, which had started before its password was set`);
        }
      }
      return notes;
    },
  };
}
