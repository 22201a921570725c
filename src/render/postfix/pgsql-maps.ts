/**
 * Postfix's PostgreSQL lookup tables (pgsql_table(5)), one file per map under
 * /etc/postfix/pgsql/.
 *
 * ASSUMED DATABASE CONTRACT (db/ owns the schema; these are the read-only views this file
 * relies on, in database ctx.postgres.database, schema `public`, readable by role `postfix`).
 * Values are stored lower-case, as Postfix folds the lookup key to lower case:
 *   postfix_domains(domain)                 one row per mail domain served here
 *   postfix_mailboxes(address, maildir)     one row per mailbox; only `address` is read,
 *                                           delivery goes to Dovecot over LMTP
 *   postfix_aliases(source, destination)    destination: one address or a comma-separated
 *                                           list; several rows for one source are merged
 *   postfix_sender_logins(sender, login)    which SASL login may use which envelope sender:
 *                                           each mailbox's own address, and every alias
 *                                           source that points to it
 *
 * Every map is used through proxy: (proxymap(8)), which is not chrooted and keeps one pool
 * of database connections for all smtpd processes, instead of each chrooted smtpd opening
 * its own (and failing to reach the PostgreSQL socket from inside the chroot).
 */
import type { MailHostContext } from '../host-context.js';
import { secretRef } from '../host-context.js';
import { configToken } from '../config-token.js';
import { POSTGRES_SOCKET_DIR } from '../mail-sockets.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { isIpv6 } from '../wireguard/addresses.js';

export const POSTFIX_PGSQL_DIR = '/etc/postfix/pgsql';

/** The secret holding role postfix's password (container mode only). */
export const POSTFIX_DB_PASSWORD_SECRET = 'postgres-postfix-password';

interface PgsqlMap {
  /** The main.cf parameter that uses the map. */
  parameter: string;
  file: string;
  query: string;
}

export const POSTFIX_PGSQL_MAPS: readonly PgsqlMap[] = [
  {
    parameter: 'virtual_mailbox_domains',
    file: 'virtual-mailbox-domains.cf',
    query: "SELECT domain FROM public.postfix_domains WHERE domain = '%s'",
  },
  {
    parameter: 'virtual_mailbox_maps',
    file: 'virtual-mailbox-maps.cf',
    query: "SELECT address FROM public.postfix_mailboxes WHERE address = '%s'",
  },
  {
    parameter: 'virtual_alias_maps',
    file: 'virtual-alias-maps.cf',
    query: "SELECT destination FROM public.postfix_aliases WHERE source = '%s'",
  },
  {
    // An access(5) table: a disabled mailbox gets this reply at RCPT. 5.2.1 is RFC 3463's
    // "mailbox disabled, not accepting messages": permanent, so senders stop retrying and
    // nothing queues for it; `mailctl mailbox enable` takes effect at once.
    parameter: 'check_recipient_access',
    file: 'disabled-recipients.cf',
    query:
      "SELECT '550 5.2.1 Mailbox disabled, not accepting messages' FROM public.postfix_disabled_recipients WHERE address = '%s'",
  },
  {
    parameter: 'smtpd_sender_login_maps',
    file: 'sender-login-maps.cf',
    query: "SELECT login FROM public.postfix_sender_logins WHERE sender = '%s'",
  },
];

/** The main.cf value for one of the maps above. */
export function pgsqlMapReference(parameter: string): string {
  const map = POSTFIX_PGSQL_MAPS.find((m) => m.parameter === parameter);
  if (!map) throw new Error(`no pgsql map for ${parameter}`);
  return `proxy:pgsql:${POSTFIX_PGSQL_DIR}/${map.file}`;
}

function connectionLines(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): string[] {
  const dbname = `dbname = ${configToken(ctx.postgres.database, 'postgres.database')}`;
  if (ctx.postgres.mode === 'native') {
    return [
      '# Native PostgreSQL: its Unix socket, peer authentication as the OS user proxymap',
      '# runs as (postfix), so there is no password to keep.',
      `hosts = unix:${POSTGRES_SOCKET_DIR}`,
      dbname,
      'user = postfix',
    ];
  }
  const host = configToken(ctx.vpnAddress, 'vpnAddress');
  return [
    '# PostgreSQL in its container listens on the VPN address only.',
    `hosts = inet:${isIpv6(host) ? `[${host}]` : host}:${ctx.postgres.port}`,
    dbname,
    'user = postfix',
    `password = ${secretRef(POSTFIX_DB_PASSWORD_SECRET)}`,
  ];
}

export function renderPostfixPgsqlMaps(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
): RenderedFile[] {
  const connection = connectionLines(ctx);
  return POSTFIX_PGSQL_MAPS.map((map) => ({
    path: `${POSTFIX_PGSQL_DIR}/${map.file}`,
    content: [
      generatedHeader().trimEnd(),
      `# ${map.parameter}: see pgsql_table(5).`,
      ...connection,
      // One server and no other to fail over to: after a failed query pgsql_table(5) keeps
      // away from it for retry_interval (60 s by default), so a PostgreSQL back from a crash
      // in seconds left every lookup a 451 "Temporary lookup failure" for a minute (measured
      // on a lab). A reconnect to the local server costs little.
      'retry_interval = 2',
      `query = ${map.query}`,
      '',
    ].join('\n'),
    // proxymap reads it as user postfix; in container mode it holds a password.
    mode: 0o640,
    owner: 'root',
    group: 'postfix',
    component: 'postfix',
  }));
}
