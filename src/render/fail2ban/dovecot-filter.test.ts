/**
 * The Dovecot filter through Fail2ban's own fail2ban-regex, in the Debian 13 root (see
 * test/support/debian13-root.ts), on lines Dovecot 2.4.1 wrote in the lab.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { rootFile } from '../types.js';
import { DOVECOT_FAIL2BAN_FILTER_PATH, renderDovecotFail2banFilter } from './dovecot-filter.js';

const root = debian13Root('usr/bin/fail2ban-regex');
const LOG = '/tmp/dovecot.log';
const prefix = 'Dec 07 09:36:46 mail.example.com dovecot[13255]: ';

/** The addresses fail2ban-regex finds in `lines` (its verbose report lists each match). */
function found(lines: string[]): string[] {
  const r = runInDebian13Root(
    root ?? '',
    [renderDovecotFail2banFilter(), rootFile('fail2ban', LOG, `${lines.join('\n')}\n`)],
    ['fail2ban-regex', '-v', '--print-all-matched', LOG, DOVECOT_FAIL2BAN_FILTER_PATH],
  );
  expect(r.status, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/^\|\s+(\S+)\s+\w{3} \w{3} /gm)].map((m) => m[1] ?? '');
}

describe.skipIf(!root)('the Dovecot 2.4 Fail2ban filter', () => {
  it('finds the client of refused IMAP, POP3 and ManageSieve logins', () => {
    const aborted = (service: string, rip: string) =>
      `${prefix}${service}-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<jham@example.com>, method=PLAIN, rip=${rip}, lip=10.100.0.1, TLS, session=<KiPF9gdiMLIKZAAC>`;
    expect(
      found([
        aborted('imap', '10.100.0.2'),
        aborted('pop3', '10.100.0.3'),
        aborted('managesieve', '10.100.0.4'),
      ]),
    ).toEqual(['10.100.0.2', '10.100.0.3', '10.100.0.4']);
  });

  it('finds the address Dovecot wrote, not one a user name makes up', () => {
    const forged =
      'x>, method=PLAIN, rip=10.100.0.9, lip=10.100.0.1, TLS, session=<a>) (auth_failed): user=<y';
    expect(
      found([
        `${prefix}imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<${forged}>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, TLS, session=<S4Dd9gdiMrIKZAAC>`,
      ]),
    ).toEqual(['10.100.0.2']);
  });

  it('ignores good logins and everything else', () => {
    expect(
      found([
        `${prefix}imap-login: Logged in: user=<jham@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, mpid=13305, TLS, session=<M9SM9Qdi5s8KZAAC>`,
        `${prefix}imap(jham@example.com)<13305><M9SM9Qdi5s8KZAAC>: Disconnected: Logged out in=95 out=1025`,
        `${prefix}imap-login: Login aborted: Connection closed (no auth attempts in 0 secs) (no_auth_attempts): user=<>, rip=10.100.0.2, lip=10.100.0.1, TLS, session=<a>`,
      ]),
    ).toEqual([]);
  });
});
