import type { MailHostContext } from '../host-context.js';
import { healthProbeAddress } from '../health/index.js';
import { configToken } from '../config-token.js';
import {
  LMTP_CONCURRENCY,
  POSTFIX_PRIVATE_SOCKETS,
  RSPAMD_MILTER_ADDRESS,
} from '../mail-sockets.js';
import { MOZILLA_INTERMEDIATE_TLS12_CIPHERS } from '../mozilla-tls.js';
import { MTA_STS_POLICY_MAP } from '../mta-sts-resolver/index.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { isIpv6 } from '../wireguard/addresses.js';
import { inetProtocols, postfixListenAddresses } from './listen-addresses.js';
import { formatMainCf, type PostfixParameter, type PostfixSection } from './main-cf-format.js';
import { pgsqlMapReference } from './pgsql-maps.js';
import { postscreenSection } from './postscreen.js';
import { tuningFor } from '../tuning.js';

export const POSTFIX_MAIN_CF_PATH = '/etc/postfix/main.cf';

/** Largest message accepted, in bytes (50 MiB: attachments survive base64's +37%). */
export const POSTFIX_MESSAGE_SIZE_LIMIT = 52_428_800;

/**
 * The quota check against Dovecot's quota-status service. default_action=DUNNO: when the
 * service is unreachable the recipient is accepted and LMTP enforces the quota at delivery,
 * so a Dovecot restart never turns into refused mail.
 */
export const QUOTA_POLICY_CHECK = `check_policy_service { unix:${POSTFIX_PRIVATE_SOCKETS.quotaStatus}, default_action=DUNNO }`;

/**
 * The null sender on submission, looked up under smtpd_null_access_lookup_key (<>): 553 at
 * MAIL FROM, with the reason.
 */
export const NULL_SENDER_REFUSAL =
  'check_sender_access inline:{{<> = 553 5.7.1 the null sender <> is for bounces, not for mail a user submits}}';

/**
 * Refuses a disabled mailbox at RCPT (550 5.2.1), on the MX port and on submission. The
 * submission list is not in proxy_read_maps, but proxymap approves a table by its name, and
 * this one is listed there through smtpd_recipient_restrictions.
 */
export const DISABLED_RECIPIENT_CHECK = `check_recipient_access ${pgsqlMapReference('check_recipient_access')}`;

/** Restriction lists for the submission services (587, 465), referenced from master.cf. */
export const SUBMISSION_RESTRICTION_PARAMETERS = {
  client: 'mua_client_restrictions',
  sender: 'mua_sender_restrictions',
  recipient: 'mua_recipient_restrictions',
  /** header_checks of the submission services' own cleanup (master.cf). */
  headerChecks: 'mua_privacy_header_checks',
} as const;

/** Headers of submitted mail that tell the world where and with what a user wrote it. */
const PRIVACY_HEADER_CHECKS = [
  '/^Received: .*with ESMTPS?A/ IGNORE',
  '/^X-Originating-IP:/ IGNORE',
  '/^X-Mailer:/ IGNORE',
  '/^User-Agent:/ IGNORE',
];

