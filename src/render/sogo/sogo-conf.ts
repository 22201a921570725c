/**
 * /etc/sogo/sogo.conf for SOGo 5.12 on Debian.
 *
 * ASSUMED DATABASE CONTRACT (db/ owns it, migration 0002-sogo):
 *   schema `sogo` in database ctx.postgres.database, owned by role `sogo`: SOGo creates its
 *   own tables there (its role's search_path puts `sogo` first, and it may create nowhere
 *   else);
 *   view public.sogo_users(c_uid, c_name, c_password, c_cn, mail), readable by `sogo`:
 *   c_password is the mailbox's `{SHA512-CRYPT}$6$...` hash, scheme prefix included.
 */
import { configToken } from '../config-token.js';
import type { MailHostContext } from '../host-context.js';
import { secretRef } from '../host-context.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { dict, formatPlist, type PlistDict } from './plist.js';

export const SOGO_CONF_PATH = '/etc/sogo/sogo.conf';

/** sogod's HTTP listener: loopback only, nginx on the VPN side is its one client. */
export const SOGO_LISTEN = { host: '127.0.0.1', port: 20000 } as const;

/** Memcached, SOGo's cache of users and sessions: loopback only (see memcached-conf.ts). */
export const MEMCACHED_LISTEN = { host: '127.0.0.1', port: 11211 } as const;

/** The secret holding role sogo's database password (container PostgreSQL only). */
export const SOGO_DB_PASSWORD_SECRET = 'postgres-sogo-password';

/** Signs SOGo's JSON Web Tokens (SOGoJWTSecret); its default is the public word "SOGo". */
export const SOGO_JWT_SECRET = 'sogo-jwt-secret';

/** SOGo's own failed-login limit, per user (seconds). */
export const SOGO_FAILED_LOGINS = { count: 10, intervalSeconds: 300, blockSeconds: 600 } as const;

/** The tables SOGo creates itself (in schema sogo), by the setting that names each. */
const TABLES = [
  ['SOGoProfileURL', 'sogo_user_profile', 'user settings and preferences'],
  ['OCSFolderInfoURL', 'sogo_folder_info', 'the calendars and address books of each user'],
  ['OCSSessionsFolderURL', 'sogo_sessions_folder', 'web sessions'],
  ['OCSEMailAlarmsFolderURL', 'sogo_alarms_folder', 'e-mail reminders of events'],
  ['OCSAdminURL', 'sogo_admin', 'the administration module (message of the day)'],
  // "Single store" mode: every user's events and contacts share three tables instead of
  // SOGo creating two tables per calendar and address book.
  ['OCSStoreURL', 'sogo_store', 'events and contacts of every user'],
  ['OCSAclURL', 'sogo_acl', 'sharing rights'],
  ['OCSCacheFolderURL', 'sogo_cache_folder', 'ActiveSync and DAV sync state'],
] as const;

/** A GDLContentStore URL for one table or view. */
export function sogoDatabaseUrl(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
  table: string,
): string {
  const db = configToken(ctx.postgres.database, 'postgres.database');
  if (ctx.postgres.mode === 'native') {
    // No host: libpq then uses its default Unix socket (/var/run/postgresql on Debian),
    // where pg_hba.conf lets the OS user sogo in as role sogo by peer authentication. No
    // password exists.
    return `postgresql://sogo@/${db}/${table}`;
  }
  // The container publishes PostgreSQL on the VPN address only; a generated password.
  return `postgresql://sogo:${secretRef(SOGO_DB_PASSWORD_SECRET)}@${configToken(ctx.vpnAddress, 'vpnAddress')}:${ctx.postgres.port}/${db}/${table}`;
}

