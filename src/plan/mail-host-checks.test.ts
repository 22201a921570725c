/**
 * Every component's own configuration check, the one apply runs before anything goes live,
 * on the whole rendered mail host in the checker root (see test/support/debian13-root.ts):
 * each accepts what we render without a warning, and refuses a broken file (a check that
 * passed everything would show here). Postfix, Dovecot, nftables and wg-quick have their
 * own, longer tests next to their renderers. Skipped where there is no checker root.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../test/support/debian13-root.js';
import { resolveSecretRefs } from '../render/host-context.js';
import { SOGO_LOG_FILE } from '../render/sogo/index.js';
import { testHostContext } from '../render/test-host-context.js';
import type { RenderedFile } from '../render/types.js';
import { mailHostDesiredState } from './mail-host.js';

const root = debian13Root(
  'usr/sbin/postfix',
  'usr/bin/doveconf',
  'usr/bin/rspamadm',
  'usr/sbin/nginx',
  'usr/sbin/sshd',
  'usr/bin/fail2ban-client',
  'usr/lib/postgresql/17/bin/postgres',
  'usr/bin/plparse',
  'usr/bin/memcached',
  'usr/bin/pgbackrest',
  'usr/bin/restic',
  'usr/sbin/unbound-checkconf',
);

// With ACME, so that certbot's deploy hook is rendered (and checked) too.
const ctx = testHostContext({
  tls: {
    ...testHostContext().tls,
    acme: { directoryUrl: 'https://acme.example.org/dir', email: 'postmaster@example.com' },
  },
});
const desired = mailHostDesiredState(ctx, []);

/** What apply has made by the time it checks: users, directories, the certificate, SOGo's log (and mailctl, installed before). */
const SETUP = [
  ...desired.users.map(
    (u) =>
      `groupadd -g ${u.gid} ${u.group} && useradd -u ${u.uid} -g ${u.group} -M -d ${u.home} -s /usr/sbin/nologin ${u.name}`,
  ),
  ...desired.directories.map(
    (d) =>
      `mkdir -p ${d.path} && chown ${d.owner}:${d.group} ${d.path} && chmod ${d.mode.toString(8)} ${d.path}`,
  ),
  // apply makes an RSA one; only that a matching pair is there matters to the checks, and
  // an EC key is made in milliseconds.
  `mkdir -p $(dirname ${ctx.tls.certFile}) $(dirname ${ctx.tls.keyFile})`,
  `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=${ctx.fqdn} -keyout ${ctx.tls.keyFile} -out ${ctx.tls.certFile} 2>/dev/null`,
  `mkdir -p $(dirname ${SOGO_LOG_FILE}) && : > ${SOGO_LOG_FILE}`,
  // mailctl itself, where cloud-init, the playbook and the lab install it: the backup
  // units run `mailctl backup sogo-dump`, and systemd-analyze verify wants it there.
  'install -D -m 0755 /dev/null /usr/local/bin/mailctl',
].join('\n');

function check(name: string, edit: (f: RenderedFile) => RenderedFile = (f) => f) {
  const component = desired.components.find((c) => c.name === name);
  const files = desired.files.map((f) =>
    edit({ ...f, content: resolveSecretRefs(f.content, () => 'S3cret-from-host') }),
  );
  return runInDebian13Root(root ?? '', files, component?.check ?? ['false'], SETUP);
}

const appendTo = (path: string, text: string) => (f: RenderedFile) =>
  f.path === path ? { ...f, content: `${f.content}${text}` } : f;