function identity(ctx: MailHostContext): PostfixSection {
  const fqdn = configToken(ctx.fqdn, 'fqdn');
  const listen = postfixListenAddresses(ctx);
  const firstV4 = ctx.publicAddresses.find((a) => !isIpv6(a));
  const firstV6 = ctx.publicAddresses.find(isIpv6);
  const bind: PostfixParameter[] = [];
  if (firstV4) bind.push({ name: 'smtp_bind_address', value: configToken(firstV4, 'address') });
  if (firstV6) bind.push({ name: 'smtp_bind_address6', value: configToken(firstV6, 'address') });
  if (bind[0]) {
    bind[0] = {
      ...bind[0],
      why: [
        'Outbound SMTP leaves from the public address whose PTR, A and SPF records name',
        'this host, not from whichever address the kernel would pick (the VPN one, say).',
      ],
    };
  }
  // A mail domain equal to the host name belongs to virtual_mailbox_domains only;
  // Postfix refuses a domain listed as both local and virtual.
  const postmaster = `postmaster@${configToken(ctx.domains[0] ?? ctx.fqdn, 'domains')}`;
  const localDomains = ctx.domains.includes(ctx.fqdn.toLowerCase())
    ? 'localhost'
    : '$myhostname, localhost';
  return {
    title: 'Identity and addresses',
    parameters: [
      {
        name: 'compatibility_level',
        value: '3.10',
        why: ['The defaults of Postfix 3.10, the version this file was checked against.'],
      },
      { name: 'myhostname', value: fqdn },
      { name: 'myorigin', value: '$myhostname' },
      {
        name: 'mydestination',
        value: localDomains,
        why: [
          "Only the host's own name is local (root, postmaster and cron mail for the host);",
          'the mail domains are virtual, below.',
        ],
      },
      {
        name: 'smtpd_banner',
        value: '$myhostname ESMTP',
        why: ['No software name or version for scanners.'],
      },
      { name: 'biff', value: 'no' },
      { name: 'append_dot_mydomain', value: 'no' },
      { name: 'readme_directory', value: 'no' },
      { name: 'recipient_delimiter', value: '+' },
      {
        name: 'queue_directory',
        value: configToken(ctx.paths.queue, 'paths.queue'),
        why: [
          'The mail partition of the plan; smtpd and friends are chrooted here (master.cf),',
          "and Dovecot's sockets for Postfix live in its private/ directory.",
        ],
      },
      {
        name: 'inet_interfaces',
        value: 'all',
        why: [
          'Each listener names its own address in master.cf; "all" lets Postfix recognise',
          'every local address as itself (mail loops, MX pointing here).',
        ],
      },
      {
        name: 'inet_protocols',
        value: inetProtocols([...listen.mx, ...ctx.publicAddresses]),
      },
      ...bind,
      {
        name: 'mynetworks',
        value: '',
        why: [
          'Nobody relays without authentication, loopback included: any local process could',
          'connect to 127.0.0.1:25. VPN members and SOGo authenticate on 587/465 like',
          "everyone; the host's own mail goes through sendmail (authorized_submit_users).",
        ],
      },
      {
        name: 'authorized_submit_users',
        value: `root, ${configToken(ctx.vmail.user, 'vmail.user')}`,
        why: [
          'Who may use sendmail/postdrop: root (cron, apply, fail2ban, unattended-upgrades)',
          'and the vmail user (Sieve redirect and vacation). A web or database process',
          "cannot submit mail in anyone's name.",
        ],
      },
      {
        name: 'alias_maps',
        value: `inline:{{root = ${postmaster}}, {postmaster = ${postmaster}}}`,
        why: [
          "The host's own mail (cron, reports to root) reaches the first domain's",
          'postmaster instead of an unread /var/mail/root.',
        ],
      },
      { name: 'alias_database', value: '' },
      {
        name: 'local_recipient_maps',
        value: 'inline:{{postmaster = postmaster}}',
        why: [
          'Of the local names (mydestination) only postmaster takes mail over SMTP (RFC 5321);',
          'root, postgres, www-data and other system users get 550 from outside.',
        ],
      },
    ],
  };
}

function virtualDelivery(): PostfixSection {
  return {
    title: 'Virtual domains, mailboxes and aliases (PostgreSQL), delivery to Dovecot',
    parameters: [
      { name: 'virtual_mailbox_domains', value: pgsqlMapReference('virtual_mailbox_domains') },
      { name: 'virtual_mailbox_maps', value: pgsqlMapReference('virtual_mailbox_maps') },
      { name: 'virtual_alias_maps', value: pgsqlMapReference('virtual_alias_maps') },
      {
        name: 'virtual_transport',
        value: `lmtp:unix:${POSTFIX_PRIVATE_SOCKETS.lmtp}`,
        why: ['Dovecot delivers: Sieve filters and quota apply to every message.'],
      },
      {
        name: 'lmtp_destination_concurrency_limit',
        value: String(LMTP_CONCURRENCY),
        why: [
          "No more parallel deliveries than Dovecot's lmtp_user_concurrency_limit grants one",
          'user, or a burst to one mailbox is deferred (451) until the next queue run.',
        ],
      },
      {
        name: 'smtpd_sender_login_maps',
        value: pgsqlMapReference('smtpd_sender_login_maps'),
        why: [
          'Used by reject_sender_login_mismatch on submission. Set here rather than in',
          'master.cf so that proxy_read_maps (which expands $smtpd_sender_login_maps)',
          'lets proxymap open it.',
        ],
      },
    ],
  };
}

