/**
 * Whether the backups are good, from facts gathered on the host (pure: the clock comes in
 * as `now`). `mailctl backup status` exits 1 unless every line is ok.
 */

/** How old the last good backup may be: the timers run daily, at a random minute of 15. */
export const STALE_AFTER_HOURS = 26;

/** The last run of one backup unit, as systemd remembers it. */
export interface UnitRun {
  unit: string;
  /** systemd's Result of the last run: `success`, `exit-code`, ... */
  result: string;
  /** When that run ended (ms since the epoch); undefined if it never ran. */
  endedAt?: number;
}

export interface RepositoryFacts {
  /** The local repositories, and with backup.offsite their off-site copies. */
  name: 'files' | 'database' | 'files-offsite' | 'database-offsite';
  /** Where it is, for the report. */
  location: string;
  /** When the newest good backup in it ended (ms); undefined when there is none. */
  lastGoodAt?: number;
  /** What it says about itself when it cannot be read or is not set up. */
  error?: string;
  units: readonly UnitRun[];
}

/** pg_stat_archiver's row. */
export interface ArchiverFacts {
  archivedCount: number;
  lastArchivedWal?: string;
  lastArchivedAt?: number;
  failedCount: number;
  lastFailedWal?: string;
  lastFailedAt?: number;
}

export type State = 'ok' | 'stale' | 'failing';

export interface RepositoryStatus {
  name: RepositoryFacts['name'];
  location: string;
  state: State;
  lastGood?: string;
  ageHours?: number;
  problem?: string;
}

export interface ArchiveStatus extends ArchiverFacts {
  state: State;
  problem?: string;
}

export interface BackupStatus {
  ok: boolean;
  repositories: RepositoryStatus[];
  /** Native mode only: PostgreSQL's WAL archive. */
  walArchive?: ArchiveStatus;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function assessRepository(r: RepositoryFacts, now: number): RepositoryStatus {
  const base = { name: r.name, location: r.location, lastGood: iso(r.lastGoodAt) };
  const ageHours =
    r.lastGoodAt === undefined ? undefined : Math.round(((now - r.lastGoodAt) / 36e5) * 10) / 10;
  // The last run counts even when an older backup is still fresh: a failure is news now.
  const failed = r.units.filter((u) => u.result !== 'success');
  if (r.error) return { ...base, ageHours, state: 'failing', problem: r.error };
  if (failed.length)
    return {
      ...base,
      ageHours,
      state: 'failing',
      problem: failed.map((u) => `the last run of ${u.unit} failed (${u.result})`).join('; '),
    };
  if (ageHours === undefined) return { ...base, state: 'stale', problem: 'no backup yet' };
  if (ageHours > STALE_AFTER_HOURS)
    return {
      ...base,
      ageHours,
      state: 'stale',
      problem: `the last good backup is ${ageHours} h old (more than ${STALE_AFTER_HOURS} h)`,
    };
  return { ...base, ageHours, state: 'ok' };
}

/**
 * The archive fails when its latest attempt failed: PostgreSQL retries a segment until it
 * is stored, so a failure followed by a success is history, not a state (failed_count
 * stays in the report).
 */
export function assessArchive(a: ArchiverFacts): ArchiveStatus {
  const latestFailed = a.lastFailedAt !== undefined && (a.lastArchivedAt ?? 0) < a.lastFailedAt;
  if (latestFailed)
    return {
      ...a,
      state: 'failing',
      problem: `archiving WAL segment ${a.lastFailedWal ?? '?'} failed at ${iso(a.lastFailedAt)}; PostgreSQL keeps it in pg_wal and retries`,
    };
  return { ...a, state: 'ok' };
}

export function assessBackups(
  repositories: readonly RepositoryFacts[],
  archiver: ArchiverFacts | undefined,
  now: number,
): BackupStatus {
  const repos = repositories.map((r) => assessRepository(r, now));
  const walArchive = archiver && assessArchive(archiver);
  const ok = repos.every((r) => r.state === 'ok') && (walArchive?.state ?? 'ok') === 'ok';
  return { ok, repositories: repos, ...(walArchive ? { walArchive } : {}) };
}

/** The report's text lines. */
export function statusLines(s: BackupStatus): string[] {
  const lines = s.repositories.map(
    (r) =>
      `${r.state.toUpperCase().padEnd(7)} ${r.name}: ${r.location}, last good backup ` +
      `${r.lastGood ? `${r.lastGood} (${r.ageHours} h ago)` : 'none'}${r.problem ? `: ${r.problem}` : ''}`,
  );
  const a = s.walArchive;
  if (a)
    lines.push(
      `${a.state.toUpperCase().padEnd(7)} wal-archive: ${a.archivedCount} archived, last ` +
        `${a.lastArchivedWal ?? 'none'}; ${a.failedCount} failed, last ${a.lastFailedWal ?? 'none'}` +
        `${a.problem ? `: ${a.problem}` : ''}`,
    );
  return lines;
}