describe.skipIf(!root)("each component's own check on the whole rendered host", () => {
  const checked = desired.components.filter((c) => c.check?.length).map((c) => c.name);

  it.each(checked)('%s: accepts the rendered files without a warning', (name) => {
    const r = check(name);
    const warnings = r.stderr.split('\n').filter(
      (l) =>
        l &&
        // perl -c says so on stderr when the file compiles.
        !(name === 'needrestart' && / syntax OK$/.test(l)),
    );
    expect(warnings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it.each([
    ['rspamd', '/etc/rspamd/local.d/actions.conf', 'reject = {;\n', 'ucl parser error'],
    // A warning, on which rspamadm configtest itself exits 0.
    [
      'rspamd',
      '/etc/rspamd/local.d/actions.conf',
      'rejectt = 15;\n',
      'unknown element in actions section: rejectt',
    ],
    [
      'nginx',
      '/etc/nginx/mailctl/vpn.d/rspamd.conf',
      'location /x { proxy_pas http://127.0.0.1:1; }\n',
      'unknown directive "proxy_pas"',
    ],
    [
      'ssh',
      '/etc/ssh/sshd_config.d/mailctl.conf',
      'PasswordAuthenticaton no\n',
      'Bad configuration option: PasswordAuthenticaton',
    ],
    [
      'fail2ban',
      '/etc/fail2ban/jail.local',
      '[mailctl-test]\nenabled = true\nfilter = no-such-filter\n',
      "Unable to read the filter 'no-such-filter'",
    ],
    [
      'postgres',
      '/etc/postgresql/17/main/conf.d/mailctl.conf',
      'wal_levle = replica\n',
      'unrecognized configuration parameter "wal_levle"',
    ],
    ['sogo', '/etc/sogo/sogo.conf', '}\n', 'Parse failed'],
    [
      'unbound',
      '/etc/unbound/unbound.conf.d/mailctl.conf',
      '    interfase: ::1\n',
      "unknown keyword 'interfase'",
    ],
    [
      'memcached',
      '/etc/memcached.conf',
      '--no-such-option\n',
      "unrecognized option '--no-such-option'",
    ],
    [
      'certbot',
      '/etc/letsencrypt/renewal-hooks/deploy/mailctl-install-certificate',
      'if then\n',
      'Syntax error',
    ],
    [
      'unattended-upgrades',
      '/etc/apt/apt.conf.d/52mailctl-unattended-upgrades',
      'Unattended-Upgrade::Mail "root"\n',
      'Syntax error',
    ],
    [
      'kernel-modules',
      '/etc/modprobe.d/mailctl-blacklist.conf',
      'blacklisst usb_storage\n',
      "ignoring bad line starting with 'blacklisst'",
    ],
    [
      'backup',
      '/etc/systemd/system/mailctl-backup-files.service',
      'ExecStrat=/usr/bin/restic check\n',
      "Unknown key 'ExecStrat' in section [Service]",
    ],
    [
      'sysctl',
      '/etc/sysctl.d/90-mailctl-hardening.conf',
      'net.ipv4.tcp_no_such_key = 1\n',
      'unknown sysctl net.ipv4.tcp_no_such_key',
    ],
    [
      'self-healing',
      '/etc/systemd/system/dovecot.service.d/mailctl-restart.conf',
      'Restart=sometimes\n',
      'Failed to parse Restart=sometimes',
    ],
    ['health', '/etc/logrotate.d/mailctl-health', 'rotate seven\n', 'error'],
    ['monitoring-exporters', '/etc/logrotate.d/mailctl-postfix-log', 'rotate two\n', 'error'],
    ['debsums', '/etc/default/debsums', 'if then\n', 'Syntax error'],
    ['idle-shell', '/etc/profile.d/mailctl-idle-logout.sh', 'if then\n', 'Syntax error'],
    ['needrestart', '/etc/needrestart/conf.d/mailctl.conf', '$nrconf{x = ;\n', 'syntax error'],
    ['login-defs', '/etc/login.defs', 'NO_SUCH_ITEM 1\n', "unknown item 'NO_SUCH_ITEM'"],
    [
      'pwquality',
      '/etc/security/pwquality.conf.d/mailctl.conf',
      'minlen = x\n',
      'Bad integer value of setting',
    ],
  ])('%s: refuses a broken %s', (name, path, text, message) => {
    const r = check(name, appendTo(path, text));
    expect(r.stderr).toContain(message);
    expect(r.status).not.toBe(0);
  });
});