function saslAndTls(ctx: MailHostContext): PostfixSection {
  const cert = configToken(ctx.tls.certFile, 'tls.certFile');
  const key = configToken(ctx.tls.keyFile, 'tls.keyFile');
  return {
    title: 'SASL (through Dovecot) and TLS',
    parameters: [
      { name: 'smtpd_sasl_type', value: 'dovecot' },
      { name: 'smtpd_sasl_path', value: POSTFIX_PRIVATE_SOCKETS.sasl },
      {
        name: 'smtpd_sasl_auth_enable',
        value: 'no',
        why: ['AUTH is offered on 587 and 465 only (master.cf), never on the MX port.'],
      },
      { name: 'smtpd_sasl_security_options', value: 'noanonymous, noplaintext' },
      { name: 'smtpd_sasl_tls_security_options', value: 'noanonymous' },
      {
        name: 'smtpd_tls_auth_only',
        value: 'yes',
        why: ['No AUTH before STARTTLS: a password never crosses the network in clear.'],
      },
      { name: 'smtpd_tls_chain_files', value: [key, cert] },
      {
        name: 'smtpd_tls_security_level',
        value: 'may',
        why: [
          'Port 25 is opportunistic: refusing senders without TLS would only make them',
          'bounce. Submission overrides this with "encrypt" in master.cf.',
        ],
      },
      {
        name: 'smtpd_tls_protocols',
        value: '>=TLSv1.2',
        why: [
          "Port 25's opportunistic TLS follows the same profile: TLS 1.0 and 1.1 are",
          'deprecated (RFC 8996) and every maintained MTA speaks 1.2. A sender that cannot',
          "still delivers: Postfix's smtp client, like the others, retries in plaintext.",
        ],
      },
      {
        name: 'smtpd_tls_mandatory_protocols',
        value: '>=TLSv1.2',
        why: ["Mandatory TLS (submission) follows Mozilla's intermediate profile."],
      },
      {
        name: 'smtpd_tls_ciphers',
        value: 'high',
        why: [
          "Postfix's default for opportunistic TLS (medium) offers anonymous suites, which",
          'authenticate nothing; high is the Mozilla list below, on 25 as on submission.',
        ],
      },
      { name: 'smtpd_tls_mandatory_ciphers', value: 'high' },
      { name: 'smtpd_tls_exclude_ciphers', value: 'aNULL, eNULL' },
      { name: 'tls_high_cipherlist', value: MOZILLA_INTERMEDIATE_TLS12_CIPHERS },
      { name: 'tls_preempt_cipherlist', value: 'no' },
      { name: 'smtpd_tls_received_header', value: 'yes' },
      { name: 'smtpd_tls_loglevel', value: '1' },
      { name: 'smtp_tls_CAfile', value: '/etc/ssl/certs/ca-certificates.crt' },
      { name: 'smtp_tls_loglevel', value: '1' },
    ],
  };
}

/**
 * How outbound mail authenticates the receiving MX: DANE where the receiver's zone is
 * signed and publishes TLSA records, its MTA-STS policy where it has one in mode enforce,
 * opportunistic TLS everywhere else. A receiver that fails either is deferred, never sent
 * to in clear or to an unverified server.
 */
function outboundTls(): PostfixSection {
  return {
    title: 'Outbound TLS: DANE and MTA-STS',
    parameters: [
      {
        name: 'smtp_dns_support_level',
        value: 'dnssec',
        why: [
          "Lookups go through the host's validating resolver (/etc/resolv.conf is unbound,",
          'and the chroot gets a copy); only answers it validated (AD bit) count as secure.',
        ],
      },
      {
        name: 'smtp_tls_security_level',
        value: 'dane',
        why: [
          'Opportunistic DANE (RFC 7672): a signed MX host with usable TLSA records must',
          'present a matching certificate, or the mail is deferred; without TLSA records',
          'this is "may".',
        ],
      },
      {
        name: 'smtp_tls_policy_maps',
        value: MTA_STS_POLICY_MAP,
        why: [
          "Other domains' MTA-STS policies (RFC 8461) from postfix-mta-sts-resolver: mode",
          'enforce becomes "secure" with the policy\'s MX names (certificate verified',
          'against smtp_tls_CAfile); a domain without a policy keeps the level above.',
        ],
      },
    ],
  };
}

