import { DKIM_KEY_DIR } from '../rspamd/dkim-signing.js';
import { SOGO_LOG_FILE } from '../sogo/index.js';
import { generatedHeader } from '../types.js';
import type { WazuhContext } from './context.js';
import { HEALTH_LOG } from './rules.js';
import { wazuhText, xmlComment } from './xml.js';

export const OSSEC_DIR = '/var/ossec';
export const OSSEC_CONF_PATH = `${OSSEC_DIR}/etc/ossec.conf`;
/** The enrollment password, as the agent reads it (authorization_pass_path, relative to OSSEC_DIR). */
export const AUTHD_PASS_PATH = `${OSSEC_DIR}/etc/authd.pass`;
/** The host-side secret the password comes from (/etc/mailctl/secrets/<name>). */
export const AUTHD_PASS_SECRET = 'wazuh-authd-pass';

/**
 * The units whose journal entries the agent sends, one `localfile` block each (Wazuh 4.9+
 * reads the journal itself: `log_format journald` with a `filter` per field; filters in one
 * block must all match, blocks add up). Each names what the manager's decoders expect.
 */
const JOURNAL_UNITS: readonly [string, string][] = [
  ['postfix@-.service', 'Postfix: SMTP AUTH failures, rejects, relay attempts, bounces, deferrals'],
  ['dovecot.service', 'Dovecot 2.4: logins, failed logins, auth verdicts'],
  ['wg-quick@wg0.service', 'WireGuard: the VPN interface up and down'],
  ['ssh.service', "OpenSSH: Wazuh's own sshd decoders"],
  ['postgresql@17-main.service', "PostgreSQL: Wazuh's own postgresql decoders"],
];

/** Identifiers, not units: mailctl runs in an administrator's session or a backup unit. */
const JOURNAL_IDENTIFIERS = '^mailctl(?:-backup)?$';

/** Log files the daemons write themselves, with the format Wazuh reads them in. */
const LOG_FILES: readonly [string, string, string][] = [
  ['/var/log/nginx/access.log', 'syslog', "nginx's access log: Wazuh's own web decoders"],
  ['/var/log/nginx/error.log', 'syslog', "nginx's error log: failed HTTP authentication"],
  [SOGO_LOG_FILE, 'syslog', 'SOGo: failed web, DAV and ActiveSync logins'],
  ['/var/log/rspamd/rspamd.log', 'syslog', 'Rspamd: one line per scanned message with its action'],
  ['/var/log/fail2ban.log', 'syslog', 'Fail2ban: bans and unbans'],
  [HEALTH_LOG, 'json', 'mailctl health: one JSON object per timer run (ts, status, checks)'],
];

/**
 * Wazuh's default lists of system directories and files that change on their own, plus
 * mailctl's configuration, the daemons' and the DKIM keys.
 */
const SYSTEM_DIRS = '/etc,/usr/bin,/usr/sbin,/bin,/sbin,/boot';
const MAIL_DIRS = ['/etc/mailctl', '/etc/postfix', '/etc/dovecot', DKIM_KEY_DIR].join(',');
const IGNORED = [
  '/etc/mtab',
  '/etc/hosts.deny',
  '/etc/random-seed',
  '/etc/adjtime',
  '/etc/resolv.conf',
];

const esc = (v: string) => wazuhText(v, 'ossec.conf value');

function localfileBlocks(): string[] {
  const journald = (field: string, value: string, about: string) => [
    xmlComment(about, '  '),
    '  <localfile>',
    '    <location>journald</location>',
    '    <log_format>journald</log_format>',
    `    <filter field="${field}">${esc(value)}</filter>`,
    '  </localfile>',
  ];
  return [
    ...JOURNAL_UNITS.flatMap(([unit, about]) =>
      journald('_SYSTEMD_UNIT', `^${unit.replace(/\./g, '\\.')}$`, about),
    ),
    ...journald(
      'SYSLOG_IDENTIFIER',
      JOURNAL_IDENTIFIERS,
      "mailctl's own events: backup failures (tag mailctl-backup)",
    ),
    ...LOG_FILES.flatMap(([path, format, about]) => [
      xmlComment(about, '  '),
      '  <localfile>',
      `    <location>${esc(path)}</location>`,
      `    <log_format>${format}</log_format>`,
      '  </localfile>',
    ]),
  ];
}

