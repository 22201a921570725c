import {
  BACKUP_UNITS,
  OFFSITE_UNITS,
  pgbackrestOffsiteLocation,
  PGBACKREST_OFFSITE_REPO,
  pgbackrestRepo,
  RESTIC_TAG,
  resticOffsiteRepo,
  resticRepo,
} from '../../render/backup/index.js';
import type { MailHostContext, OffsiteContext } from '../../render/host-context.js';
import { hostConnection } from '../../db/index.js';
import { run } from '../../util/exec.js';
import {
  assessBackups,
  type ArchiverFacts,
  type BackupStatus,
  type RepositoryFacts,
  type UnitRun,
} from './assess.js';
import {
  pgbackrestInfo,
  resticOffsite,
  resticSnapshots,
  stanzaExists,
  type ResticSnapshot,
} from './tools.js';

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

/** The off-site copies: the same facts, from the server, and the off-site units' last runs. */
async function offsiteFacts(ctx: MailHostContext, o: OffsiteContext): Promise<RepositoryFacts[]> {
  const files = { name: 'files-offsite' as const, location: resticOffsiteRepo(o) };
  const filesUnits = await unitRuns([`${OFFSITE_UNITS.files}.service`]);
  const r = await resticOffsite(o, ['snapshots', '--json', '--tag', RESTIC_TAG], false);
  const facts: RepositoryFacts[] = [];
  if (r.code !== 0)
    facts.push({
      ...files,
      units: filesUnits,
      error: `the off-site restic repository cannot be read: ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
    });
  else {
    const snaps = (JSON.parse(r.stdout) as ResticSnapshot[] | null) ?? [];
    const times = snaps.map((s) => Date.parse(s.summary?.backup_end ?? s.time));
    facts.push({
      ...files,
      units: filesUnits,
      ...(times.length ? { lastGoodAt: Math.max(...times) } : {}),
    });
  }
  if (ctx.postgres.mode !== 'native') return facts;
  const db = {
    name: 'database-offsite' as const,
    location: pgbackrestOffsiteLocation(o),
    units: await unitRuns([OFFSITE_UNITS.dbFull, OFFSITE_UNITS.db].map((u) => `${u}.service`)),
  };
  const stanza = await pgbackrestInfo(PGBACKREST_OFFSITE_REPO);
  if (!stanzaExists(stanza))
    facts.push({
      ...db,
      error: `pgBackRest's off-site repository is not usable: ${stanza?.status.message ?? 'pgbackrest info failed'}`,
    });
  else {
    const stops = (stanza?.backup ?? []).map((b) => b.timestamp.stop * 1000);
    facts.push({ ...db, ...(stops.length ? { lastGoodAt: Math.max(...stops) } : {}) });
  }
  return facts;
}

/** Every repository's facts and the WAL archive's, assessed now. */
export async function backupStatus(ctx: MailHostContext): Promise<BackupStatus> {
  const repos = [await filesFacts(ctx)];
  if (ctx.postgres.mode === 'native') repos.push(await databaseFacts(ctx));
  if (ctx.backup.offsite) repos.push(...(await offsiteFacts(ctx, ctx.backup.offsite)));
  return assessBackups(repos, await archiverFacts(), Date.now());
}