/** check_helo_access for the names and address literals only this host may use. */
function ownHeloNames(ctx: MailHostContext): string {
  const names = [
    configToken(ctx.fqdn.toLowerCase(), 'fqdn'),
    'localhost',
    'localhost.localdomain',
    ...[...ctx.publicAddresses, ctx.vpnAddress].map((a) =>
      isIpv6(a) ? `[IPv6:${configToken(a, 'address')}]` : `[${configToken(a, 'address')}]`,
    ),
  ];
  const reject = '550 5.7.1 that HELO name is this host: greet with your own';
  return `inline:{${names.map((n) => `{${n} = ${reject}}`).join(', ')}}`;
}

/**
 * `mailctl health` logs in as this mailbox (ops/health/probe-mailbox.ts); nobody sends to it,
 * on any port, so it never holds mail and no one learns of it by a 250.
 */
function probeMailboxRefusal(ctx: MailHostContext): string {
  const probe = configToken(healthProbeAddress(ctx), 'domains');
  return `check_recipient_access inline:{{${probe} = 550 5.1.1 this address takes no mail}}`;
}

function restrictions(ctx: MailHostContext): PostfixSection {
  return {
    title: 'Who may send what to whom',
    parameters: [
      { name: 'smtpd_helo_required', value: 'yes' },
      {
        name: 'disable_vrfy_command',
        value: 'yes',
        why: ['No address harvesting.'],
      },
      { name: 'show_user_unknown_table_name', value: 'no' },
      {
        name: 'smtpd_helo_restrictions',
        value: [
          'permit_inet_interfaces',
          'reject_invalid_helo_hostname',
          'reject_non_fqdn_helo_hostname',
          `check_helo_access ${ownHeloNames(ctx)}`,
        ],
        why: [
          'A client on the internet that greets with a bare word, localhost, our own name or',
          "one of our addresses is a spambot or a forger (the host's own processes are",
          'exempt: permit_inet_interfaces). Refused at RCPT (smtpd_delay_reject).',
        ],
      },
      {
        name: 'smtpd_sender_restrictions',
        value: ['reject_non_fqdn_sender', 'reject_unknown_sender_domain'],
      },
      {
        name: 'smtpd_relay_restrictions',
        value: ['permit_sasl_authenticated', 'reject_unauth_destination'],
        why: ['No open relay: only authenticated users reach other domains.'],
      },
      {
        name: 'smtpd_recipient_restrictions',
        value: [
          'reject_non_fqdn_recipient',
          'reject_unknown_recipient_domain',
          probeMailboxRefusal(ctx),
          DISABLED_RECIPIENT_CHECK,
          'reject_unlisted_recipient',
          QUOTA_POLICY_CHECK,
        ],
        why: [
          'A disabled mailbox gets 550 5.2.1 and unknown users 550 5.1.1 at RCPT',
          '(reject_unlisted_recipient, before asking Dovecot),',
          "and a full mailbox gets Dovecot's 552 5.2.2 at RCPT rather than a bounce later.",
        ],
      },
      { name: 'smtpd_reject_unlisted_recipient', value: 'yes' },
      {
        name: 'smtpd_data_restrictions',
        value: ['reject_unauth_pipelining', 'reject_multi_recipient_bounce'],
      },
      {
        name: 'smtpd_forbid_unauth_pipelining',
        value: 'yes',
        why: ['SMTP smuggling and spambot defences (Postfix 3.9 defaults, kept explicit).'],
      },
      {
        name: 'smtpd_forbid_bare_newline',
        value: 'reject',
        why: [
          'A bare <LF> is refused (521 and disconnect) rather than normalized: an SMTP',
          'smuggling probe is turned away, not accepted as one odd message.',
        ],
      },
      { name: 'smtpd_forbid_bare_newline_exclusions', value: '$mynetworks' },
      {
        name: SUBMISSION_RESTRICTION_PARAMETERS.client,
        value: ['permit_sasl_authenticated', 'reject'],
        why: ['Submission (587, 465): authenticated users only ...'],
      },
      {
        name: SUBMISSION_RESTRICTION_PARAMETERS.sender,
        value: [
          NULL_SENDER_REFUSAL,
          'reject_non_fqdn_sender',
          'reject_sender_login_mismatch',
          'permit_sasl_authenticated',
          'reject',
        ],
        why: [
          '... who send only as their own addresses (smtpd_sender_login_maps), never with',
          'the null sender: reject_sender_login_mismatch skips <>, which is for bounces the',
          "MTA makes, not for a user's mail (its header From: is checked by Rspamd) ...",
        ],
      },
      {
        name: SUBMISSION_RESTRICTION_PARAMETERS.recipient,
        value: [
          'reject_non_fqdn_recipient',
          'reject_unknown_recipient_domain',
          probeMailboxRefusal(ctx),
          DISABLED_RECIPIENT_CHECK,
          QUOTA_POLICY_CHECK,
          'permit_sasl_authenticated',
          'reject',
        ],
        why: ['... and learn at once when a local recipient is over quota.'],
      },
      {
        name: SUBMISSION_RESTRICTION_PARAMETERS.headerChecks,
        value: `regexp:{${PRIVACY_HEADER_CHECKS.map((c) => `{${c}}`).join(', ')}}`,
        why: [
          "Submitted mail loses the Received: line with the user's address (home, VPN) and",
          'the names of the client software, before Rspamd signs it.',
        ],
      },
    ],
  };
}

