import { BACKUP_UNITS, pgbackrestRepo, resticRepo } from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { hostConnection } from '../../db/index.js';
import { run } from '../../util/exec.js';
import {
  assessBackups,
  type ArchiverFacts,
  type BackupStatus,
  type RepositoryFacts,
  type UnitRun,
} from './assess.js';
import { pgbackrestInfo, resticSnapshots, stanzaExists } from './tools.js';

/** The last run of each unit, from systemd. */
export async function unitRuns(units: readonly string[]): Promise<UnitRun[]> {
  return Promise.all(
    units.map(async (unit) => {
      const r = await run('systemctl', [
        'show',
        '--timestamp=unix',
        '--property=Result,ExecMainExitTimestamp',
        unit,
      ]);
      const prop = (name: string) =>
        new RegExp(`^${name}=(.*)$`, 'm').exec(r.stdout)?.[1]?.trim() ?? '';
      const ended = /^@(\d+)/.exec(prop('ExecMainExitTimestamp'))?.[1];
      return {
        unit,
        result: prop('Result') || 'unknown',
        ...(ended ? { endedAt: Number(ended) * 1000 } : {}),
      };
    }),
  );
}

export const dbUnits = [BACKUP_UNITS.dbFull, BACKUP_UNITS.dbDiff, BACKUP_UNITS.dbCheck].map(
  (u) => `${u}.service`,
);
export const filesUnit = `${BACKUP_UNITS.files}.service`;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function filesFacts(ctx: MailHostContext): Promise<RepositoryFacts> {
  const base = { name: 'files' as const, location: resticRepo(ctx.paths.backups) };
  const units = await unitRuns([filesUnit]);
  try {
    const snapshots = await resticSnapshots(ctx.paths.backups);
    const times = snapshots.map((s) => Date.parse(s.summary?.backup_end ?? s.time));
    return { ...base, units, ...(times.length ? { lastGoodAt: Math.max(...times) } : {}) };
  } catch (e) {
    return { ...base, units, error: `the restic repository cannot be read: ${message(e)}` };
  }
}

async function databaseFacts(ctx: MailHostContext): Promise<RepositoryFacts> {
  const base = { name: 'database' as const, location: pgbackrestRepo(ctx.paths.backups) };
  const units = await unitRuns(dbUnits);
  const stanza = await pgbackrestInfo();
  if (!stanzaExists(stanza))
    return {
      ...base,
      units,
      error: `pgBackRest's stanza is not usable: ${stanza?.status.message ?? 'pgbackrest info failed'}`,
    };
  const stops = (stanza?.backup ?? []).map((b) => b.timestamp.stop * 1000);
  return { ...base, units, ...(stops.length ? { lastGoodAt: Math.max(...stops) } : {}) };
}

/** pg_stat_archiver, in both modes: the archive_command's successes and failures. */
export async function archiverFacts(): Promise<ArchiverFacts> {
  const [row] = await hostConnection(
    (db) =>
      db.rows<{
        archived: string;
        last_wal: string | null;
        last_at: string | null;
        failed: string;
        failed_wal: string | null;
        failed_at: string | null;
      }>(
        `SELECT archived_count AS archived, last_archived_wal AS last_wal,
           (extract(epoch FROM last_archived_time) * 1000)::bigint AS last_at,
           failed_count AS failed, last_failed_wal AS failed_wal,
           (extract(epoch FROM last_failed_time) * 1000)::bigint AS failed_at
         FROM pg_stat_archiver`,
      ),
    'superuser',
    'postgres',
  );
  return {
    archivedCount: Number(row?.archived ?? 0),
    ...(row?.last_wal ? { lastArchivedWal: row.last_wal } : {}),
    ...(row?.last_at ? { lastArchivedAt: Number(row.last_at) } : {}),
    failedCount: Number(row?.failed ?? 0),
    ...(row?.failed_wal ? { lastFailedWal: row.failed_wal } : {}),
    ...(row?.failed_at ? { lastFailedAt: Number(row.failed_at) } : {}),
  };
}

/** Every repository's facts and the WAL archive's, assessed now. */
export async function backupStatus(ctx: MailHostContext): Promise<BackupStatus> {
  const repos = [await filesFacts(ctx)];
  if (ctx.postgres.mode === 'native') repos.push(await databaseFacts(ctx));
  return assessBackups(repos, await archiverFacts(), Date.now());
}
