import { generatedHeader, type RenderedFile } from '../types.js';

/** For the hardening work's jail: `filter = mailctl-sogo`, `logpath = /var/log/sogo/sogo.log`. */
export const SOGO_FAIL2BAN_FILTER_PATH = '/etc/fail2ban/filter.d/mailctl-sogo.conf';
export const SOGO_LOG_FILE = '/var/log/sogo/sogo.log';

/**
 * What sogod writes to its log (WOLogFile) on a refused login, after the syslog-style
 * date that Fail2ban strips. The address is the one nginx passes in
 * x-webobjects-remote-host, so these lines name the real client.
 *
 * - Web login: SOGoRootPage's "Login from '<addr>' for user '<user>' might not have
 *   worked - password policy: ..." (any refused login, unknown user included).
 * - DAV and ActiveSync use HTTP Basic authentication; sogod logs "tried wrong password"
 *   without the address, then its access line with the address and status 401. A client
 *   that sends its first request without credentials gets one 401 too, so a jail's
 *   maxretry should leave room for that.
 */
// Fail2ban strips the date but not the blank after it, hence `^\s*` (found when the jail
// went live: without it the filter matched nothing in sogod's real log).
export const SOGO_FAILREGEX: readonly string[] = [
  String.raw`^\s*sogod \[\d+\]: SOGoRootPage Login from '<HOST>' for user '[^']*' might not have worked`,
  String.raw`^\s*sogod \[\d+\]: <HOST> "[A-Z]+ /SOGo/(?:dav|Microsoft-Server-ActiveSync)\S* HTTP/\d\.\d" 401 `,
];

/** The Fail2ban filter file with the expressions above. */
export function renderSogoFail2banFilter(): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    `# Refused SOGo logins in ${SOGO_LOG_FILE} (web, DAV, ActiveSync).`,
    '[Definition]',
    `failregex = ${SOGO_FAILREGEX.join('\n            ')}`,
    'ignoreregex =',
  ];
  return {
    path: SOGO_FAIL2BAN_FILTER_PATH,
    content: `${lines.join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'fail2ban',
  };
}