function milter(): PostfixSection {
  const { host, port } = RSPAMD_MILTER_ADDRESS;
  return {
    title: 'Rspamd (spam filtering, DKIM signing)',
    parameters: [
      { name: 'smtpd_milters', value: `inet:${host}:${port}` },
      {
        name: 'non_smtpd_milters',
        value: '$smtpd_milters',
        why: ['Locally submitted mail (sendmail, cron) is signed and scanned too.'],
      },
      { name: 'milter_protocol', value: '6' },
      {
        name: 'milter_default_action',
        value: 'tempfail',
        why: [
          'While Rspamd is down, mail waits rather than slips through: "accept" would deliver',
          'unscanned spam and send mail without a DKIM signature, which receivers enforcing',
          "the domain's DMARC policy reject. Every SMTP client retries a 4xx, so an outage",
          'delays mail and loses none.',
        ],
      },
      {
        name: 'milter_mail_macros',
        value: 'i {mail_addr} {client_addr} {client_name} {auth_authen}',
        why: ['{auth_authen} tells Rspamd the sender authenticated: it signs, not scores.'],
      },
    ],
  };
}

function limits(ctx: MailHostContext): PostfixSection {
  const { processLimit, clientConnectionLimit } = tuningFor(ctx.size).postfix;
  return {
    title: 'Limits',
    parameters: [
      {
        name: 'default_process_limit',
        value: String(processLimit),
        why: ['From hosts[].size: 50 per CPU, at most 25 per GiB (src/render/tuning.ts).'],
      },
      {
        name: 'smtpd_client_connection_count_limit',
        value: String(clientConnectionLimit),
        why: ['Half of them for one client address, so no single client takes them all.'],
      },
      { name: 'message_size_limit', value: String(POSTFIX_MESSAGE_SIZE_LIMIT) },
      {
        name: 'mailbox_size_limit',
        value: '0',
        why: ['Mailbox sizes are Dovecot quota, not a limit of local(8).'],
      },
      { name: 'smtpd_recipient_limit', value: '100' },
      {
        name: 'smtpd_client_auth_rate_limit',
        value: '30',
        why: ['AUTH attempts per client address and minute (anvil), against guessing.'],
      },
      { name: 'delay_warning_time', value: '4h' },
    ],
  };
}

/** /etc/postfix/main.cf */
export function renderPostfixMainCf(ctx: MailHostContext): RenderedFile {
  return {
    path: POSTFIX_MAIN_CF_PATH,
    content: formatMainCf(generatedHeader(), [
      identity(ctx),
      virtualDelivery(),
      saslAndTls(ctx),
      outboundTls(),
      restrictions(ctx),
      postscreenSection(ctx),
      milter(),
      limits(ctx),
    ]),
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'postfix',
  };
}
