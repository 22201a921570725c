import { generatedHeader, rootFile, type RenderedFile } from '../types.js';

export const DOVECOT_FAIL2BAN_FILTER = 'mailctl-dovecot';
export const DOVECOT_FAIL2BAN_FILTER_PATH = `/etc/fail2ban/filter.d/${DOVECOT_FAIL2BAN_FILTER}.conf`;

/**
 * A refused IMAP, POP3 or ManageSieve login as Dovecot 2.4 logs it, after the syslog-style
 * prefix (common.conf's __prefix_line):
 *   imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs)
 *   (auth_failed): user=<u@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, TLS, ...
 * Debian's dovecot filter (Fail2ban 1.1.0) knows only 2.3's "Aborted login (auth failed"
 * form and matches none of these. The user name is the client's to choose and comes
 * before the address: the greedy `user=<.*>` makes the last `rip=`, the one Dovecot wrote,
 * the banned one, whatever a name made to look like a log line holds.
 */
export const DOVECOT_FAILREGEX =
  String.raw`^%(__prefix_line)s(?:imap|pop3|managesieve)-login: Login aborted: .*\(auth_failed\): ` +
  String.raw`user=<.*>, (?:method=\S+, )?rip=<HOST>, lip=`;

/** The filter file: Dovecot's journal, the line above. */
export function renderDovecotFail2banFilter(): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    '# Refused Dovecot 2.4 logins (IMAP, POP3, ManageSieve).',
    '[INCLUDES]',
    'before = common.conf',
    '[Definition]',
    '_daemon = dovecot',
    `failregex = ${DOVECOT_FAILREGEX}`,
    'ignoreregex =',
    'journalmatch = _SYSTEMD_UNIT=dovecot.service',
  ];
  return rootFile('fail2ban', DOVECOT_FAIL2BAN_FILTER_PATH, `${lines.join('\n')}\n`);
}
