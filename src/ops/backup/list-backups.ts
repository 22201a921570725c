import {
  PGBACKREST_OFFSITE_REPO,
  pgbackrestOffsiteLocation,
  pgbackrestRepo,
  RESTIC_TAG,
  resticOffsiteRepo,
  resticRepo,
} from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import type { RepositoryFacts } from './assess.js';
import { size } from './run-backup.js';
import {
  pgbackrestInfo,
  resticOffsite,
  resticSnapshots,
  stanzaExists,
  type PgbackrestStanza,
  type ResticSnapshot,
} from './tools.js';

export interface ListedBackup {
  /** The local repositories, and with backup.offsite their off-site copies. */
  repository: RepositoryFacts['name'];
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

/** A repository that could not be listed (the off-site server down, the key not accepted). */
export interface UnreadableRepository {
  repository: RepositoryFacts['name'];
  location: string;
  problem: string;
}

export interface BackupListing {
  backups: ListedBackup[];
  unreadable: UnreadableRepository[];
}

const fromStanza = (
  repository: ListedBackup['repository'],
  location: string,
  stanza: PgbackrestStanza,
): ListedBackup[] =>
  stanza.backup.map((b) => ({
    repository,
    location,
    id: b.label,
    type: b.type,
    time: new Date(b.timestamp.stop * 1000).toISOString(),
    size: b.info.size,
    stored: b.info.repository.delta,
  }));

const fromSnapshots = (
  repository: ListedBackup['repository'],
  location: string,
  snapshots: readonly ResticSnapshot[],
): ListedBackup[] =>
  snapshots.map((s) => ({
    repository,
    location,
    id: s.short_id,
    type: 'snapshot',
    time: new Date(s.summary?.backup_end ?? s.time).toISOString(),
    ...(s.summary ? { size: s.summary.total_bytes_processed, stored: s.summary.data_added } : {}),
  }));

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).at(-1) ?? 'no answer';

/**
 * The backups in each repository, oldest first per repository: the local ones (a local
 * repository that cannot be read is an error), then with backup.offsite the server's, which
 * may be down: what cannot be read there is reported beside the list.
 */
export async function listBackups(ctx: MailHostContext): Promise<BackupListing> {
  const backups: ListedBackup[] = [];
  const unreadable: UnreadableRepository[] = [];
  const native = ctx.postgres.mode === 'native';
  if (native) {
    const stanza = await pgbackrestInfo();
    if (stanza) backups.push(...fromStanza('database', pgbackrestRepo(ctx.paths.backups), stanza));
  }
  backups.push(
    ...fromSnapshots(
      'files',
      resticRepo(ctx.paths.backups),
      await resticSnapshots(ctx.paths.backups),
    ),
  );
  const o = ctx.backup.offsite;
  if (!o) return { backups, unreadable };
  if (native) {
    const location = pgbackrestOffsiteLocation(o);
    const stanza = await pgbackrestInfo(PGBACKREST_OFFSITE_REPO);
    // Per repository, pgBackRest's own words when it could not read it (code 0: it could).
    const why = stanzaExists(stanza)
      ? stanza?.repo?.find((r) => r.status.code !== 0 && r.status.code !== 2)?.status.message
      : (stanza?.status.message ?? 'pgbackrest info failed');
    if (stanza && !why) backups.push(...fromStanza('database-offsite', location, stanza));
    else
      unreadable.push({
        repository: 'database-offsite',
        location,
        problem: why ?? 'pgbackrest info failed',
      });
  }
  const location = resticOffsiteRepo(o);
  const r = await resticOffsite(
    o,
    ['snapshots', '--no-lock', '--json', '--tag', RESTIC_TAG],
    false,
  );
  if (r.code === 0)
    backups.push(
      ...fromSnapshots(
        'files-offsite',
        location,
        (JSON.parse(r.stdout) as ResticSnapshot[] | null) ?? [],
      ),
    );
  else unreadable.push({ repository: 'files-offsite', location, problem: lastLine(r.stderr) });
  return { backups, unreadable };
}

/** E_BACKUP_UNREADABLE (exit 1) naming each repository that could not be listed. */
export function unreadableError(listing: BackupListing): UserError | undefined {
  if (!listing.unreadable.length) return undefined;
  return new UserError(
    'E_BACKUP_UNREADABLE',
    listing.unreadable
      .map((u) => `${u.repository} repository ${u.location} could not be read: ${u.problem}`)
      .join('; '),
    { exitCode: 1 },
  );
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
