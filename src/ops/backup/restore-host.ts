import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HISTORY_DIR } from '../../apply/history.js';
import { readSecret, SECRETS_DIR } from '../../apply/secrets.js';
import { dropDovecotIndexes } from './dovecot-indexes.js';
import {
  BACKUP_UNITS,
  backupTimers,
  OFFSITE_KNOWN_HOSTS,
  offsiteKnownHostsLine,
  PGBACKREST_CONF,
  RESTIC_PASSWORD_FILE,
  pgbackrestRepo,
  REDIS_DUMP,
  SOGO_DUMP_DIR,
  SOGO_USER,
  restoreScratch,
  resticPaths,
  resticRepo,
} from '../../render/backup/index.js';
import { renderPgbackrestConf } from '../../render/backup/pgbackrest-conf.js';
import { healthProbeAddress } from '../../render/health/index.js';
import { resolveSecretRefs, type MailHostContext } from '../../render/host-context.js';
import { DKIM_KEY_DIR } from '../../render/rspamd/dkim-signing.js';
import { UserError } from '../../util/errors.js';
import { mustRun, run } from '../../util/exec.js';
import { copyKeyForPostgres } from './offsite-setup.js';
import { kitRestic, newestBackups, type KitAccess } from './kit-access.js';
import { countMessages } from './restore-mailbox.js';
import { POSTGRES_UNIT, waitForPromotion } from './restore-db.js';
import { pgbackrest, type PgbackrestBackup, type ResticSnapshot } from './tools.js';

/** Where the cluster file lives on the host; the operator's copy wins over the backup's. */
const CLUSTER_FILE = '/etc/mailctl/cluster.yaml';

/** What `restore host` would do, found before anything changes (reads only). */
export interface HostRestorePlan {
  snapshot: ResticSnapshot;
  database: PgbackrestBackup;
  /** Messages already in this host's mailboxes (but the health probe's): over them needs --force. */
  liveMessages: number;
  target?: { iso: string; target: string };
}

export async function planHostRestore(
  ctx: MailHostContext,
  access: KitAccess,
  target?: { iso: string; target: string },
): Promise<HostRestorePlan> {
  if (ctx.postgres.mode !== 'native')
    throw new UserError(
      'E_NOT_SUPPORTED',
      'restore host needs pgBackRest, which runs in native mode only so far; in container mode the database is a dump in the restic snapshots: docs/backup-and-restore.md, "Container mode: the database from the dump"',
      { exitCode: 1 },
    );
  // The first apply installs the daemons and tools the data comes back into.
  if (!existsSync(join(HISTORY_DIR, '.git')) || !existsSync('/usr/bin/pgbackrest'))
    throw new UserError(
      'E_NOT_APPLIED',
      "this host has not been set up yet: run 'mailctl apply' first, then restore host",
      { exitCode: 1 },
    );
  const { snapshot, stanza } = await newestBackups(access);
  const database = stanza.backup.at(-1) as PgbackrestBackup;
  const probe = healthProbeAddress(ctx).split('@');
  const probeHome = `${ctx.paths.vmail}/${probe[1]}/${probe[0]}`;
  const total = await countMessages(ctx.paths.vmail);
  return {
    snapshot,
    database,
    liveMessages: total - (await countMessages(probeHome)),
    ...(target ? { target } : {}),
  };
}

/** A host that holds mail already is not written over without --force (checked before asking). */
export function refuseOverLiveData(ctx: MailHostContext, plan: HostRestorePlan, force: boolean) {
  if (plan.liveMessages > 0 && !force)
    throw new UserError(
      'E_RESTORE_OVER_LIVE_DATA',
      `this host already holds ${plan.liveMessages} message(s) in ${ctx.paths.vmail}; nothing ` +
        'was changed (--force moves them aside first)',
      { exitCode: 1 },
    );
}

export const hostRestoreSummary = (p: HostRestorePlan, a: KitAccess) =>
  `replace this host's mail, configuration, secrets, keys, history and mail database with ` +
  `those of ${p.snapshot.hostname ?? 'the backed-up host'}: restic snapshot ` +
  `${p.snapshot.short_id} (${p.snapshot.time}) and pgBackRest backup ${p.database.label} from ` +
  `the ${a.source} repositories, the database rolled forward to ` +
  `${p.target ? p.target.iso : 'the end of the archived WAL'}; the daemons stop meanwhile, ` +
  "and what this host holds now is moved aside (never deleted); then 'mailctl apply' runs";

export interface HostRestoreResult {
  snapshot: string;
  database: string;
  /** Mailbox homes (Maildirs) put back. */
  mailboxes: number;
  messages: number;
  movedAside: string[];
  clusterFileKept?: string;
}

