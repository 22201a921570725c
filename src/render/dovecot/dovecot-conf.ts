import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { LMTP_CONCURRENCY, postfixSocketPath } from '../mail-sockets.js';
import {
  MOZILLA_INTERMEDIATE_MIN_PROTOCOL,
  MOZILLA_INTERMEDIATE_TLS12_CIPHERS,
} from '../mozilla-tls.js';
import { tuningFor } from '../tuning.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import {
  LEARN_HAM_SCRIPT,
  LEARN_SPAM_SCRIPT,
  SIEVE_GLOBAL_BIN_DIR,
  SIEVE_PIPE_DIR,
  SPAM_TO_JUNK_SCRIPT,
} from './junk-sieve.js';
import { DOVECOT_METRICS_CONF_PATH } from '../monitoring/dovecot-stats.js';
import { DOVECOT_SQL_CONF_PATH } from './sql-conf.js';

export const DOVECOT_CONF_PATH = '/etc/dovecot/dovecot.conf';

/** IMAP, POP3 and ManageSieve listen here and nowhere else. */
export function dovecotListenAddresses(ctx: Pick<MailHostContext, 'vpnAddress'>): string[] {
  return [configToken(ctx.vpnAddress, 'vpnAddress'), '127.0.0.1'];
}

/** A Dovecot size: `unlimited` for 0, else bytes with the B unit. */
export function dovecotSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`not a byte count: ${bytes}`);
  return bytes === 0 ? 'unlimited' : `${bytes}B`;
}

/** A unix_listener for a Postfix client: inside Postfix's queue, owned by postfix. */
function postfixListener(path: string, mode: string): string[] {
  return [
    `  unix_listener ${path} {`,
    `    mode = ${mode}`,
    '    user = postfix',
    '    group = postfix',
    '  }',
  ];
}

/**
 * imap-login in high-performance mode (issue 14): Dovecot's default starts a new login
 * process, with its own TLS set-up, for every connection (restart_request_count = 1), which
 * held a login storm to 38 sessions/s on the seed's 2 CPUs. One long-lived process per CPU
 * (process_min_avail) serves many connections each (client_limit); they still run as
 * dovenull in their chroot. Logins are VPN-only here, which narrows who can reach the
 * pre-login code that the per-connection processes isolated.
 */
function imapLoginProcesses(ctx: Pick<MailHostContext, 'size'>): string[] {
  return [
    '  restart_request_count = unlimited',
    `  process_min_avail = ${ctx.size.cpus}`,
    // Each connection stays with its login process for TLS after login too.
    '  client_limit = 1000',
  ];
}

/** service imap { process_limit }: Dovecot's default, the most IMAP sessions at once. */
const IMAP_PROCESS_LIMIT = 1024;
/**
 * service auth { client_limit }: doveconf wants one auth connection for each process that
 * may serve more than one client (restart_request_count != 1): the imap processes below,
 * and imap-login, pop3-login, managesieve-login and imap-urlauth-login (process_limit 100
 * each, Dovecot's default).
 */
const AUTH_CLIENT_LIMIT = IMAP_PROCESS_LIMIT + 4 * 100;

/**
 * imap processes serve up to 100 sessions each, one at a time, rather than one each
 * (restart_request_count = 1, Dovecot's default): starting an imap process (exec, reading
 * its settings, opening the mail store) was most of a login's cost, about 19 of 30 ms of
 * Dovecot's CPU per session. Measured with bench imap's login storm on a lab at load 1-5:
 * 86-89 sessions/s, p99 206-368 ms, against 28-35/s, p99 495-1093 ms (bench/RESULTS.md). Every
 * mailbox belongs to the one vmail user, so a reused process changes no privileges; the
 * cost is that a session runs in a process an earlier session of another user ran in,
 * which Dovecot's documentation calls less isolated, and 100 rather than unlimited bounds
 * what a leak could grow to. process_min_avail keeps one started per CPU.
 */
function imapProcesses(ctx: Pick<MailHostContext, 'size'>): string[] {
  return [
    '  restart_request_count = 100',
    `  process_min_avail = ${ctx.size.cpus}`,
    `  process_limit = ${IMAP_PROCESS_LIMIT}`,
  ];
}

const SPECIAL_MAILBOXES = ['Drafts', 'Sent', 'Junk', 'Trash', 'Archive'] as const;

function mailboxes(): string[] {
  return SPECIAL_MAILBOXES.flatMap((name) => [
    `  mailbox ${name} {`,
    `    special_use = \\${name}`,
    '    auto = subscribe',
    ...(name === 'Trash'
      ? [
          '    # Moving mail to Trash is how clients delete; it must work when the',
          '    # mailbox is full, so Trash may exceed the quota a little.',
          '    quota_storage_extra = 100M',
        ]
      : []),
    ...(name === 'Junk'
      ? [
          '    # IMAPSieve: whatever a user copies, moves or uploads (APPEND) into Junk is',
          '    # spam to Rspamd. Not on flag changes, which would learn it again each time.',
          '    sieve_script learn-spam {',
          '      type = before',
          '      cause = copy append',
          `      path = ${LEARN_SPAM_SCRIPT}`,
          `      bin_path = ${SIEVE_GLOBAL_BIN_DIR}`,
          '    }',
        ]
      : []),
    '  }',
  ]);
}

