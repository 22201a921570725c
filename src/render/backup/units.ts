import type { MailHostContext } from '../host-context.js';
import { generatedHeader, rootFile, type RenderedFile } from '../types.js';
import { REDIS_PASSWORD_SECRET } from '../redis/redis-conf.js';
import { SOGO_DUMP_DIR, sogoDumpCommand } from './sogo-dump.js';
import { PG_SERVICE_FILE, PG_SERVICE_NAME } from '../postgres/index.js';

/** The host's secrets directory (apply/secrets.ts's SECRETS_DIR; render imports no I/O module). */
const SECRETS_DIR_PATH = '/etc/mailctl/secrets';
import {
  OFFSITE_UNITS,
  PGBACKREST_OFFSITE_REPO,
  resticOffsiteRepo,
  resticOffsiteSshArgs,
  BACKUP_FAILED_UNIT,
  BACKUP_LOG_TAG,
  BACKUP_UNITS,
  PG_STANZA,
  RESTIC_CACHE_DIR,
  RESTIC_PASSWORD_FILE,
  RESTIC_TAG,
  resticRepo,
} from './paths.js';

const UNIT_DIR = '/etc/systemd/system';

/**
 * What restic backs up: the Maildirs (with dovecot-uidlist and dovecot-uidvalidity, so
 * that clients keep their UIDs after a restore), mailctl's configuration and secrets, the
 * history of applies, the DKIM keys, with ACME the account and certificates, Redis's dump
 * and SOGo's per-user dumps.
 */
export function resticPaths(ctx: MailHostContext): string[] {
  return [
    ctx.paths.vmail,
    '/etc/mailctl',
    '/var/lib/mailctl/history',
    '/var/lib/rspamd/dkim',
    ...(ctx.tls.acme ? ['/etc/letsencrypt'] : []),
    ...(ctx.postgres.mode === 'container' ? [POSTGRES_DUMP_DIR] : []),
    // Rspamd's Bayes (and greylisting, rate limits) in Redis, as the SAVE before it wrote it.
    REDIS_DUMP,
    // SOGo's per-user dumps, as the sogo-tool backup before it wrote them.
    SOGO_DUMP_DIR,
  ];
}

/**
 * Container mode: the image has no pgBackRest, so each restic run first takes a logical
 * dump of the mail database (pg_dump's custom format: every table, SOGo's too, restorable
 * with pg_restore --clean over a live one) into this directory, and the snapshot carries
 * it. The roles are mailctl's own: apply makes them, with their passwords from the
 * restored secrets. No point-in-time recovery: the data-loss window is the time since the
 * last backup run.
 */
export const POSTGRES_DUMP_DIR = '/var/lib/mailctl/postgres-dump';
export const postgresDumpFile = (database: string) => `${POSTGRES_DUMP_DIR}/${database}.dump`;

/**
 * Debian's pg_dump (17, as the server) over the VPN address as the superuser, with
 * mailctl's service file and passfile: no password in argv or the environment. Written to
 * a temporary file and renamed, so a failed dump fails the run and never replaces the last
 * good one.
 */
const postgresDump = (database: string) =>
  `ExecStartPre=/bin/sh -c 'umask 077 && PGSERVICEFILE=${PG_SERVICE_FILE} /usr/bin/pg_dump ` +
  `--dbname=service=${PG_SERVICE_NAME} --format=custom --file=${postgresDumpFile(database)}.tmp && ` +
  `mv ${postgresDumpFile(database)}.tmp ${postgresDumpFile(database)}'`;

/** Redis's snapshot (its redis.conf: dir /var/lib/redis, dbfilename dump.rdb). */
export const REDIS_DUMP = '/var/lib/redis/dump.rdb';

/**
 * Redis writes dump.rdb only on its own schedule: SAVE makes it now, whole (written to a
 * temporary file and renamed), so the snapshot holds what Rspamd learnt up to this run.
 * The password from the secrets file into the environment (REDISCLI_AUTH), never argv.
 */
const redisSave = () =>
  `ExecStartPre=/bin/sh -c 'REDISCLI_AUTH=$$(cat ${SECRETS_DIR_PATH}/${REDIS_PASSWORD_SECRET}) exec /usr/bin/redis-cli -h 127.0.0.1 -p 6379 --no-auth-warning SAVE'`;

/**
 * The backup units and their timers. systemd runs a oneshot unit once at a time (a timer
 * that fires while its run is still going does not start a second one) and keeps its
 * output in the journal; `mailctl backup run` starts the same units.
 */
