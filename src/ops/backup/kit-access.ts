import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  OFFSITE_KNOWN_HOSTS,
  OFFSITE_SSH_KEY,
  offsiteKnownHostsLine,
  PGBACKREST_OFFSITE_KEY,
  PGBACKREST_OFFSITE_REPO,
  RESTIC_CACHE_DIR,
  RESTIC_TAG,
  resticOffsiteRepo,
  resticOffsiteSshArgs,
  resticRepo,
} from '../../render/backup/index.js';
import { renderPgbackrestConf } from '../../render/backup/pgbackrest-conf.js';
import { resolveSecretRefs, type MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import type { RecoveryKit } from './recovery-kit.js';
import { pgbackrest, type PgbackrestStanza, type ResticSnapshot } from './tools.js';

/** Which repositories a host restore reads: the off-site server's, or this host's own. */
export type RestoreSource = 'offsite' | 'local';

/**
 * The backups as the recovery kit opens them, before anything of the host changes: the
 * kit's secrets in a private directory on tmpfs (never in argv, never in the environment
 * of a long-lived process), restic and pgBackRest pointed at the chosen repositories.
 */
export interface KitAccess {
  source: RestoreSource;
  /** pgBackRest's repository number: 2 off-site, 1 local. */
  repo: number;
  resticEnv: NodeJS.ProcessEnv;
  resticArgs: string[];
  /** pgBackRest's configuration with the kit's key: `--config=` this. */
  pgbackrestConfig: string;
  dispose(): Promise<void>;
}

/** Writes the kit's secrets where only root and pgBackRest's user read them. */
export async function openWithKit(
  ctx: MailHostContext,
  kit: RecoveryKit,
  source: RestoreSource,
): Promise<KitAccess> {
  const o = ctx.backup.offsite;
  if (source === 'offsite' && !o)
    throw new UserError(
      'E_NO_OFFSITE',
      'the cluster file names no off-site server (backup.offsite): restore --from local, or add it',
    );
  if (source === 'offsite' && !kit.offsiteSshKey)
    throw new UserError(
      'E_BAD_RECOVERY_KIT',
      'the recovery kit holds no off-site SSH key: it was made on a host without backup.offsite',
    );
  const dir = join('/run/mailctl', `restore-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ids = await Promise.all(['-u', '-g'].map((f) => run('id', [f, 'postgres'])));
  const [uid, gid] = ids.map((r) => Number(r.stdout.trim()));
  const own = (p: string) => chown(p, uid ?? 0, gid ?? 0);
  await own(dir);
  const put = async (name: string, content: string) => {
    const p = join(dir, name);
    await writeFile(p, content, { mode: 0o600 });
    await own(p);
    return p;
  };
  const password = await put('restic-password', `${kit.resticPassword}\n`);
  const key = await put('offsite-ssh-key', kit.offsiteSshKey ?? '');
  // pgBackRest (libssh2) wants the public half beside it.
  if (kit.offsiteSshKey) {
    const pub = await run('ssh-keygen', ['-y', '-f', key]);
    if (pub.code !== 0)
      throw new UserError(
        'E_BAD_RECOVERY_KIT',
        "the recovery kit's off-site SSH key cannot be read",
      );
    await put('offsite-ssh-key.pub', pub.stdout);
  }
  const knownHosts = await put('known-hosts', o ? `${offsiteKnownHostsLine(o)}\n` : '');
  const conf = resolveSecretRefs(renderPgbackrestConf(ctx).content, () => kit.pgbackrestCipherPass)
    .replaceAll(PGBACKREST_OFFSITE_KEY, key)
    .replaceAll(OFFSITE_KNOWN_HOSTS, knownHosts);
  const pgbackrestConfig = await put('pgbackrest.conf', conf);
  const offsite = source === 'offsite' && o;
  return {
    source,
    repo: offsite ? PGBACKREST_OFFSITE_REPO : 1,
    resticEnv: {
      ...process.env,
      RESTIC_REPOSITORY: offsite ? resticOffsiteRepo(o) : resticRepo(ctx.paths.backups),
      RESTIC_PASSWORD_FILE: password,
      RESTIC_CACHE_DIR,
    },
    resticArgs: offsite
      ? [
          '-o',
          `sftp.args=${resticOffsiteSshArgs(o).replace(OFFSITE_SSH_KEY, key).replace(OFFSITE_KNOWN_HOSTS, knownHosts)}`,
        ]
      : [],
    pgbackrestConfig,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';

/** Runs restic on the kit's repository; a failure names the repository, never a secret. */
export async function kitRestic(a: KitAccess, args: readonly string[]): Promise<string> {
  const r = await run('restic', [...a.resticArgs, ...args], {
    env: a.resticEnv,
    timeoutMs: 60 * 60_000,
  });
  if (r.code !== 0)
    throw new UserError(
      'E_RESTORE_FAILED',
      `restic cannot read ${a.resticEnv.RESTIC_REPOSITORY} with the recovery kit: ${lastLine(r.stderr)}`,
      { exitCode: 1 },
    );
  return r.stdout;
}

/** The newest snapshot mailctl took, and the newest database backup, in the kit's repositories. */
export async function newestBackups(
  a: KitAccess,
): Promise<{ snapshot: ResticSnapshot; stanza: PgbackrestStanza }> {
  const snaps = JSON.parse(
    await kitRestic(a, ['snapshots', '--no-lock', '--json', '--tag', RESTIC_TAG]),
  ) as ResticSnapshot[] | null;
  const snapshot = snaps?.at(-1);
  const r = await pgbackrest(
    [`--config=${a.pgbackrestConfig}`, `--repo=${a.repo}`, '--output=json', 'info'],
    { must: false },
  );
  const stanza = r.code === 0 ? (JSON.parse(r.stdout) as PgbackrestStanza[])[0] : undefined;
  const why = stanza?.repo?.find((x) => x.status.code !== 0)?.status.message ?? r.stderr;
  if (!snapshot || !stanza?.backup.length)
    throw new UserError(
      'E_NO_BACKUP',
      `nothing to restore from the ${a.source} repositories: ${
        snapshot ? '' : `no restic snapshot in ${a.resticEnv.RESTIC_REPOSITORY}; `
      }${stanza?.backup.length ? '' : `no pgBackRest backup in repo${a.repo} (${why.trim().split('\n')[0] || stanza?.status.message || 'no answer'})`}`,
      { exitCode: 1 },
    );
  return { snapshot, stanza };
}