/** The daemons stopped while their data is replaced (started again at the end). */
export const STOPPED = [
  'postfix.service',
  'dovecot.service',
  'sogo.service',
  'rspamd.service',
  // It writes its dump.rdb when it stops: stopped before the restored one is put in place.
  'redis-server.service',
  POSTGRES_UNIT,
];

/**
 * The order to start them one by one (pure): the reverse of the stop order, so PostgreSQL
 * first (every daemon looks up in it), Redis before Rspamd, Dovecot before Postfix, which
 * hands mail to Dovecot's LMTP and Rspamd's milter.
 */
export const startOrder = (stopped: readonly string[]) => [...stopped].reverse();

export interface StartOutcome {
  unit: string;
  ok: boolean;
}

/**
 * E_RESTORE_FAILED after the final apply failed (pure): which daemons run again and which
 * did not, and the next commands. The backup timers stay stopped: the next good apply
 * enables them, and `backup run` then takes the first snapshot into the new repositories.
 */
export function applyFailed(
  code: number,
  started: readonly StartOutcome[],
  clusterFile: string,
): UserError {
  const up = started.filter((s) => s.ok).map((s) => s.unit);
  const down = started.filter((s) => !s.ok).map((s) => s.unit);
  return new UserError(
    'E_RESTORE_FAILED',
    `the data is back, but 'mailctl apply' failed (exit ${code}, above); ` +
      (up.length ? `started again: ${up.join(', ')}; ` : '') +
      (down.length ? `NOT running: ${down.join(', ')} (journalctl -u ${down[0] ?? ''}); ` : '') +
      `the backup timers stay stopped; fix what apply reported, then run ` +
      `'mailctl apply --cluster ${clusterFile}' and 'mailctl backup run'`,
    { exitCode: 1 },
  );
}

/**
 * Disaster recovery onto a host that has had its first apply: the daemons stop; restic's
 * newest snapshot puts back /etc/mailctl (secrets, DKIM keys' owners, VPN peers, the
 * cluster file), the history, the DKIM keys, the ACME account and the Maildirs with their
 * dovecot-uidlist (so UIDs and UIDVALIDITY stay); pgBackRest restores the database and
 * replays the archived WAL; then apply renders every file again from the restored secrets.
 */
