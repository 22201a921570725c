/**
 * Dovecot's password and user databases in PostgreSQL (Dovecot 2.4 `sql_driver`, a named
 * `pgsql` block, `passdb sql` / `userdb sql` with their `query`).
 *
 * ASSUMED DATABASE CONTRACT (db/ owns the schema; these read-only views, in database
 * ctx.postgres.database, schema `public`, readable by role `dovecot`):
 *   dovecot_passdb(username, password)     username: the full lower-case address;
 *                                          password: `{BLF-CRYPT}$2y$...` or
 *                                          `{SHA512-CRYPT}$6$...`, scheme prefix included
 *   dovecot_userdb(username, home, quota_bytes)
 *                                          quota_bytes: the mailbox's limit in bytes,
 *                                          0 for unlimited, NULL for the cluster default.
 *                                          `home` is not read: Dovecot derives the home
 *                                          from the address (dovecot-conf.ts), so the
 *                                          layout of the mail store is decided in one place
 *                                          and no database row can point a mailbox at
 *                                          another one's directory.
 */
import type { MailHostContext } from '../host-context.js';
import { secretRef } from '../host-context.js';
import { configToken } from '../config-token.js';
import { POSTGRES_SOCKET_DIR } from '../mail-sockets.js';
import { generatedHeader, type RenderedFile } from '../types.js';

export const DOVECOT_SQL_CONF_PATH = '/etc/dovecot/dovecot-sql.conf.ext';

/** The secret holding role dovecot's password (container mode only). */
export const DOVECOT_DB_PASSWORD_SECRET = 'postgres-dovecot-password';

/**
 * Both schemes are crypt(3) formats that Dovecot, SOGo and the admin service all verify.
 * A hash stored without a prefix is read as BLF-CRYPT, never as the default PLAIN.
 */
export const DOVECOT_DEFAULT_PASSWORD_SCHEME = 'BLF-CRYPT';

function connection(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): string[] {
  const dbname = configToken(ctx.postgres.database, 'postgres.database');
  if (ctx.postgres.mode === 'native') {
    return [
      '# Native PostgreSQL: its Unix socket, peer authentication as the OS user the auth',
      '# process runs as (dovecot), so there is no password to keep.',
      `pgsql ${POSTGRES_SOCKET_DIR} {`,
      '  parameters {',
      `    dbname = ${dbname}`,
      '    user = dovecot',
      '  }',
      '}',
    ];
  }
  return [
    '# PostgreSQL in its container listens on the VPN address only.',
    `pgsql ${configToken(ctx.vpnAddress, 'vpnAddress')} {`,
    '  parameters {',
    `    port = ${ctx.postgres.port}`,
    `    dbname = ${dbname}`,
    '    user = dovecot',
    `    password = "${secretRef(DOVECOT_DB_PASSWORD_SECRET)}"`,
    '  }',
    '}',
  ];
}

/** /etc/dovecot/dovecot-sql.conf.ext, included by dovecot.conf. */
export function renderDovecotSqlConf(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    'sql_driver = pgsql',
    ...connection(ctx),
    '',
    '# %{user} is SQL-escaped by Dovecot, and already lower-case (auth_username_format).',
    '# Returning `user` makes the stored spelling the canonical login name, which is also',
    '# what Postfix sees as the SASL login in smtpd_sender_login_maps.',
    'passdb sql {',
    `  default_password_scheme = ${DOVECOT_DEFAULT_PASSWORD_SCHEME}`,
    "  query = SELECT username AS user, password FROM public.dovecot_passdb WHERE username = '%{user}'",
    '}',
    '',
    '# quota_storage_size overrides the global default for this user; NULL fields are',
    '# skipped, so a NULL quota_bytes keeps the default.',
    'userdb sql {',
    '  query = SELECT username AS user, \\',
    "    CASE WHEN quota_bytes = 0 THEN 'unlimited' ELSE quota_bytes || 'B' END AS quota_storage_size \\",
    "    FROM public.dovecot_userdb WHERE username = '%{user}'",
    '  iterate_query = SELECT username AS user FROM public.dovecot_userdb',
    '}',
  ];
  return {
    path: DOVECOT_SQL_CONF_PATH,
    content: `${lines.join('\n')}\n`,
    // Read by Dovecot's config process (root); in container mode it holds a password.
    mode: 0o640,
    owner: 'root',
    group: 'dovecot',
    component: 'dovecot',
  };
}