/**
 * The agent's ossec.conf (pure). Events and enrollment go to the manager's VPN address
 * only, so they travel inside WireGuard, which has already authenticated both ends.
 */
export function renderOssecConf(w: WazuhContext): string {
  const lines = [
    generatedHeader('<!--').replace(/\n$/, ' -->'),
    '<ossec_config>',
    '  <client>',
    '    <server>',
    `      <address>${esc(w.manager)}</address>`,
    `      <port>${w.port}</port>`,
    '      <protocol>tcp</protocol>',
    '    </server>',
    '    <config-profile>debian, debian13</config-profile>',
    '    <notify_time>20</notify_time>',
    '    <time-reconnect>60</time-reconnect>',
    '    <auto_restart>yes</auto_restart>',
    '    <crypto_method>aes</crypto_method>',
    '    <enrollment>',
    '      <enabled>yes</enabled>',
    `      <manager_address>${esc(w.manager)}</manager_address>`,
    `      <port>${w.enrollmentPort}</port>`,
    `      <agent_name>${esc(w.agentName)}</agent_name>`,
    ...(w.groups.length ? [`      <groups>${esc(w.groups.join(','))}</groups>`] : []),
    // The manager's authd.pass; mailctl keeps it in /etc/mailctl/secrets.
    `      <authorization_pass_path>${AUTHD_PASS_PATH.slice(OSSEC_DIR.length + 1)}</authorization_pass_path>`,
    '    </enrollment>',
    '  </client>',
    '',
    '  <client_buffer>',
    '    <disabled>no</disabled>',
    '    <queue_size>5000</queue_size>',
    '    <events_per_second>500</events_per_second>',
    '  </client_buffer>',
    '',
    ...localfileBlocks(),
    '',
    xmlComment(
      'File integrity: no report_changes (a diff of a changed file would carry secrets to the manager: keys, passwords in container mode); `mailctl history` has the diffs, secrets as tokens.',
      '  ',
    ),
    '  <syscheck>',
    '    <disabled>no</disabled>',
    '    <frequency>43200</frequency>',
    '    <scan_on_start>yes</scan_on_start>',
    `    <directories check_all="yes" realtime="yes">${MAIL_DIRS}</directories>`,
    `    <directories check_all="yes">${SYSTEM_DIRS}</directories>`,
    ...IGNORED.map((p) => `    <ignore>${p}</ignore>`),
    '    <ignore type="sregex">.log$|.swp$</ignore>',
    '    <skip_nfs>yes</skip_nfs>',
    '    <skip_dev>yes</skip_dev>',
    '    <skip_proc>yes</skip_proc>',
    '    <skip_sys>yes</skip_sys>',
    '  </syscheck>',
    '',
    '  <rootcheck>',
    '    <disabled>no</disabled>',
    '    <check_files>yes</check_files>',
    '    <check_trojans>yes</check_trojans>',
    '    <check_dev>yes</check_dev>',
    '    <check_sys>yes</check_sys>',
    '    <check_pids>yes</check_pids>',
    '    <check_ports>yes</check_ports>',
    '    <check_if>yes</check_if>',
    '    <frequency>43200</frequency>',
    '    <rootkit_files>etc/shared/rootkit_files.txt</rootkit_files>',
    '    <rootkit_trojans>etc/shared/rootkit_trojans.txt</rootkit_trojans>',
    '    <skip_nfs>yes</skip_nfs>',
    '  </rootcheck>',
    '',
    '  <logging>',
    '    <log_format>plain</log_format>',
    '  </logging>',
    '</ossec_config>',
  ];
  return `${lines.join('\n')}\n`;
}
