import {
  PG_STANZA,
  RESTIC_CACHE_DIR,
  RESTIC_PASSWORD_FILE,
  RESTIC_TAG,
  resticOffsiteRepo,
  resticOffsiteSshArgs,
  resticRepo,
} from '../../render/backup/index.js';
import type { OffsiteContext } from '../../render/host-context.js';
import { mustRun, run, type RunResult } from '../../util/exec.js';

/** The environment restic needs: the repository, and its password as a file (never in argv). */
export function resticEnv(backups: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RESTIC_REPOSITORY: resticRepo(backups),
    RESTIC_PASSWORD_FILE,
    RESTIC_CACHE_DIR,
  };
}

/** Runs restic on the local repository; a failure is E_COMMAND_FAILED with restic's own words. */
export function restic(backups: string, args: readonly string[]): Promise<RunResult> {
  return mustRun('restic', args, { env: resticEnv(backups), timeoutMs: 60 * 60_000 });
}

/**
 * Runs restic on the off-site repository over SFTP (ssh with the host's key and the
 * server's host key from the cluster file); a failure throws only when `must`.
 */
export function resticOffsite(
  o: OffsiteContext,
  args: readonly string[],
  must = true,
): Promise<RunResult> {
  const argv = ['-o', `sftp.args=${resticOffsiteSshArgs(o)}`, ...args];
  const opts = {
    env: { ...resticEnv(''), RESTIC_REPOSITORY: resticOffsiteRepo(o) },
    timeoutMs: 60 * 60_000,
  };
  return must ? mustRun('restic', argv, opts) : run('restic', argv, opts);
}

/**
 * Runs pgBackRest on the stanza as the postgres user, which owns the repository and reads
 * the data directory; from / so that it never trips over root's working directory.
 */
export function pgbackrest(args: readonly string[], opts: { must?: boolean } = {}) {
  const argv = ['-u', 'postgres', '--', 'pgbackrest', `--stanza=${PG_STANZA}`, ...args];
  const o = { cwd: '/', timeoutMs: 60 * 60_000 };
  return opts.must === false ? run('runuser', argv, o) : mustRun('runuser', argv, o);
}

/** One backup as `pgbackrest info --output=json` lists it (the fields mailctl reads). */
export interface PgbackrestBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  timestamp: { start: number; stop: number };
  info: { size: number; repository: { size: number; delta: number } };
}

export interface PgbackrestStanza {
  name: string;
  /** 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, ... */
  status: { code: number; message: string };
  backup: PgbackrestBackup[];
  /** Per repository, why it could not be read (code 0: it could). */
  repo?: { key: number; status: { code: number; message: string } }[];
}

/**
 * The stanza's state and backups in one repository (1, the local one, unless told);
 * undefined where pgBackRest is not installed or the repository cannot be read.
 */
export async function pgbackrestInfo(repo = 1): Promise<PgbackrestStanza | undefined> {
  const r = await pgbackrest([`--repo=${repo}`, '--output=json', 'info'], { must: false }).catch(
    () => undefined,
  );
  if (!r || r.code !== 0) return undefined;
  const [stanza] = JSON.parse(r.stdout) as PgbackrestStanza[];
  return stanza;
}

/** Whether the stanza is there: created, whatever its backups (codes 0, 2 and 6). */
export const stanzaExists = (s: PgbackrestStanza | undefined) =>
  s !== undefined && [0, 2, 6].includes(s.status.code);

/** One snapshot as `restic snapshots --json` lists it (restic 0.17+ adds the summary). */
export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  hostname?: string;
  paths: string[];
  summary?: {
    backup_start: string;
    backup_end: string;
    total_files_processed: number;
    total_bytes_processed: number;
    data_added: number;
  };
}

/**
 * --no-lock: a listing needs no lock, and its shared one would make a `forget --prune`
 * that starts meanwhile (the backup timer's) fail with "repository is already locked";
 * `mailctl health` lists them every five minutes.
 */
export async function resticSnapshots(backups: string): Promise<ResticSnapshot[]> {
  const r = await restic(backups, ['snapshots', '--no-lock', '--json', '--tag', RESTIC_TAG]);
  return (JSON.parse(r.stdout) as ResticSnapshot[] | null) ?? [];
}
