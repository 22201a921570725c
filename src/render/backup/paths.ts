import type { OffsiteContext } from '../host-context.js';

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

/**
 * The host's SSH key for the off-site server, made at the apply that first names one; its
 * public part is printed once, to be authorized on the server. restic (root) reads this
 * one; pgBackRest, which runs as postgres, a copy in postgres's home.
 */
export const OFFSITE_SSH_KEY = '/etc/mailctl/secrets/offsite-ssh-key';
export const PGBACKREST_OFFSITE_KEY = '/var/lib/postgresql/.ssh/mailctl-offsite';
/** The off-site server's host key, from the cluster file: ssh and pgBackRest check it. */
export const OFFSITE_KNOWN_HOSTS = '/etc/mailctl/offsite-known-hosts';
/** pgBackRest's repository number for the off-site copy (repo1 is the local one). */
export const PGBACKREST_OFFSITE_REPO = 2;

/** The off-site repositories, in the SFTP account's directory. */
export const offsiteResticDir = (o: OffsiteContext) => `${o.path.replace(/\/$/, '')}/restic`;
export const offsitePgbackrestDir = (o: OffsiteContext) =>
  `${o.path.replace(/\/$/, '')}/pgbackrest`;

/** pgBackRest's off-site repository (repo2) as reports name it. */
export const pgbackrestOffsiteLocation = (o: OffsiteContext) =>
  `sftp://${o.user}@${o.host}:${o.port}${offsitePgbackrestDir(o)}`;

/** restic's repository URL for the off-site copy. */
export const resticOffsiteRepo = (o: OffsiteContext) =>
  `sftp:${o.user}@${o.host}:${offsiteResticDir(o)}`;

/**
 * The ssh arguments restic's sftp backend adds (`-o sftp.args=`): the host's key, the
 * server's port, its host key checked strictly from the cluster file's (never trusted on
 * first use), no prompt ever, and a dead server noticed in seconds rather than hanging.
 */
export const resticOffsiteSshArgs = (o: OffsiteContext) =>
  [
    `-i ${OFFSITE_SSH_KEY}`,
    `-p ${o.port}`,
    `-o UserKnownHostsFile=${OFFSITE_KNOWN_HOSTS}`,
    '-o StrictHostKeyChecking=yes',
    '-o BatchMode=yes',
    '-o ConnectTimeout=15',
    '-o ServerAliveInterval=15',
    '-o ServerAliveCountMax=2',
  ].join(' ');

/** The known_hosts line for the server (OpenSSH writes a port other than 22 as [host]:port). */
export const offsiteKnownHostsLine = (o: OffsiteContext) =>
  `${o.port === 22 ? o.host : `[${o.host}]:${o.port}`} ${o.hostKey}`;

/** The off-site units, beside BACKUP_UNITS: each repository its own, so status names which failed. */
export const OFFSITE_UNITS = {
  /** pgBackRest repo2: a full backup every week, its own chain beside the local one's. */
  dbFull: 'mailctl-backup-offsite-db-full',
  /** pgBackRest repo2: a differential backup against repo2's last full one, the other days. */
  db: 'mailctl-backup-offsite-db',
  files: 'mailctl-backup-offsite-files',
} as const;