function settings(ctx: MailHostContext): PlistDict {
  const vpn = configToken(ctx.vpnAddress, 'vpnAddress');
  const domain = ctx.domains[0];
  return dict(
    // === Where SOGo listens
    [
      'WOPort',
      `${SOGO_LISTEN.host}:${SOGO_LISTEN.port}`,
      ['Loopback only: nginx on the VPN address is the one way in.'],
    ],
    ['SOGoMemcachedHost', `${MEMCACHED_LISTEN.host}:${MEMCACHED_LISTEN.port}`],

    // === Its own storage in PostgreSQL
    ...TABLES.map(([key, table, what]): [string, string, string[]] => [
      key,
      sogoDatabaseUrl(ctx, table),
      [`${table}: ${what}`],
    ]),

    // === Users: the mailboxes, with the same password as IMAP and SMTP
    [
      'SOGoUserSources',
      [
        dict(
          ['type', 'sql'],
          ['id', 'mailboxes'],
          ['viewURL', sogoDatabaseUrl(ctx, 'sogo_users')],
          ['canAuthenticate', true],
          [
            'isAddressBook',
            false,
            ['Not a shared address book: the domains on this host need not see each other.'],
          ],
          [
            'userPasswordAlgorithm',
            'sha512-crypt',
            [
              'The stored hashes carry their scheme ({SHA512-CRYPT}$6$...), which SOGo reads',
              'case-insensitively; this is only the fallback for a hash without a prefix.',
            ],
          ],
          ['prependPasswordScheme', true],
          ['displayName', 'Mailboxes'],
        ),
      ],
    ],
    [
      'SOGoPasswordChangeEnabled',
      false,
      ['Passwords change with `mailctl mailbox passwd`; SOGo may only read the view.'],
    ],
    ...(domain ? [['SOGoMailDomain', configToken(domain, 'domain')] as [string, string]] : []),

    // === Mail: Dovecot and Postfix on this host
    [
      'SOGoIMAPServer',
      'imap://127.0.0.1:143',
      [
        'Dovecot listens on loopback too, and counts loopback as secure for plaintext login',
        '(auth_allow_cleartext): the password never leaves the host.',
      ],
    ],
    [
      'SOGoSieveServer',
      'sieve://127.0.0.1:4190',
      ['ManageSieve, for when filters and vacation messages are turned on.'],
    ],
    ['SOGoSieveScriptsEnabled', false],
    ['SOGoVacationEnabled', false],
    ['SOGoForwardEnabled', false],
    ['SOGoMailingMechanism', 'smtp'],
    [
      'SOGoSMTPServer',
      `smtp://${vpn}:587/?tls=YES&tlsVerifyMode=none`,
      [
        'Authenticated submission, so Postfix applies the same sender checks as to any',
        'client. It listens on the public and VPN addresses only; the VPN address is local',
        'to this host. STARTTLS is required before AUTH; the certificate names the host,',
        'not this address, so it is not verified on this host-internal hop.',
      ],
    ],
    ['SOGoSMTPAuthenticationType', 'PLAIN'],
    ['SOGoDraftsFolderName', 'Drafts', ["Dovecot's special-use mailboxes (dovecot.conf)."]],
    ['SOGoSentFolderName', 'Sent'],
    ['SOGoTrashFolderName', 'Trash'],
    ['SOGoJunkFolderName', 'Junk'],
    [
      'SOGoMailAuxiliaryUserAccountsEnabled',
      false,
      ['Users may not make SOGo connect to other IMAP servers.'],
    ],
    ['SOGoMailCustomFromEnabled', false],

    // === Web, DAV and ActiveSync
    ['SOGoLoginModule', 'Mail'],
    ['SOGoLanguage', 'English'],
    ['SOGoTimeZone', 'UTC'],
    [
      'SOGoEnableEASSupport',
      true,
      [
        'ActiveSync at /Microsoft-Server-ActiveSync. Ping and Sync keep their defaults (short',
        'polls, no push): a push device would hold one of the few sogod workers for an hour.',
      ],
    ],
    ['SOGoTrustProxyAuthentication', false],

    // === Password guessing: per user here, per address in Fail2ban (mailctl-sogo-vpn)
    [
      'SOGoMaximumFailedLoginCount',
      SOGO_FAILED_LOGINS.count,
      [
        'The VPN is no trust zone for passwords: this many refused logins for one user within',
        'the interval below block that user in SOGo for the block interval, whatever device',
        'they come from. Loose enough for a device with a stale password to recover.',
      ],
    ],
    ['SOGoMaximumFailedLoginInterval', SOGO_FAILED_LOGINS.intervalSeconds],
    ['SOGoFailedLoginBlockInterval', SOGO_FAILED_LOGINS.blockSeconds],
    ['SOGoXSRFValidationEnabled', true],
    ['SOGoJWTSecret', secretRef(SOGO_JWT_SECRET)],
  );
}

/** /etc/sogo/sogo.conf: readable by the sogo user only (a JWT secret, maybe a DB password). */
export function renderSogoConf(ctx: MailHostContext): RenderedFile {
  const header = generatedHeader('//')
    .trimEnd()
    .replace(/^\/\/ /, '');
  return {
    path: SOGO_CONF_PATH,
    content: formatPlist(settings(ctx), [header, 'SOGo 5.12, a GNUstep property list.']),
    mode: 0o640,
    owner: 'root',
    group: 'sogo',
    component: 'sogo',
  };
}
