import { describe, expect, it } from 'vitest';
import { pcre2Available } from '../../../test/support/pcre2.js';
import { decodeEntries, type LogEntry } from '../../../test/support/wazuh-decode.js';
import { WAZUH_DECODERS } from './decoders.js';

// CI names a checker root (scripts/test-all), and `mailctl lab build` installs pcre2grep with
// the lab's host tools: there these tests must run. Elsewhere they skip without pcre2grep.
const mustRun = Boolean(process.env.MAILCTL_DEBIAN13_ROOT);
const canRun = pcre2Available();
if (mustRun && !canRun)
  throw new Error('pcre2grep is missing (Debian package pcre2-utils): run `mailctl lab build`');

interface Sample extends LogEntry {
  decoder: string;
  fields: Record<string, string>;
}

const dovecot = (message: string) => ({ program: 'dovecot', message });
const postfix = (service: string, message: string) => ({ program: `postfix/${service}`, message });

/**
 * Lines as the daemons wrote them in a lab host (the journal's MESSAGE, or the log file's
 * line), each with the decoder that must take it and every field it must extract.
 */
const SAMPLES: Sample[] = [
  {
    ...dovecot(
      'imap-login: Logged in: user=<jtest@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, mpid=12786, TLS, session=<pj+78gdikIwKZAAC>',
    ),
    decoder: 'dovecot-logged-in',
    fields: {
      protocol: 'imap',
      user: 'jtest@example.com',
      srcip: '10.100.0.2',
      dstip: '10.100.0.1',
    },
  },
  {
    ...dovecot(
      'pop3-login: Login aborted: Logged out (auth failed, 1 attempts in 2 secs) (auth_failed): user=<demo@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, TLS, session=</nbYlghicMcKZAAC>',
    ),
    decoder: 'dovecot-login-failed',
    fields: {
      protocol: 'pop3',
      attempts: '1',
      user: 'demo@example.com',
      srcip: '10.100.0.2',
      dstip: '10.100.0.1',
    },
  },
  {
    ...dovecot(
      'imap-login: Login aborted: Logged out (no auth attempts in 0 secs) (no_auth_attempts): rip=10.100.0.2, lip=10.100.0.1, TLS, session=<r3ZK9wdiSJQKZAAC>',
    ),
    decoder: 'dovecot-login-aborted',
    fields: {
      protocol: 'imap',
      reason: 'Logged out (no auth attempts in 0 secs) (no_auth_attempts)',
      srcip: '10.100.0.2',
      dstip: '10.100.0.1',
    },
  },
  {
    ...postfix(
      'smtpd',
      'NOQUEUE: reject: RCPT from mx.example.org[198.51.100.1]: 554 5.7.1 <someone@elsewhere.example>: Relay access denied; from=<someone@example.org> to=<someone@elsewhere.example> proto=ESMTP helo=<client.example.org>',
    ),
    decoder: 'postfix-relay-denied',
    fields: {
      srcip: '198.51.100.1',
      status: '554',
      dstuser: 'someone@elsewhere.example',
      srcuser: 'someone@example.org',
    },
  },
  {
    ...postfix(
      'smtpd',
      'NOQUEUE: reject: RCPT from mx.example.org[198.51.100.1]: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown; from=<someone@example.org> to=<nobody@example.com> proto=ESMTP helo=<client.example.org>',
    ),
    decoder: 'postfix-reject',
    fields: {
      stage: 'RCPT',
      srcip: '198.51.100.1',
      status: '550',
      dsn: '5.1.1',
      reason: '<nobody@example.com>: Recipient address rejected: User unknown',
      srcuser: 'someone@example.org',
      dstuser: 'nobody@example.com',
    },
  },
  {
    ...postfix(
      'submission/smtpd',
      'warning: unknown[10.100.0.2]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=demo@example.com',
    ),
    decoder: 'postfix-sasl-failed',
    fields: {
      srcip: '10.100.0.2',
      mechanism: 'PLAIN',
      reason: '(reason unavailable)',
      user: 'demo@example.com',
    },
  },
  {
    ...postfix(
      'cleanup',
      '8F7C13D0980: milter-reject: END-OF-MESSAGE from mx.example.org[198.51.100.1]: 5.7.1 Gtube pattern; from=<someone@example.org> to=<demo@example.com> proto=ESMTP helo=<client.example.org>',
    ),
    decoder: 'postfix-milter-reject',
    fields: {
      stage: 'END-OF-MESSAGE',
      srcip: '198.51.100.1',
      dsn: '5.7.1',
      reason: 'Gtube pattern',
      srcuser: 'someone@example.org',
      dstuser: 'demo@example.com',
    },
  },
  {
    ...postfix(
      'smtp',
      '7B6A132CBE6: to=<someone@example.org>, relay=mx.example.org[198.51.100.1]:25, delay=0.2, delays=0.1/0/0.05/0.05, dsn=5.1.1, status=bounced (host mx.example.org[198.51.100.1] said: 550 5.1.1 No such user (in reply to RCPT TO command))',
    ),
    decoder: 'postfix-bounced',
    fields: {
      id: '7B6A132CBE6',
      dstuser: 'someone@example.org',
      relay: 'mx.example.org[198.51.100.1]:25',
      dsn: '5.1.1',
      reason:
        'host mx.example.org[198.51.100.1] said: 550 5.1.1 No such user (in reply to RCPT TO command)',
    },
  },
  {
    ...postfix(
      'smtp',
      '2DCED32CA9C: to=<someone@example.org>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.org[198.51.100.1]:25: Connection refused)',
    ),
    decoder: 'postfix-deferred',
    fields: {
      id: '2DCED32CA9C',
      dstuser: 'someone@example.org',
      relay: 'none',
      dsn: '4.4.1',
      reason: 'connect to mx.example.org[198.51.100.1]:25: Connection refused',
    },
  },
  {
    message:
      '2026-12-07 10:21:34 #11649(rspamd_proxy) <010d93>; proxy; rspamd_task_write_log: id: <wzmxd4eptb5o9dgu@client.example.org>, qid: <8F7C13D0980>, ip: 198.51.100.1, from: <someone@example.org>, (default: S (reject): [15.00/15.00] [GTUBE(0.00){}]), len: 319, time: 133.467ms, dns req: 0, digest: <c93273e7a2ca987e203fac4149aef14a>, rcpts: <wz-probe@example.com>, mime_rcpts: <wz-probe@example.com>, forced: reject "Gtube pattern"; score=15.00 (set by GTUBE)',
    decoder: 'rspamd-action',
    fields: {
      id: '8F7C13D0980',
      srcip: '198.51.100.1',
      srcuser: 'someone@example.org',
      rspamd_action: 'reject',
      score: '15.00',
    },
  },
  {
    message:
      '2026-12-07 09:35:35 #11644(rspamd_proxy) <3dd0f7>; proxy; rspamd_task_write_log: id: <tmxd2rleagq6u35@client.example.org>, qid: <7B6A132CBE6>, ip: 198.51.100.1, from: <someone@example.org>, (default: T (add header): [2.09/15.00] [DATE_IN_PAST(1.00){309;},HFILTER_HELO_IP_A(1.00){client.example.org;}]), len: 275, time: 242.697ms, dns req: 23, digest: <365d4ae0263aefafd5a9d662802c84d5>, rcpts: <jtest@example.com>, mime_rcpts: <jtest@example.com>',
    decoder: 'rspamd-action',
    fields: {
      id: '7B6A132CBE6',
      srcip: '198.51.100.1',
      srcuser: 'someone@example.org',
      rspamd_action: 'add header',
      score: '2.09',
    },
  },
  {
    message:
      "Dec 07 09:40:02 sogod [8586]: SOGoRootPage Login from '10.100.0.2' for user 'nosuch@example.com' might not have worked - password policy: 65535  grace: -1  expire: -1  bound: 0",
    decoder: 'sogo-login-failed',
    fields: { srcip: '10.100.0.2', user: 'nosuch@example.com' },
  },
  {
    message:
      'Dec 07 09:40:03 sogod [8586]: 10.100.0.2 "PROPFIND /SOGo/dav/demo@example.com/ HTTP/1.1" 401 12/0 0.003 - - 0 - 12',
    decoder: 'sogo-dav-unauthorized',
    fields: { srcip: '10.100.0.2', method: 'PROPFIND', url: '/SOGo/dav/demo@example.com/' },
  },
  {
    message:
      '2026-12-07 09:41:07,367 fail2ban.actions        [5029]: NOTICE  [postfix-sasl] Ban 198.51.100.1',
    decoder: 'fail2ban-ban',
    fields: { jail: 'postfix-sasl', srcip: '198.51.100.1' },
  },
  {
    message:
      '2026-12-07 10:41:07,512 fail2ban.actions        [5029]: NOTICE  [postfix-sasl] Unban 198.51.100.1',
    decoder: 'fail2ban-unban',
    fields: { jail: 'postfix-sasl', srcip: '198.51.100.1' },
  },
  {
    program: 'wg-quick',
    message: '[#] ip link set mtu 1420 up dev wg0',
    decoder: 'wg-quick-up',
    fields: { interface: 'wg0' },
  },
  {
    program: 'wg-quick',
    message: '[#] ip link delete dev wg0',
    decoder: 'wg-quick-down',
    fields: { interface: 'wg0' },
  },
  {
    program: 'mailctl',
    message: 'apply: changed: 3 file(s), 1 host change(s), history 4f2a9c1',
    decoder: 'mailctl-apply-changed',
    fields: { files: '3', host_changes: '1', revision: '4f2a9c1' },
  },
  {
    program: 'mailctl',
    message:
      'apply: failed: E_ACTIVATE_FAILED: dovecot.service is failed after the change; the previous configuration was restored',
    decoder: 'mailctl-apply-failed',
    fields: {
      error: 'E_ACTIVATE_FAILED',
      reason: 'dovecot.service is failed after the change; the previous configuration was restored',
    },
  },
  {
    program: 'mailctl',
    message: 'audit: failed: sockets, tls-465',
    decoder: 'mailctl-audit-failed',
    fields: { checks: 'sockets, tls-465' },
  },
  {
    program: 'mailctl-backup',
    message:
      'backup failed: unit=mailctl-backup-files.service (journalctl -u mailctl-backup-files.service)',
    decoder: 'mailctl-backup-failed',
    fields: { unit: 'mailctl-backup-files.service' },
  },
];

