import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import type { HostChange } from '../../plan/host-steps.js';
import { PG_STANZA, pgbackrestRepo } from '../../render/backup/index.js';
import { renderPgbackrestConf } from '../../render/backup/pgbackrest-conf.js';
import { resolveSecretRefs, type MailHostContext } from '../../render/host-context.js';
import { readSecret } from '../../apply/secrets.js';
import { run } from '../../util/exec.js';
import { POSTGRES_UNIT } from './restore-db.js';
import { pgbackrest } from './tools.js';

/** pgBackRest's archive info in the local repository: there once the stanza exists. */
export const localArchiveInfo = (backups: string) =>
  `${pgbackrestRepo(backups)}/archive/${PG_STANZA}/archive.info`;

/**
 * The local repository's configuration alone: the stanza is made before the files go live,
 * when the off-site server may not accept this host's key yet (its repo2 stanza is the
 * off-site setup's, after activation), and pgbackrest.conf is not installed yet.
 */
export const firstStanzaConf = (ctx: MailHostContext) =>
  renderPgbackrestConf({ ...ctx, backup: { ...ctx.backup, offsite: undefined } });

/** Whether the local stanza is still to make (reads only). */
export function stanzaFirstChanges(ctx: MailHostContext): HostChange[] {
  if (ctx.postgres.mode !== 'native' || existsSync(localArchiveInfo(ctx.paths.backups))) return [];
  return [
    {
      kind: 'database',
      action: 'create',
      target: `pgBackRest stanza ${PG_STANZA} (local repository)`,
      detail: 'before PostgreSQL archives its first WAL segment with it',
    },
  ];
}

/**
 * Makes the local stanza from the cluster's pg_control (`--no-online`: on a first apply
 * PostgreSQL is installed but not started yet) or, where it runs, from the server. Without
 * it every archive_command would fail until the stanza existed, and the monitoring's
 * WalArchiveFailing would fire on every fresh host.
 */
export async function applyStanzaFirst(ctx: MailHostContext): Promise<string[]> {
  const conf = '/run/mailctl/pgbackrest-first-stanza.conf';
  const content = resolveSecretRefs(firstStanzaConf(ctx).content, (n) => readSecret(n));
  await mkdir('/run/mailctl', { recursive: true, mode: 0o755 });
  const ids = await Promise.all(['-u', '-g'].map((f) => run('id', [f, 'postgres'])));
  await writeFile(conf, content, { mode: 0o600 });
  try {
    await chown(conf, Number(ids[0]?.stdout.trim()), Number(ids[1]?.stdout.trim()));
    const online = (await run('systemctl', ['is-active', '--quiet', POSTGRES_UNIT])).code === 0;
    await pgbackrest([`--config=${conf}`, ...(online ? [] : ['--no-online']), 'stanza-create']);
  } finally {
    await rm(conf, { force: true });
  }
  return [`made pgBackRest's stanza ${PG_STANZA} before PostgreSQL archives with it`];
}
