import { pgbackrestRepo, resticRepo } from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { size } from './run-backup.js';
import { pgbackrestInfo, resticSnapshots } from './tools.js';

export interface ListedBackup {
  repository: 'database' | 'files';
  location: string;
  id: string;
  /** full, diff or incr (pgBackRest); snapshot (restic). */
  type: string;
  time: string;
  /** The data it covers, in bytes. */
  size?: number;
  /** What it added to the repository, in bytes. */
  stored?: number;
}

/** The backups in each local repository, oldest first. */
export async function listBackups(ctx: MailHostContext): Promise<ListedBackup[]> {
  const out: ListedBackup[] = [];
  if (ctx.postgres.mode === 'native') {
    const location = pgbackrestRepo(ctx.paths.backups);
    for (const b of (await pgbackrestInfo())?.backup ?? [])
      out.push({
        repository: 'database',
        location,
        id: b.label,
        type: b.type,
        time: new Date(b.timestamp.stop * 1000).toISOString(),
        size: b.info.size,
        stored: b.info.repository.delta,
      });
  }
  const location = resticRepo(ctx.paths.backups);
  for (const s of await resticSnapshots(ctx.paths.backups))
    out.push({
      repository: 'files',
      location,
      id: s.short_id,
      type: 'snapshot',
      time: new Date(s.summary?.backup_end ?? s.time).toISOString(),
      ...(s.summary ? { size: s.summary.total_bytes_processed, stored: s.summary.data_added } : {}),
    });
  return out;
}

export const listLines = (backups: readonly ListedBackup[]) =>
  backups.map((b) =>
    [
      b.repository,
      b.id,
      b.type,
      b.time,
      b.size === undefined ? '-' : size(b.size),
      b.stored === undefined ? '-' : `+${size(b.stored)}`,
    ].join('\t'),
  );