/** Lines a decoder must not take: each names the one it must not be (the line's look-alike). */
const NEGATIVES: (LogEntry & { not: string })[] = [
  // Dovecot 2.3's form is no 2.4 line: it must not pass as a login.
  {
    ...dovecot(
      'imap-login: Login: user=<demo@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, mpid=1, TLS',
    ),
    not: 'dovecot-logged-in',
  },
  {
    ...dovecot(
      'imap-login: Login aborted: Logged out (no auth attempts in 0 secs) (no_auth_attempts): rip=10.100.0.2, lip=10.100.0.1, TLS',
    ),
    not: 'dovecot-login-failed',
  },
  {
    ...dovecot(
      'imap-login: Logged in: user=<demo@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, mpid=12786, TLS, session=<x>',
    ),
    not: 'dovecot-login-failed',
  },
  // Another program writing a Dovecot-like line is not Dovecot.
  {
    program: 'imapd',
    message:
      'imap-login: Logged in: user=<demo@example.com>, method=PLAIN, rip=10.100.0.2, lip=10.100.0.1, mpid=1, TLS',
    not: 'dovecot-logged-in',
  },
  {
    ...postfix(
      'smtpd',
      'NOQUEUE: reject: RCPT from unknown[198.51.100.1]: 554 5.7.1 <someone@elsewhere.example>: Relay access denied; from=<someone@example.org> to=<someone@elsewhere.example> proto=ESMTP helo=<client.example.org>',
    ),
    not: 'postfix-reject',
  },
  {
    ...postfix(
      'smtpd',
      'NOQUEUE: reject: RCPT from unknown[198.51.100.1]: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<someone@example.org> to=<nobody@example.com> proto=ESMTP helo=<client.example.org>',
    ),
    not: 'postfix-relay-denied',
  },
  {
    ...postfix(
      'smtp',
      '7B6A132CBE6: to=<someone@example.org>, relay=mx.example.org[198.51.100.1]:25, delay=0.2, delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)',
    ),
    not: 'postfix-bounced',
  },
  {
    ...postfix(
      'smtp',
      '7B6A132CBE6: to=<someone@example.org>, relay=mx.example.org[198.51.100.1]:25, delay=0.2, delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)',
    ),
    not: 'postfix-deferred',
  },
  {
    ...postfix(
      'smtpd',
      'warning: hostname client.example.org does not resolve to address 198.51.100.1',
    ),
    not: 'postfix-sasl-failed',
  },
  {
    message:
      '2026-12-07 09:36:23 #11644(rspamd_proxy) <b6f537>; proxy; rspamd_task_write_log: id: <tmxd2smx3tmo8xb@client.example.org>, qid: <5042132CA9D>, ip: 198.51.100.1, from: <someone@example.org>, (default: F (no action): [2.10/15.00] [DATE_IN_PAST(1.00){309;}]), len: 441, time: 6.636ms, dns req: 14, digest: <d78fa6b8eb893c400d0bb4bafc16a6f6>, rcpts: <jham@example.com>, mime_rcpts: <jham@example.com>',
    not: 'rspamd-action',
  },
  {
    message:
      "Dec 07 09:40:02 sogod [8506]: SOGoRootPage successful login from '10.100.0.2' for user 'demo@example.com' - expire = -1  grace = -1",
    not: 'sogo-login-failed',
  },
  {
    message:
      'Dec 07 09:40:03 sogod [8586]: 10.100.0.2 "PROPFIND /SOGo/dav/demo@example.com/Calendar/ HTTP/1.1" 207 619/0 0.003 - - 532K - 13',
    not: 'sogo-dav-unauthorized',
  },
  {
    message:
      '2026-12-07 09:41:07,291 fail2ban.filter         [5029]: INFO    [postfix-sasl] Found 198.51.100.1 - 2026-12-07 09:41:07',
    not: 'fail2ban-ban',
  },
  {
    program: 'wg-quick',
    message: '[#] ip -4 address add 10.100.0.1/24 dev wg0',
    not: 'wg-quick-up',
  },
  { program: 'wg-quick', message: '[#] ip link add wg0 type wireguard', not: 'wg-quick-down' },
  { program: 'mailctl', message: 'apply: no changes', not: 'mailctl-apply-changed' },
  {
    // The health check's GTUBE scan through the controller: no queue id, no client, no
    // sender. The parent alone takes it: rspamd-action's regex would fail on it.
    message:
      '2026-12-07 13:45:26 #16983(controller) <ae7e9e>; csession; rspamd_task_write_log: id: <undef>, (default: S (reject): [15.00/15.00] [GTUBE(0.00){}]), len: 161, time: 0.404ms, dns req: 0, digest: <4251d688006c29a4c5af95fe7646801e>, mime_rcpts: <health@example.invalid>, forced: reject "Gtube pattern"; score=15.00 (set by GTUBE)',
    not: 'rspamd-action',
  },
  {
    program: 'mailctl-backup',
    message: 'apply: changed: 3 file(s), 1 host change(s)',
    not: 'mailctl-apply-changed',
  },
];

