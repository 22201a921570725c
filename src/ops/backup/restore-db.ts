import { dovecotComponent } from '../../render/dovecot/component.js';
import { postfixComponent } from '../../render/postfix/component.js';
import { postgresNativeComponent } from '../../render/postgres/index.js';
import { sogoComponent } from '../../render/sogo/component.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import { mustRun, run, sleep } from '../../util/exec.js';
import { hostConnection, hostTransaction } from '../../db/index.js';
import { pgbackrest, pgbackrestInfo } from './tools.js';

/** The daemons that read the mail database, stopped while it is replaced. */
const CLIENT_UNITS = [postfixComponent, dovecotComponent, sogoComponent].flatMap((c) => c.units);
export const POSTGRES_UNIT = postgresNativeComponent.units[0] ?? 'postgresql@17-main.service';

/** A point in time as PostgreSQL's recovery_target_time takes it (UTC). */
export function recoveryTarget(input: string, now: number): { iso: string; target: string } {
  const ms = Date.parse(input);
  if (Number.isNaN(ms))
    throw new UserError(
      'E_BAD_TIME',
      `'${input}' is not a point in time (use e.g. 2026-12-07T06:50:00Z)`,
    );
  if (ms >= now)
    throw new UserError('E_BAD_TIME', `${new Date(ms).toISOString()} is not in the past`);
  const iso = new Date(ms).toISOString();
  return { iso, target: `${iso.replace('T', ' ').replace('Z', '')}+00` };
}

/** One line of the account change log (migration 0007). */
export interface AccountChange {
  at: string;
  kind: string;
  change: string;
  subject: string;
  detail: string;
}

/**
 * The changes to the accounts recorded after the target: what the restore undoes. Empty
 * when there is no log yet (a database from before migration 0007).
 */
export async function accountChangesSince(iso: string): Promise<AccountChange[]> {
  return hostTransaction(async (db) => {
    const [log] = await db.rows<{ t: string | null }>(
      "SELECT to_regclass('account_changes')::text AS t",
    );
    if (!log?.t) return [];
    return db.rows<AccountChange>(
      `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, kind, change,
              subject, detail
         FROM account_changes WHERE at > $1 ORDER BY id`,
      [iso],
    );
  });
}

/** What `restore db` says it will undo, before it asks (pure). */
export function undoneChangesLines(iso: string, changes: readonly AccountChange[]): string[] {
  if (!changes.length) return [`no change to the accounts is recorded after ${iso}`];
  return [
    `${changes.length} change(s) to the accounts after ${iso}, which this undoes:`,
    ...changes.map((c) =>
      [' ', c.at, c.kind, c.change, c.subject, c.detail].filter(Boolean).join(' '),
    ),
  ];
}

/** Checks that a backup old enough exists; returns the time of the oldest one. */
export async function planDbRestore(ctx: MailHostContext, to: string) {
  if (ctx.postgres.mode !== 'native')
    throw new UserError(
      'E_NOT_SUPPORTED',
      'point-in-time recovery needs pgBackRest, which runs in native mode only so far; in container mode the database is a dump in the restic snapshots: docs/backup-and-restore.md, "Container mode: the database from the dump"',
      { exitCode: 1 },
    );
  const t = recoveryTarget(to, Date.now());
  const backups = (await pgbackrestInfo())?.backup ?? [];
  const first = backups[0];
  if (!first || first.timestamp.stop * 1000 > Date.parse(t.iso))
    throw new UserError(
      'E_NO_BACKUP',
      `no PostgreSQL backup ended before ${t.iso}` +
        (first ? ` (the oldest ended ${new Date(first.timestamp.stop * 1000).toISOString()})` : ''),
      { exitCode: 1 },
    );
  return t;
}

/**
 * Point-in-time recovery of the mail database: a last backup of the state being left (so
 * that this, too, can be undone), the daemons that use the database stopped, pgBackRest's
 * restore to the target (`--type=time`, promoted when reached), and everything started
 * again. Mail in the Maildirs is not touched.
 */
export async function restoreDatabase(
  target: { iso: string; target: string },
  progress: (line: string) => void,
): Promise<{ safetyBackup: string }> {
  progress('backing up the current state first (incremental)');
  await pgbackrest(['--type=incr', 'backup']);
  const safetyBackup = (await pgbackrestInfo())?.backup.at(-1)?.label ?? '?';
  const running: string[] = [];
  for (const u of CLIENT_UNITS)
    if ((await run('systemctl', ['is-active', '--quiet', u])).code === 0) running.push(u);
  progress(`stopping ${[...running, POSTGRES_UNIT].join(', ')}`);
  await mustRun('systemctl', ['stop', ...running, POSTGRES_UNIT]);
  try {
    progress(`restoring the database as it was at ${target.iso}`);
    await pgbackrest([
      '--delta',
      '--type=time',
      `--target=${target.target}`,
      '--target-action=promote',
      'restore',
    ]);
    await mustRun('systemctl', ['start', POSTGRES_UNIT]);
    await waitForPromotion();
  } finally {
    // The daemons come back whatever happened: on the restored database, or on the old
    // one if pgBackRest refused before changing anything.
    await run('systemctl', ['start', POSTGRES_UNIT]);
    if (running.length) {
      progress(`starting ${running.join(', ')}`);
      await run('systemctl', ['start', ...running]);
    }
  }
  return { safetyBackup };
}

/** Recovery replays WAL up to the target, then promotes; the database serves from then on. */
export async function waitForPromotion(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const r = await hostConnection(
      (db) => db.rows<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering'),
      'superuser',
      'postgres',
    ).catch(() => undefined);
    if (r?.[0]?.recovering === false) return;
    await sleep(500);
  }
  throw new UserError(
    'E_RESTORE_FAILED',
    'PostgreSQL did not finish recovery within 2 minutes: see journalctl -u ' + POSTGRES_UNIT,
    { exitCode: 1 },
  );
}
