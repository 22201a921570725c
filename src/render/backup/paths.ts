/**
 * Where backups live on a mail host, and the names of their units. Shared by the
 * renderer, the apply step and `mailctl backup|restore`, so that they cannot drift apart.
 */

/** pgBackRest's stanza: the one PostgreSQL cluster it backs up. */
export const PG_STANZA = 'mail';
/** pgBackRest reads this path first (its default since 2.x); Debian's /etc/pgbackrest.conf is then ignored. */
export const PGBACKREST_CONF = '/etc/pgbackrest/pgbackrest.conf';

/** The repositories, under the backups directory of the plan (paths.backups). */
export const pgbackrestRepo = (backups: string) => `${backups}/pgbackrest`;
export const resticRepo = (backups: string) => `${backups}/restic`;
/** Where `mailctl restore` unpacks a snapshot before it puts anything in place. */
export const restoreScratch = (backups: string) => `${backups}/restore`;

/**
 * The restic repository's password, made on the host at the first apply. Without it the
 * repository cannot be read: its owner must keep a copy off the host.
 */
export const RESTIC_PASSWORD_FILE = '/etc/mailctl/secrets/restic-password';
/** restic's cache: on the host, not in the repository's directory. */
export const RESTIC_CACHE_DIR = '/var/cache/restic';
/** The tag of every snapshot mailctl takes, so that `forget` never touches anyone else's. */
export const RESTIC_TAG = 'mailctl';

/**
 * The tag of the error line a failed backup unit logs (journal priority err), stable so
 * that the monitoring's decoders can match it.
 */
export const BACKUP_LOG_TAG = 'mailctl-backup';

/** The units, without suffix: each has a .service and (but the failure logger) a .timer. */
export const BACKUP_UNITS = {
  /** pgBackRest: a full backup every week. */
  dbFull: 'mailctl-backup-db-full',
  /** pgBackRest: a differential backup (against the last full one) every other day. */
  dbDiff: 'mailctl-backup-db-diff',
  /** pgBackRest: `check` (the WAL archive works) and `verify` (the repository is sound). */
  dbCheck: 'mailctl-backup-db-check',
  /** restic: Maildirs, configuration, keys and secrets. */
  files: 'mailctl-backup-files',
} as const;
/** The template every backup unit names in OnFailure=. */
export const BACKUP_FAILED_UNIT = 'mailctl-backup-failed@.service';
