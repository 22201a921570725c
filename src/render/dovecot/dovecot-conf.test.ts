import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { dovecotSize, renderDovecotConf } from './dovecot-conf.js';
import { renderDovecotSqlConf } from './sql-conf.js';

const conf = renderDovecotConf(testHostContext()).content;
const sql = renderDovecotSqlConf(testHostContext()).content;
const top = (name: string) => new RegExp(`^${name} = (.*)$`, 'm').exec(conf)?.[1];

/** The body of the first `header {` block at the top level, up to its closing brace. */
function block(header: string): string {
  const start = conf.indexOf(`\n${header} {\n`);
  if (start < 0) throw new Error(`no block ${header}`);
  const end = conf.indexOf('\n}\n', start);
  return conf.slice(start, end);
}

describe('dovecot.conf', () => {
  it('files spam into Junk at delivery and learns from moves into and out of Junk', () => {
    expect(block('protocol lmtp')).toMatch(
      /sieve_script spam-to-junk {\n {4}type = before\n {4}path = \/etc\/dovecot\/sieve\/spam-to-junk\.sieve\n/,
    );
    expect(block('protocol imap')).toContain('    imap_sieve = yes\n');
    expect(block('sieve_plugins')).toContain('sieve_imapsieve = yes');
    expect(block('sieve_plugins')).toContain('sieve_extprograms = yes');
    expect(block('sieve_global_extensions')).toContain('vnd.dovecot.pipe = yes');
    expect(top('sieve_pipe_bin_dir')).toBe('/etc/dovecot/sieve-pipe');
    expect(block('imapsieve_from Junk')).toMatch(/cause = copy\n.*learn-ham\.sieve/s);
    const junk = /mailbox Junk {\n([^]*?)\n {2}}\n/.exec(block('namespace inbox'))?.[1] ?? '';
    expect(junk).toMatch(/cause = copy append\n.*learn-spam\.sieve/s);
    // The personal script is not run from IMAP: no user script may pipe or run on moves.
    expect(conf).not.toMatch(/^imapsieve_url/m);
    expect(block('sieve_global_extensions')).not.toContain('vnd.dovecot.execute');
  });

  it('keeps one imap-login process per CPU of hosts[].size, serving many connections each', () => {
    expect(block('service imap-login')).toMatch(
      /restart_request_count = unlimited\n {2}process_min_avail = 2\n/,
    );
    const big = renderDovecotConf(
      testHostContext({ size: { cpus: 8, memoryBytes: 16 * 1024 ** 3 } }),
    ).content;
    expect(big).toMatch(/^ {2}process_min_avail = 8$/m);
  });

  it('reuses an imap process for 100 sessions, one started per CPU, and gives auth a connection for each', () => {
    expect(block('service imap')).toMatch(
      /restart_request_count = 100\n {2}process_min_avail = 2\n {2}process_limit = 1024$/,
    );
    // doveconf's count: imap's process_limit and four login services' 100 each.
    expect(block('service auth')).toMatch(/^ {2}client_limit = 1424$/m);
  });

  it('uses the 2.4 configuration syntax', () => {
    expect(top('dovecot_config_version')).toBe('2.4.1');
    expect(top('dovecot_storage_version')).toBe('2.4.0');
    expect(conf).toContain('mail_driver = maildir\n');
    expect(conf).not.toMatch(/^(mail_location|disable_plaintext_auth|ssl_cert) /m);
  });

  it('listens on the VPN address and loopback only', () => {
    expect(top('listen')).toBe('10.100.0.1 127.0.0.1');
    expect(conf).not.toContain('192.0.2.10');
    expect(conf).not.toContain('2001:db8::10');
    expect(top('protocols')).toBe('imap pop3 lmtp sieve');
    expect(block('service managesieve-login')).toContain('port = 4190');
  });

  it('refuses cleartext passwords without TLS, TLS 1.2 at least', () => {
    expect(top('auth_allow_cleartext')).toBe('no');
    // The auth penalty needs an address outside login_trusted_networks: the VPN is not in it.
    expect(top('auth_failure_delay')).toBe('2s');
    expect(conf).toMatch(/^login_trusted_networks =$/m);
    expect(top('auth_mechanisms')).toBe('plain login');
    expect(top('ssl')).toBe('yes');
    expect(top('ssl_min_protocol')).toBe('TLSv1.2');
    expect(top('ssl_server_cert_file')).toBe('/etc/mailctl/tls/mail.example.com.crt');
    expect(top('ssl_server_key_file')).toBe('/etc/mailctl/tls/mail.example.com.key');
  });

  it('puts the Postfix sockets into the queue private directory, for postfix only', () => {
    for (const [service, socket, mode] of [
      ['service auth', 'auth', '0660'],
      ['service lmtp', 'dovecot-lmtp', '0600'],
      ['service quota-status', 'quota-status', '0600'],
    ] as const) {
      const b = block(service);
      expect(b).toContain(`unix_listener /var/mail/queue/private/${socket} {`);
      expect(b).toContain(`mode = ${mode}\n    user = postfix\n    group = postfix`);
    }
    expect(block('service lmtp')).toMatch(/unix_listener lmtp \{\n\s+mode = 0600/);
  });

  it('stores Maildirs under the vmail tree as the vmail user and no other', () => {
    expect(top('mail_home')).toBe('/var/mail/vmail/%{user | domain}/%{user | username}');
    expect(top('mail_path')).toBe('~/Maildir');
    for (const s of ['mail_uid', 'first_valid_uid', 'last_valid_uid']) expect(top(s)).toBe('5000');
    expect(() =>
      renderDovecotConf(
        testHostContext({ vmail: { user: 'root', group: 'root', uid: 0, gid: 0 } }),
      ),
    ).toThrow(/non-root/);
  });

  it('enforces quota at delivery and answers Postfix with 552 5.2.2', () => {
    expect(top('quota_storage_size')).toBe('1073741824B');
    expect(block('quota "User quota"')).toContain('driver = count');
    expect(top('quota_status_overquota')).toBe('"552 5.2.2 %{error}"');
    expect(top('quota_status_nouser')).toBe('DUNNO');
    expect(top('quota_status_success')).toBe('DUNNO');
    expect(block('service quota-status')).toContain('executable = quota-status -p postfix');
    expect(block('protocol lmtp')).toContain('lmtp_rcpt_check_quota = yes');
  });

  it('runs Sieve at delivery with ManageSieve-managed scripts', () => {
    expect(block('protocol lmtp')).toMatch(/mail_plugins \{\n\s+sieve = yes/);
    expect(block('sieve_script personal')).toContain('active_path = ~/.dovecot.sieve');
  });

  it('writes an unlimited default quota as unlimited', () => {
    expect(dovecotSize(0)).toBe('unlimited');
    expect(renderDovecotConf(testHostContext({ defaultQuotaBytes: 0 })).content).toContain(
      'quota_storage_size = unlimited\n',
    );
    expect(() => dovecotSize(-1)).toThrow();
  });
});

describe('dovecot-sql.conf.ext', () => {
  it('reads the assumed views, with the canonical user name', () => {
    expect(sql).toContain('sql_driver = pgsql\n');
    expect(sql).toMatch(/FROM public\.dovecot_passdb WHERE username = '%\{user\}'/);
    expect(sql).toMatch(/FROM public\.dovecot_userdb WHERE username = '%\{user\}'/);
    expect(sql).toContain('SELECT username AS user, password FROM');
    expect(sql).toContain('AS quota_storage_size');
  });

  it('never treats a stored hash without a scheme as a cleartext password', () => {
    expect(sql).toContain('default_password_scheme = BLF-CRYPT\n');
  });
});
