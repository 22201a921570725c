import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderPostfixMainCf } from './main-cf.js';

/** main.cf as name → value, continuation lines joined the way Postfix reads them. */
function parameters(content: string): Map<string, string> {
  const joined = content.replace(/\n[ \t]+/g, ' ');
  const map = new Map<string, string>();
  for (const line of joined.split('\n')) {
    const m = /^([a-z0-9_]+) =\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined) map.set(m[1], m[2] ?? '');
  }
  return map;
}

const main = parameters(renderPostfixMainCf(testHostContext()).content);
const list = (name: string) => (main.get(name) ?? '').split(/,\s*(?![^{]*})/);

describe('main.cf', () => {
  it('names the host and keeps the queue on the mail partition', () => {
    expect(main.get('myhostname')).toBe('mail.example.com');
    expect(main.get('queue_directory')).toBe('/var/mail/queue');
    expect(main.get('compatibility_level')).toBe('3.10');
  });

  it('is no open relay: only authenticated users relay, loopback included', () => {
    expect(list('smtpd_relay_restrictions')).toEqual([
      'permit_sasl_authenticated',
      'reject_unauth_destination',
    ]);
    expect(main.get('mynetworks')).toBe('');
  });

  it('lets only root and vmail submit locally, and sends root mail to a postmaster', () => {
    expect(main.get('authorized_submit_users')).toBe('root, vmail');
    expect(main.get('alias_maps')).toBe(
      'inline:{{root = postmaster@example.com}, {postmaster = postmaster@example.com}}',
    );
    expect(main.get('mua_privacy_header_checks')).toMatch(
      /^regexp:\{\{\/\^Received: .*\{\/\^User-Agent:\/ IGNORE\}\}$/,
    );
    expect(list('smtpd_helo_restrictions').slice(0, 3)).toEqual([
      'permit_inet_interfaces',
      'reject_invalid_helo_hostname',
      'reject_non_fqdn_helo_hostname',
    ]);
    const helo = list('smtpd_helo_restrictions').join(', ');
    expect(helo).toContain('check_helo_access inline:{{mail.example.com = 550 5.7.1 ');
    expect(helo).toContain('{[IPv6:2001:db8::10] = 550 5.7.1 ');
    expect(main.get('local_recipient_maps')).toBe('inline:{{postmaster = postmaster}}');
  });

  it('offers AUTH only through Dovecot, only after TLS, never on port 25 by default', () => {
    expect(main.get('smtpd_sasl_type')).toBe('dovecot');
    expect(main.get('smtpd_sasl_path')).toBe('private/auth');
    expect(main.get('smtpd_sasl_auth_enable')).toBe('no');
    expect(main.get('smtpd_tls_auth_only')).toBe('yes');
    expect(main.get('smtpd_tls_mandatory_protocols')).toBe('>=TLSv1.2');
    // Port 25 too (issue 16): no TLS 1.0/1.1 and no anonymous suites.
    expect(main.get('smtpd_tls_protocols')).toBe('>=TLSv1.2');
    expect(main.get('smtpd_tls_ciphers')).toBe('high');
    expect(main.get('smtpd_tls_exclude_ciphers')).toBe('aNULL, eNULL');
  });

  it('looks users up in PostgreSQL through proxymap and delivers over LMTP', () => {
    for (const p of ['virtual_mailbox_domains', 'virtual_mailbox_maps', 'virtual_alias_maps']) {
      expect(main.get(p)).toMatch(/^proxy:pgsql:\/etc\/postfix\/pgsql\/.+\.cf$/);
    }
    expect(main.get('smtpd_sender_login_maps')).toMatch(/^proxy:pgsql:/);
    expect(main.get('virtual_transport')).toBe('lmtp:unix:private/dovecot-lmtp');
  });

  it('rejects unknown users at RCPT, then asks Dovecot about quota, tolerating its absence', () => {
    const rcpt = list('smtpd_recipient_restrictions');
    expect(rcpt.indexOf('reject_unlisted_recipient')).toBeLessThan(rcpt.length - 1);
    expect(rcpt.at(-1)).toBe(
      'check_policy_service { unix:private/quota-status, default_action=DUNNO }',
    );
    expect(main.get('smtpd_reject_unlisted_recipient')).toBe('yes');
    expect(main.get('show_user_unknown_table_name')).toBe('no');
  });

  it('binds submitters to their own addresses', () => {
    expect(list('mua_sender_restrictions')).toContain('reject_sender_login_mismatch');
    // <> first: reject_sender_login_mismatch lets the null sender through.
    expect(list('mua_sender_restrictions')[0]).toMatch(
      /^check_sender_access inline:\{\{<> = 553 5\.7\.1 .+\}\}$/,
    );
    expect(list('mua_client_restrictions')).toEqual(['permit_sasl_authenticated', 'reject']);
    expect(list('mua_recipient_restrictions').slice(-2)).toEqual([
      'permit_sasl_authenticated',
      'reject',
    ]);
  });

  it('has the SMTP smuggling and pipelining defences on', () => {
    expect(main.get('smtpd_forbid_bare_newline')).toBe('reject');
    expect(main.get('smtpd_forbid_bare_newline_exclusions')).toBe('$mynetworks');
    expect(main.get('smtpd_forbid_unauth_pipelining')).toBe('yes');
  });

  it('filters through the Rspamd milter and holds mail while it is down', () => {
    expect(main.get('smtpd_milters')).toBe('inet:127.0.0.1:11332');
    expect(main.get('non_smtpd_milters')).toBe('$smtpd_milters');
    expect(main.get('milter_protocol')).toBe('6');
    expect(main.get('milter_default_action')).toBe('tempfail');
  });

  it('follows the address families the host has', () => {
    const v4 = parameters(
      renderPostfixMainCf(testHostContext({ publicAddresses: ['192.0.2.10'] })).content,
    );
    expect(v4.get('inet_protocols')).toBe('ipv4');
    expect(v4.has('smtp_bind_address6')).toBe(false);
    expect(main.get('inet_protocols')).toBe('all');
    expect(main.get('smtp_bind_address')).toBe('192.0.2.10');
    expect(main.get('smtp_bind_address6')).toBe('2001:db8::10');
  });

  it('keeps a mail domain that equals the host name out of mydestination', () => {
    const same = parameters(
      renderPostfixMainCf(testHostContext({ domains: ['example.com', 'mail.example.com'] }))
        .content,
    );
    expect(same.get('mydestination')).toBe('localhost');
    expect(main.get('mydestination')).toBe('$myhostname, localhost');
  });

  it('verifies outbound TLS by DANE and by MTA-STS, through the validating resolver', () => {
    expect(main.get('smtp_dns_support_level')).toBe('dnssec');
    expect(main.get('smtp_tls_security_level')).toBe('dane');
    expect(main.get('smtp_tls_policy_maps')).toBe('socketmap:inet:127.0.0.1:8461:postfix');
  });
});