export function renderBackupUnits(ctx: MailHostContext): RenderedFile[] {
  const native = ctx.postgres.mode === 'native';
  const files: RenderedFile[] = [
    unit(`${BACKUP_UNITS.files}.service`, resticService(ctx)),
    unit(`${BACKUP_UNITS.files}.timer`, timer('mail, configuration and keys', '*-*-* 02:30')),
    unit(BACKUP_FAILED_UNIT, failedLogger()),
  ];
  if (native)
    files.push(
      unit(
        `${BACKUP_UNITS.dbFull}.service`,
        pgbackrestService('full PostgreSQL backup', ['--type=full backup']),
      ),
      unit(`${BACKUP_UNITS.dbFull}.timer`, timer('full PostgreSQL backup', 'Sun *-*-* 01:30')),
      unit(
        `${BACKUP_UNITS.dbDiff}.service`,
        pgbackrestService('differential PostgreSQL backup', ['--type=diff backup']),
      ),
      unit(
        `${BACKUP_UNITS.dbDiff}.timer`,
        timer('differential PostgreSQL backup', 'Mon..Sat *-*-* 01:30'),
      ),
      unit(
        `${BACKUP_UNITS.dbCheck}.service`,
        pgbackrestService('check the WAL archive and verify the PostgreSQL backups', [
          'check',
          'verify',
        ]),
      ),
      unit(`${BACKUP_UNITS.dbCheck}.timer`, timer('PostgreSQL backup check', '*-*-* 05:15')),
    );
  const o = ctx.backup.offsite;
  if (o) {
    files.push(
      unit(
        `${OFFSITE_UNITS.files}.service`,
        resticService(ctx, {
          what: `mail, configuration and keys to ${o.host} (restic)`,
          repository: resticOffsiteRepo(o),
          // Quoted for systemd: one argument with spaces, split by restic into ssh's.
          options: [`-o "sftp.args=${resticOffsiteSshArgs(o)}"`],
          after: 'After=network-online.target\nWants=network-online.target',
        }),
      ),
      unit(`${OFFSITE_UNITS.files}.timer`, timer(`off-site backup to ${o.host}`, '*-*-* 03:30')),
    );
    if (native)
      files.push(
        // repo2 keeps its own chain of full and differential backups (pgBackRest schedules
        // each repository on its own), an hour after the local ones; expire after each
        // applies the cluster file's retention there (repo2-retention-full/-diff).
        unit(
          `${OFFSITE_UNITS.dbFull}.service`,
          pgbackrestService(`full PostgreSQL backup to ${o.host}`, [
            `--repo=${PGBACKREST_OFFSITE_REPO} --type=full backup`,
          ]),
        ),
        unit(
          `${OFFSITE_UNITS.dbFull}.timer`,
          timer(`full off-site PostgreSQL backup to ${o.host}`, 'Sun *-*-* 03:00'),
        ),
        unit(
          `${OFFSITE_UNITS.db}.service`,
          // The first run, with no full backup in repo2 yet, makes a full one.
          pgbackrestService(`PostgreSQL backup to ${o.host}`, [
            `--repo=${PGBACKREST_OFFSITE_REPO} --type=diff backup`,
          ]),
        ),
        unit(
          `${OFFSITE_UNITS.db}.timer`,
          timer(`off-site PostgreSQL backup to ${o.host}`, 'Mon..Sat *-*-* 03:00'),
        ),
      );
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

type Mode = MailHostContext['postgres']['mode'];

const scheduled = (mode: Mode, offsite: boolean) => [
  ...(mode === 'native'
    ? [BACKUP_UNITS.dbCheck, BACKUP_UNITS.dbDiff, BACKUP_UNITS.dbFull, BACKUP_UNITS.files]
    : [BACKUP_UNITS.files]),
  ...(offsite
    ? [...(mode === 'native' ? [OFFSITE_UNITS.dbFull, OFFSITE_UNITS.db] : []), OFFSITE_UNITS.files]
    : []),
];

/** The timers apply enables (the services run only from them or from `mailctl backup run`). */
export const backupTimers = (mode: Mode, offsite = false) =>
  scheduled(mode, offsite).map((n) => `${n}.timer`);

/** Every unit file renderBackupUnits writes, sorted. */
export const backupUnitPaths = (mode: Mode, offsite = false) =>
  [BACKUP_FAILED_UNIT, ...scheduled(mode, offsite).flatMap((n) => [`${n}.service`, `${n}.timer`])]
    .map((n) => `${UNIT_DIR}/${n}`)
    .sort();

const unit = (name: string, content: string) => rootFile('backup', `${UNIT_DIR}/${name}`, content);

interface ResticTarget {
  what: string;
  repository: string;
  /** restic options before the command (the sftp backend's ssh arguments). */
  options: string[];
  /** Extra [Unit] lines. */
  after?: string;
}

function resticService(ctx: MailHostContext, target?: ResticTarget): string {
  const r = ctx.backup.retention;
  const t = target ?? {
    what: 'mail, configuration and keys (restic)',
    repository: resticRepo(ctx.paths.backups),
    options: [],
  };
  const restic = ['/usr/bin/restic', ...t.options].join(' ');
  return [
    generatedHeader(),
    '[Unit]',
    `Description=mailctl: back up ${t.what}`,
    ...(t.after ? [t.after] : []),
    `OnFailure=${BACKUP_FAILED_UNIT.replace('@.', '@%n.')}`,
    '',
    '[Service]',
    'Type=oneshot',
    `Environment=RESTIC_REPOSITORY=${t.repository}`,
    // restic reads the password from the file: it is never in argv or the environment.
    `Environment=RESTIC_PASSWORD_FILE=${RESTIC_PASSWORD_FILE}`,
    `Environment=RESTIC_CACHE_DIR=${RESTIC_CACHE_DIR}`,
    // restic exits 3 when a file vanished between listing and reading it (a message moved
    // from new/ to cur/ by a client meanwhile); the snapshot is still written and the
    // message is in its new place at the next run. Maildir never changes a message in
    // place and delivers through tmp/, so what is in new/ and cur/ is whole.
    'SuccessExitStatus=3',
    // Reading everything is all restic needs root for: without CAP_DAC_OVERRIDE it writes
    // only where root may as the owner (the repository, its cache), and a repository
    // made unwritable fails the run at once (permission denied is final to restic, while
    // it retries other write errors for 15 minutes).
    'CapabilityBoundingSet=CAP_DAC_READ_SEARCH',
    'NoNewPrivileges=yes',
    'Nice=10',
    'IOSchedulingClass=idle',
    redisSave(),
    sogoDumpCommand(),
    ...(ctx.postgres.mode === 'container' ? [postgresDump(ctx.postgres.database)] : []),
    [
      `ExecStart=${restic} backup --quiet`,
      `--tag ${RESTIC_TAG}`,
      // A stable name whatever the machine calls itself: a restored host finds its
      // snapshots under the same name.
      `--host ${ctx.fqdn}`,
      // Half-delivered messages; the repository's own key is kept off the host instead.
      `--exclude=${ctx.paths.vmail}/**/tmp`,
      `--exclude=${RESTIC_PASSWORD_FILE}`,
      ...resticPaths(ctx),
    ].join(' '),
    // The cluster file's backup.retention; forget removes the snapshots it does not keep
    // and --prune the data only they referenced, after every backup.
    [
      `ExecStart=${restic} forget --quiet --prune`,
      `--tag ${RESTIC_TAG}`,
      `--keep-daily ${r.daily} --keep-weekly ${r.weekly} --keep-monthly ${r.monthly}`,
    ].join(' '),
    '',
  ].join('\n');
}

function pgbackrestService(what: string, commands: string[]): string {
  return [
    generatedHeader(),
    '[Unit]',
    `Description=mailctl: ${what} (pgBackRest)`,
    'After=postgresql@17-main.service',
    `OnFailure=${BACKUP_FAILED_UNIT.replace('@.', '@%n.')}`,
    '',
    '[Service]',
    'Type=oneshot',
    // pgBackRest runs as the server's user: it reads the data directory and owns the
    // repository.
    'User=postgres',
    'Group=postgres',
    'Nice=10',
    'IOSchedulingClass=idle',
    ...commands.map((c) => `ExecStart=/usr/bin/pgbackrest --stanza=${PG_STANZA} ${c}`),
    '',
  ].join('\n');
}

function timer(what: string, onCalendar: string): string {
  return [
    generatedHeader(),
    '[Unit]',
    `Description=mailctl: ${what}, on schedule`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar}`,
    'RandomizedDelaySec=15m',
    // A run missed while the host was down happens at the next boot.
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/**
 * Started by OnFailure= of every backup unit: one line at priority err with a stable
 * tag, whatever the tool printed, for the monitoring to match.
 */
function failedLogger(): string {
  return [
    generatedHeader(),
    '[Unit]',
    'Description=mailctl: report the failed backup unit %i',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=/usr/bin/logger --priority daemon.err --tag ${BACKUP_LOG_TAG} "backup failed: unit=%i (journalctl -u %i)"`,
    '',
  ].join('\n');
}