/** /etc/dovecot/dovecot.conf: the whole Dovecot configuration except the databases. */
export function renderDovecotConf(ctx: MailHostContext): RenderedFile {
  const queue = configToken(ctx.paths.queue, 'paths.queue');
  const vmail = configToken(ctx.paths.vmail, 'paths.vmail').replace(/\/+$/, '');
  const { uid, gid } = ctx.vmail;
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0 || gid <= 0) {
    throw new Error(`vmail needs a non-root uid and gid, got ${uid}:${gid}`);
  }
  const lines = [
    generatedHeader().trimEnd(),
    "# Dovecot 2.4 syntax. Debian's conf.d/ is deliberately not included: this file and",
    `# ${DOVECOT_SQL_CONF_PATH} are the whole configuration.`,
    'dovecot_config_version = 2.4.1',
    '# The storage format stays readable by any 2.4 release.',
    'dovecot_storage_version = 2.4.0',
    '',
    '# === Protocols and where they listen',
    'protocols = imap pop3 lmtp sieve',
    '# The VPN address and loopback only, never a public address: mail clients reach',
    '# IMAP, POP3 and ManageSieve through the VPN. LMTP, SASL and quota-status are Unix',
    '# sockets for Postfix.',
    `listen = ${dovecotListenAddresses(ctx).join(' ')}`,
    '',
    'service imap-login {',
    ...imapLoginProcesses(ctx),
    '  inet_listener imap {',
    '    port = 143',
    '  }',
    '  inet_listener imaps {',
    '    port = 993',
    '    ssl = yes',
    '  }',
    '}',
    'service imap {',
    ...imapProcesses(ctx),
    '}',
    'service pop3-login {',
    '  inet_listener pop3 {',
    '    port = 110',
    '  }',
    '  inet_listener pop3s {',
    '    port = 995',
    '    ssl = yes',
    '  }',
    '}',
    'service managesieve-login {',
    '  inet_listener sieve {',
    '    port = 4190',
    '  }',
    '}',
    "# The stats service's OpenMetrics listener and its metrics, on loopback; absent when",
    '# the cluster file turns monitoring.exporters off.',
    `!include_try ${DOVECOT_METRICS_CONF_PATH}`,
    '',
    '# === TLS (Mozilla intermediate)',
    'ssl = yes',
    `ssl_server_cert_file = ${configToken(ctx.tls.certFile, 'tls.certFile')}`,
    `ssl_server_key_file = ${configToken(ctx.tls.keyFile, 'tls.keyFile')}`,
    `ssl_min_protocol = ${MOZILLA_INTERMEDIATE_MIN_PROTOCOL}`,
    `ssl_cipher_list = ${MOZILLA_INTERMEDIATE_TLS12_CIPHERS}`,
    'ssl_server_prefer_ciphers = client',
    '',
    '# === Authentication',
    '# PLAIN and LOGIN (Outlook still asks for LOGIN) carry the password itself, so they',
    '# are refused until the connection is TLS; loopback counts as secure, for local tools.',
    'auth_mechanisms = plain login',
    'auth_allow_cleartext = no',
    '# Password guessing, from the VPN too: a refused login is answered after',
    "# auth_failure_delay, and Dovecot's auth penalty (kept by anvil, per client address)",
    '# delays each next attempt from that address more, up to 15 s, until one succeeds. It',
    '# spares login_trusted_networks, which stays empty: the VPN is no trust zone for',
    '# passwords. Fail2ban (dovecot-vpn) bans an address that keeps trying.',
    'auth_failure_delay = 2s',
    'login_trusted_networks =',
    '# The auth cache (issue 14): a login that succeeded is answered from memory for',
    '# auth_cache_ttl, the password checked against the cached hash, instead of a PostgreSQL',
    '# query; unknown users and wrong passwords for auth_cache_negative_ttl. mailctl flushes',
    "# a login's entries whenever its row changes (doveadm auth cache flush), so a changed",
    '# password, a disabled or removed mailbox, or a new quota counts from the next login.',
    `auth_cache_size = ${dovecotSize(tuningFor(ctx.size).dovecotAuthCacheBytes)}`,
    'auth_cache_ttl = 1h',
    'auth_cache_negative_ttl = 1h',
    '# The SHA512-CRYPT check of a cached login, not the query, is what a login costs: done',
    '# in auth-worker processes it uses every CPU, not the auth process alone (about twice',
    '# the logins/s on 2 CPUs, bench/RESULTS.md). The workers connect to PostgreSQL as',
    "# dovecot, the role pg_hba.conf's peer line admits, not as root.",
    'auth_cache_verify_password_with_worker = yes',
    `!include ${DOVECOT_SQL_CONF_PATH}`,
    '',
    'service auth {',
    `  client_limit = ${AUTH_CLIENT_LIMIT}`,
    "  # Postfix's SASL (smtpd_sasl_type = dovecot), inside its chroot.",
    ...postfixListener(postfixSocketPath(queue, 'sasl'), '0660'),
    '}',
    'service auth-worker {',
    '  user = dovecot',
    '}',
    '',
    '# === Mail store: Maildir per user, all owned by the vmail user',
    'mail_driver = maildir',
    `mail_home = ${vmail}/%{user | domain}/%{user | username}`,
    'mail_path = ~/Maildir',
    `mail_uid = ${uid}`,
    `mail_gid = ${gid}`,
    '# Mail processes may run as vmail and nothing else, whatever a userdb returns.',
    `first_valid_uid = ${uid}`,
    `last_valid_uid = ${uid}`,
    `first_valid_gid = ${gid}`,
    `last_valid_gid = ${gid}`,
    'mailbox_list_index = yes',
    '',
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    ...mailboxes(),
    '}',
    '',
    '# === Quota',
    '# Counted in the index files (the "count" driver). The per-user limit comes from',
    '# the userdb (quota_storage_size), this is the default.',
    'mail_plugins {',
    '  quota = yes',
    '}',
    'protocol imap {',
    '  mail_plugins {',
    '    imap_quota = yes',
    '    imap_sieve = yes',
    '  }',
    '}',
    `quota_storage_size = ${dovecotSize(ctx.defaultQuotaBytes)}`,
    'quota "User quota" {',
    '  driver = count',
    '}',
    '',
    '# Postfix asks before it accepts a recipient (check_policy_service), so an over-quota',
    '# recipient is refused at RCPT with 552 5.2.2 instead of bouncing later. DUNNO for',
    '# success and for unknown users: Postfix has checked the recipient already, and an',
    '# alias address is not a user here.',
    'quota_status_success = DUNNO',
    'quota_status_nouser = DUNNO',
    'quota_status_overquota = "552 5.2.2 %{error}"',
    'service quota-status {',
    '  executable = quota-status -p postfix',
    ...postfixListener(postfixSocketPath(queue, 'quotaStatus'), '0600'),
    '  client_limit = 1',
    '}',
    '',
    '# === Delivery (LMTP from Postfix) and Sieve',
    'service lmtp {',
    ...postfixListener(postfixSocketPath(queue, 'lmtp'), '0600'),
    '  # The default socket is world-writable: any local user could deliver to any mailbox.',
    '  unix_listener lmtp {',
    '    mode = 0600',
    '  }',
    '}',
    'protocol lmtp {',
    '  # Refuse at RCPT rather than after DATA when the recipient is over quota.',
    '  lmtp_rcpt_check_quota = yes',
    "  # Postfix's lmtp_destination_concurrency_limit is the same: it never asks for more.",
    `  lmtp_user_concurrency_limit = ${LMTP_CONCURRENCY}`,
    '  mail_plugins {',
    '    sieve = yes',
    '  }',
    "  # Before the user's own script: what Rspamd marked as spam (its add_header action)",
    '  # goes to Junk. Only at delivery: a before script outside this block would run on',
    '  # every IMAPSieve event too.',
    '  sieve_script spam-to-junk {',
    '    type = before',
    `    path = ${SPAM_TO_JUNK_SCRIPT}`,
    '    # Compiled where the mail process may write: /etc is read-only to Dovecot.',
    `    bin_path = ${SIEVE_GLOBAL_BIN_DIR}`,
    '  }',
    '}',
    '# Users manage their scripts with ManageSieve; the active one is a symlink.',
    'sieve_script personal {',
    '  driver = file',
    '  path = ~/sieve',
    '  active_path = ~/.dovecot.sieve',
    '}',
    '',
    '# === Learning from the users: IMAPSieve pipes moved mail to Rspamd',
    '# (sieve_extprograms). Only the global scripts may pipe, and only to the learners in',
    `# ${SIEVE_PIPE_DIR}.`,
    'sieve_plugins {',
    '  sieve_imapsieve = yes',
    '  sieve_extprograms = yes',
    '}',
    'sieve_global_extensions {',
    '  vnd.dovecot.pipe = yes',
    '}',
    `sieve_pipe_bin_dir = ${SIEVE_PIPE_DIR}`,
    '# Out of Junk into any other mailbox: ham (the script skips Trash).',
    'imapsieve_from Junk {',
    '  sieve_script learn-ham {',
    '    type = before',
    '    cause = copy',
    `    path = ${LEARN_HAM_SCRIPT}`,
    `    bin_path = ${SIEVE_GLOBAL_BIN_DIR}`,
    '  }',
    '}',
  ];
  return {
    path: DOVECOT_CONF_PATH,
    content: `${lines.join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'dovecot',
  };
}
