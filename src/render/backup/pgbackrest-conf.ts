import { secretRef, type MailHostContext } from '../host-context.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import {
  OFFSITE_KNOWN_HOSTS,
  offsitePgbackrestDir,
  PG_STANZA,
  PGBACKREST_CONF,
  PGBACKREST_OFFSITE_KEY,
  PGBACKREST_OFFSITE_REPO,
  pgbackrestRepo,
} from './paths.js';

/** The key pgBackRest encrypts its repository with; kept in the host's secrets, backed up by restic. */
export const PGBACKREST_CIPHER_SECRET = 'pgbackrest-cipher-pass';
/** Where asynchronous archive-push and archive-get keep their queue (the package makes it). */
const PGBACKREST_SPOOL = '/var/spool/pgbackrest';
/** Debian's cluster 17/main, the one native mode runs. */
const NATIVE_DATA_DIR = '/var/lib/postgresql/17/main';

/**
 * pgBackRest's configuration (native mode: it runs beside the server, as the postgres
 * user). Its repository takes the WAL archive too (`archive-push`), so in native mode the
 * seed's /opt/postgres/wal_archive is no longer written: pgBackRest only knows the WAL it
 * archived itself, and point-in-time recovery needs exactly those.
 */
export function renderPgbackrestConf(ctx: MailHostContext): RenderedFile {
  const content = [
    generatedHeader(),
    '[global]',
    `repo1-path=${pgbackrestRepo(ctx.paths.backups)}`,
    // Encrypted at rest, like the restic repository: a copy of the repository alone
    // (off-site, say) gives nothing away without the host's secret.
    'repo1-cipher-type=aes-256-cbc',
    `repo1-cipher-pass=${secretRef(PGBACKREST_CIPHER_SECRET)}`,
    // The cluster file's backup.retention, applied by the expire that runs after every
    // backup: a full backup runs weekly, so `weekly` of them are kept, with the WAL that
    // depends on them (a point-in-time recovery reaches back to the oldest); `daily`
    // differential ones (repo-retention-diff). pgBackRest has no monthly tier.
    `repo1-retention-full=${ctx.backup.retention.weekly}`,
    `repo1-retention-diff=${ctx.backup.retention.daily}`,
    ...offsiteRepo(ctx),
    // A checkpoint at once instead of waiting for the next one (checkpoint_timeout): a
    // backup started by hand begins now.
    'start-fast=y',
    'compress-type=zst',
    // The console is the journal of the backup units: warnings and errors there, the
    // details in /var/log/pgbackrest.
    'log-level-console=warn',
    'log-level-file=info',
    '',
    `[${PG_STANZA}]`,
    `pg1-path=${NATIVE_DATA_DIR}`,
    `pg1-port=${ctx.postgres.port}`,
    'pg1-socket-path=/var/run/postgresql',
    '',
  ].join('\n');
  // It holds the cipher key: only pgBackRest's user (postgres) reads it.
  return {
    path: PGBACKREST_CONF,
    content,
    mode: 0o600,
    owner: 'postgres',
    group: 'postgres',
    component: 'backup',
  };
}

/**
 * The off-site copy (cluster file backup.offsite) as pgBackRest's repo2 over SFTP: the same
 * key and retention as repo1; archive-push stores every WAL segment in both, so either
 * repository alone brings the database back to any moment.
 */
function offsiteRepo(ctx: MailHostContext): string[] {
  const o = ctx.backup.offsite;
  if (!o) return [];
  const r = `repo${PGBACKREST_OFFSITE_REPO}`;
  return [
    `${r}-type=sftp`,
    `${r}-path=${offsitePgbackrestDir(o)}`,
    `${r}-sftp-host=${o.host}`,
    `${r}-sftp-host-port=${o.port}`,
    `${r}-sftp-host-user=${o.user}`,
    `${r}-sftp-private-key-file=${PGBACKREST_OFFSITE_KEY}`,
    `${r}-sftp-public-key-file=${PGBACKREST_OFFSITE_KEY}.pub`,
    // The server's key from the cluster file, never one learnt on first use.
    `${r}-sftp-host-key-check-type=strict`,
    // Required with sftp whatever the check type (2.55); used for the fingerprint it logs.
    `${r}-sftp-host-key-hash-type=sha256`,
    `${r}-sftp-known-host=${OFFSITE_KNOWN_HOSTS}`,
    `${r}-cipher-type=aes-256-cbc`,
    `${r}-cipher-pass=${secretRef(PGBACKREST_CIPHER_SECRET)}`,
    `${r}-retention-full=${ctx.backup.retention.weekly}`,
    `${r}-retention-diff=${ctx.backup.retention.daily}`,
    // archive-push waits for every repository. Synchronous, an unreachable repo2 (its
    // server down, or this host's key not yet accepted) holds PostgreSQL on one segment,
    // and repo1 gets no further than that one either; asynchronous, a background process
    // keeps pushing each new segment to every repository it reaches, so the local one
    // stays current while the failures stay visible in pg_stat_archiver. The spool is
    // Debian's (/var/spool/pgbackrest, postgres's own).
    'archive-async=y',
    `spool-path=${PGBACKREST_SPOOL}`,
  ];
}

/** PostgreSQL's archive_command in native mode: pgBackRest pushes each finished segment. */
export const PGBACKREST_ARCHIVE_COMMAND = `pgbackrest --stanza=${PG_STANZA} archive-push %p`;