export async function restoreHost(
  ctx: MailHostContext,
  access: KitAccess,
  plan: HostRestorePlan,
  opts: { force: boolean; clusterFile: string; progress: (line: string) => void },
): Promise<HostRestoreResult> {
  refuseOverLiveData(ctx, plan, opts.force);
  const say = opts.progress;
  const stamp = new Date().toISOString().replace(/[:.]/g, '');
  const aside = (p: string) => `${p}.before-restore-${stamp}`;
  const movedAside: string[] = [];
  const moveAside = async (p: string) => {
    if (!existsSync(p)) return;
    await mustRun('mv', [p, aside(p)]);
    movedAside.push(aside(p));
  };

  const timers = backupTimers(ctx.postgres.mode, ctx.backup.offsite !== undefined);
  say('stopping the backup timers and the mail daemons');
  await run('systemctl', ['stop', ...timers]);
  await mustRun('systemctl', ['stop', ...STOPPED]);

  const scratch = join(restoreScratch(ctx.paths.backups), randomBytes(6).toString('hex'));
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  let clusterFileKept: string | undefined;
  try {
    say(`restoring snapshot ${plan.snapshot.short_id} (restic, ${access.source})`);
    await kitRestic(access, ['restore', plan.snapshot.id, '--quiet', '--target', scratch]);
    const operators = await readFile(opts.clusterFile, 'utf8').catch(() => undefined);
    for (const p of resticPaths(ctx)) {
      const from = join(scratch, p);
      if (!existsSync(from)) continue;
      await moveAside(p);
      await mkdir(dirname(p), { recursive: true });
      await mustRun('mv', [from, p]);
    }
    // The cluster file the operator gave this host stays the one in force; the backup's
    // is kept beside it when they differ.
    const restored = await readFile(CLUSTER_FILE, 'utf8').catch(() => undefined);
    if (operators !== undefined && restored !== operators) {
      if (restored !== undefined) {
        clusterFileKept = `${CLUSTER_FILE}.from-backup`;
        await writeFile(clusterFileKept, restored, { mode: 0o600 });
      }
      await writeFile(opts.clusterFile, operators, { mode: 0o600 });
    }
    // restic's own password is not in its snapshots: the kit's.
    await writeFile(
      RESTIC_PASSWORD_FILE,
      await readFile(String(access.resticEnv.RESTIC_PASSWORD_FILE)),
      {
        mode: 0o600,
      },
    );
    // Owners by name: the new host's system users need not have the old uids.
    await mustRun('chown', ['-R', `${ctx.vmail.user}:${ctx.vmail.group}`, ctx.paths.vmail]);
    await mustRun('chown', ['-R', '_rspamd:_rspamd', DKIM_KEY_DIR]);
    if (existsSync(REDIS_DUMP)) await mustRun('chown', ['redis:redis', REDIS_DUMP]);
    // SOGo's per-user dumps, for a later `restore mailbox` of one user (sogo-tool reads them
    // as sogo); the database restored below already holds everyone's SOGo data.
    if (existsSync(SOGO_DUMP_DIR))
      await mustRun('chown', ['-R', `${SOGO_USER}:${SOGO_USER}`, SOGO_DUMP_DIR]);
    await dropDovecotIndexes(ctx.paths.vmail);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  // This host's own repositories hold its own fresh database, under keys that are gone
  // now: aside, so that the restored host backs up into new ones under the restored keys.
  if (access.source === 'offsite')
    for (const [r, owner, mode] of [
      [pgbackrestRepo(ctx.paths.backups), 'postgres', '0750'],
      [resticRepo(ctx.paths.backups), 'root', '0700'],
    ] as const) {
      await moveAside(r);
      // Empty, as the plan makes them: apply initialises restic's, pgBackRest's is below.
      await mkdir(r, { recursive: true });
      await mustRun('chown', [`${owner}:${owner}`, r]);
      await mustRun('chmod', [mode, r]);
    }

  say(`restoring the mail database from pgBackRest backup ${plan.database.label}`);
  await installPgbackrestConf(ctx);
  await pgbackrest([
    `--repo=${access.repo}`,
    '--delta',
    ...(plan.target
      ? ['--type=time', `--target=${plan.target.target}`, '--target-action=promote']
      : []),
    'restore',
  ]);
  // The local repository's stanza before PostgreSQL starts archiving again, so that not
  // one archive_command fails (pg_control names the restored cluster).
  if (access.source === 'offsite') await pgbackrest(['--no-online', 'stanza-create']);
  await mustRun('systemctl', ['start', POSTGRES_UNIT]);
  await waitForPromotion();

  say('mailctl apply: every file rendered again from the restored secrets and keys');
  // apply in its own process, as the operator runs it (its lock, its output, its history).
  const apply = await run(
    process.execPath,
    [process.argv[1] ?? '', 'apply', '--cluster', opts.clusterFile],
    { timeoutMs: 30 * 60_000, inherit: true },
  );
  if (apply.code !== 0) {
    // Mail must not stay down unsaid: each daemon is started on its own, in dependency
    // order, with what the restore put back and what apply managed to write.
    say(`'mailctl apply' failed (exit ${apply.code}): starting the mail daemons again`);
    const started: StartOutcome[] = [];
    for (const unit of startOrder(STOPPED)) {
      const r = await run('systemctl', ['start', unit], { timeoutMs: 5 * 60_000 });
      started.push({ unit, ok: r.code === 0 });
    }
    throw applyFailed(apply.code, started, opts.clusterFile);
  }
  await mustRun('systemctl', ['start', ...STOPPED]);
  // The new local restic repository's first snapshot now, not at tonight's timer:
  // until then `backup status` would call it stale. The timers after it.
  say('taking the first snapshot into the new local repository');
  await run('systemctl', ['start', `${BACKUP_UNITS.files}.service`], { timeoutMs: 60 * 60_000 });
  await run('systemctl', ['start', ...timers]);

  const domains = await mustRun('find', [
    ctx.paths.vmail,
    '-mindepth',
    '2',
    '-maxdepth',
    '2',
    '-type',
    'd',
  ]);
  return {
    snapshot: plan.snapshot.short_id,
    database: plan.database.label,
    mailboxes: domains.stdout.split('\n').filter((l) => l && !/\.before-restore-/.test(l)).length,
    messages: await countMessages(ctx.paths.vmail),
    movedAside,
    ...(clusterFileKept ? { clusterFileKept } : {}),
  };
}

/**
 * pgBackRest's configuration and its copy of the off-site key, as apply installs them,
 * from the secrets just restored: the restore and the archiving after it use them.
 */
async function installPgbackrestConf(ctx: MailHostContext): Promise<void> {
  const file = renderPgbackrestConf(ctx);
  const content = resolveSecretRefs(file.content, (name) => {
    if (!existsSync(join(SECRETS_DIR, name)))
      throw new UserError('E_RESTORE_FAILED', `the snapshot holds no secret ${name}`, {
        exitCode: 1,
      });
    return readSecret(name);
  });
  await writeFile(PGBACKREST_CONF, content, { mode: 0o600 });
  await mustRun('chown', ['postgres:postgres', PGBACKREST_CONF]);
  if (ctx.backup.offsite) {
    await writeFile(OFFSITE_KNOWN_HOSTS, `${offsiteKnownHostsLine(ctx.backup.offsite)}\n`, {
      mode: 0o644,
    });
    await copyKeyForPostgres();
  }
}