describe.skipIf(!canRun)('the Wazuh decoders, run by PCRE2 (pcre2grep)', () => {
  const decoded = decodeEntries(WAZUH_DECODERS, SAMPLES);

  it.each(SAMPLES.map((s, i) => [s.decoder, i] as const))(
    '%s takes its sample line and extracts every field',
    (_name, i) => {
      const sample = SAMPLES[i];
      const got = decoded[i];
      expect(got?.decoder).toBe(sample?.decoder);
      expect(got?.regexMatched).toBe(true);
      expect(got?.fields).toEqual(sample?.fields);
      // Wazuh takes the first child whose prematch matches: exactly one must.
      expect(got?.candidates).toEqual([sample?.decoder]);
    },
  );

  it.each(NEGATIVES.map((n, i) => [n.not, i] as const))(
    '%s leaves a look-alike line alone',
    (_n, i) => {
      const [got] = decodeEntries(WAZUH_DECODERS, [NEGATIVES[i] as LogEntry]);
      expect(got?.decoder).not.toBe(NEGATIVES[i]?.not);
    },
  );

  it('has a sample for every child decoder', () => {
    const children = WAZUH_DECODERS.filter((d) => d.parent).map((d) => d.name);
    const sampled = new Set(SAMPLES.map((s) => s.decoder));
    expect(children.filter((c) => !sampled.has(c))).toEqual([]);
  });
});

describe('the Wazuh decoders as data', () => {
  it('gives every child a prematch, a regex and the names of what it captures', () => {
    for (const d of WAZUH_DECODERS.filter((x) => x.parent)) {
      expect(d.prematch, d.name).toBeTruthy();
      expect(d.regex, d.name).toBeTruthy();
      expect(d.order?.length, d.name).toBeGreaterThan(0);
    }
  });

  it('declares every parent before its children, under unique names', () => {
    const seen = new Set<string>();
    for (const d of WAZUH_DECODERS) {
      if (d.parent) expect(seen.has(d.parent), `${d.name} before ${d.parent}`).toBe(true);
      expect(seen.has(d.name), d.name).toBe(false);
      seen.add(d.name);
    }
  });
});
