import {
  BACKUP_UNITS,
  OFFSITE_UNITS,
  PGBACKREST_OFFSITE_REPO,
  RESTIC_TAG,
} from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import type { RepositoryFacts } from './assess.js';
import { filesUnit } from './gather.js';
import { pgbackrestInfo, resticOffsite, resticSnapshots, type ResticSnapshot } from './tools.js';

export interface RunOutcome {
  repository: RepositoryFacts['name'];
  unit: string;
  ok: boolean;
  seconds: number;
  /** What it stored: a pgBackRest label or a restic snapshot id. */
  stored?: string;
  detail?: string;
  /** On failure: the unit's last lines in the journal. */
  error?: string;
}

const DB_UNIT = `${BACKUP_UNITS.dbDiff}.service`;

/**
 * Runs the backup units now, as their timers would: systemd runs each once at a time,
 * logs it, and reports a failure (OnFailure= logs the error line). The database first (a
 * differential backup, which pgBackRest makes a full one when there is none), then the
 * files, then (backup.offsite) the same to the off-site server.
 */
export async function runBackups(ctx: MailHostContext): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  if (ctx.postgres.mode === 'native') {
    const o = await startUnit('database', DB_UNIT);
    if (o.ok) {
      const last = (await pgbackrestInfo())?.backup.at(-1);
      if (last) {
        o.stored = last.label;
        o.detail = `${last.type} backup, ${size(last.info.size)} of database, ${size(last.info.repository.delta)} stored`;
      }
    }
    outcomes.push(o);
  }
  const o = await startUnit('files', filesUnit);
  if (o.ok) {
    const last = (await resticSnapshots(ctx.paths.backups)).at(-1);
    if (last) {
      o.stored = last.short_id;
      const s = last.summary;
      if (s)
        o.detail = `snapshot of ${s.total_files_processed} files, ${size(s.total_bytes_processed)}, ${size(s.data_added)} new`;
    }
  }
  outcomes.push(o);
  // The off-site copies last: a server that is down fails them, not the local backups.
  if (ctx.backup.offsite) {
    const o = ctx.backup.offsite;
    if (ctx.postgres.mode === 'native') {
      const db = await startUnit('database-offsite', `${OFFSITE_UNITS.db}.service`);
      if (db.ok) db.stored = (await pgbackrestInfo(PGBACKREST_OFFSITE_REPO))?.backup.at(-1)?.label;
      outcomes.push(db);
    }
    const files = await startUnit('files-offsite', `${OFFSITE_UNITS.files}.service`);
    if (files.ok) {
      const r = await resticOffsite(
        o,
        ['snapshots', '--json', '--latest', '1', '--tag', RESTIC_TAG],
        false,
      );
      files.stored = ((JSON.parse(r.stdout || 'null') as ResticSnapshot[] | null) ?? []).at(
        -1,
      )?.short_id;
    }
    outcomes.push(files);
  }
  return outcomes;
}

export function failedRuns(outcomes: readonly RunOutcome[]): UserError | undefined {
  const failed = outcomes.filter((o) => !o.ok);
  if (!failed.length) return undefined;
  return new UserError(
    'E_BACKUP_FAILED',
    failed.map((o) => `${o.repository} backup (${o.unit}) failed: ${o.error}`).join('; '),
    { exitCode: 1 },
  );
}

async function startUnit(repository: RunOutcome['repository'], unit: string) {
  const since = Math.floor(Date.now() / 1000);
  const started = Date.now();
  const r = await run('systemctl', ['start', unit], { timeoutMs: 6 * 3600_000 });
  const outcome: RunOutcome = {
    repository,
    unit,
    ok: r.code === 0,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (!outcome.ok) {
    const log = await run('journalctl', ['-u', unit, '--since', `@${since}`, '-o', 'cat', '-q']);
    outcome.error =
      log.stdout
        .trim()
        .split('\n')
        .filter((l) => l && !/^(Starting|Finished|Stopped) /.test(l))
        .slice(-3)
        .join(' | ') || r.stderr.trim();
  }
  return outcome;
}

export function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function runLines(outcomes: readonly RunOutcome[]): string[] {
  return outcomes.map((o) =>
    o.ok
      ? `${o.repository}: stored ${o.stored ?? '?'}${o.detail ? ` (${o.detail})` : ''} in ${o.seconds} s`
      : `${o.repository}: FAILED after ${o.seconds} s: ${o.error}`,
  );
}
