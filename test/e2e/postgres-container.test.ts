import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labHost, labSh, mailctl, uniqueTag } from './support/cli.js';
import { imapFetchAll, smtpFromInternet, testMessage } from './support/mail.js';
import { PUBLIC, VPN } from './support/lab-world.js';

// Issue 13: postgres.mode: container, end to end, on a lab of its own (the shared lab holds
// the quick start's native database). The quick start's cluster file with PostgreSQL 17 in
// a container, from the image `lab up` builds offline (buildah, Debian 13's postgresql-17).
// MAILCTL_E2E_LAB=<name> runs these against a lab that is already up so (and leaves it up).
const REUSE = process.env.MAILCTL_E2E_LAB;
const LAB = REUSE ?? 'e2epgct';
const IMAGE = 'localhost/mailctl/postgres:17';
const UNIT = 'mailctl-postgres.service';
const DATA = '/opt/postgres/data';
const USER = { user: 'pgct@example.com', pass: 'correct horse battery staple 13' };
const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../examples/cluster.yaml'), 'utf8');
/** The quick start's cluster file with its postgres.mode set (and the lab's image named). */
const clusterIn = (mode: 'native' | 'container') =>
  EXAMPLE.replace(
    /^ {2}mode: native$/m,
    mode === 'native' ? '  mode: native' : `  mode: container\n  image: ${IMAGE}`,
  );

const { run: onHost } = labHost(LAB);
const hostSh = (script: string, timeoutMs?: number) => labSh(LAB, 'host', script, timeoutMs);
/** The PID, on the lab host, of the container's postgres (the postmaster), or 0. */
const postmasterPid = () =>
  Number(onHost(['podman', 'inspect', '--format', '{{.State.Pid}}', 'mailctl-postgres']).stdout);
/** A query as the superuser, over the VPN address with SCRAM (mailctl's own libpq service). */
const sql = (query: string) =>
  onHost([
    'env',
    'PGSERVICEFILE=/etc/mailctl/pg_service.conf',
    'psql',
    'service=mailctl',
    '-AtXc',
    query,
  ]);

/**
 * Sends a message from the internet to USER as an MTA would, again while the MX defers
 * (bounded: 120 s), and polls (bounded: 20 s) until IMAP shows it. Right after PostgreSQL
 * comes back, Postfix's proxymap may still hold a dead connection and defer (451) until
 * its pgsql client reconnects; it must never refuse (5xx).
 */
function deliverAndRead(marker: string): string | undefined {
  const data = testMessage('someone@example.org', USER.user, marker);
  for (let i = 0; i < 60; i++) {
    const sent = smtpFromInternet(LAB, USER.user, data);
    if (sent.codes.end === 250) return readBack(marker);
    const replies = JSON.stringify(sent.result.replies);
    expect(replies).not.toMatch(/"5\d\d /);
    expect(replies).toMatch(/"4\d\d /);
    hostSh('sleep 2');
  }
  return undefined;
}
function readBack(marker: string): string | undefined {
  for (let i = 0; i < 40; i++) {
    const found = imapFetchAll(LAB, 'vpn', VPN, USER.user, USER.pass).messages.find((m) =>
      m.includes(marker),
    );
    if (found) return found;
    hostSh('sleep 0.5');
  }
  return undefined;
}
/** An IMAP login from the VPN, tried again (bounded: 20 s) while Dovecot reports a temporary failure. */
function imapLogin(): boolean {
  for (let i = 0; i < 10; i++) {
    const r = imapFetchAll(LAB, 'vpn', VPN, USER.user, USER.pass);
    if (r.loginOk) return true;
    expect(r.result.replies[0]).toMatch(/UNAVAILABLE|Temporary/i);
    hostSh('sleep 2');
  }
  return false;
}

/** Polls (bounded) until PostgreSQL answers a SCRAM login over the VPN address again. */
function waitForDatabase(timeoutS: number): boolean {
  const poll =
    `for i in $(seq ${timeoutS * 2}); do ` +
    'PGSERVICEFILE=/etc/mailctl/pg_service.conf psql service=mailctl -AtXc "SELECT 1" >/dev/null 2>&1 && exit 0; ' +
    'sleep 0.5; done; exit 1';
  return hostSh(poll, (timeoutS + 10) * 1000).code === 0;
}

let clusterDir = '';

beforeAll(() => {
  if (!REUSE) {
    clusterDir = mkdtempSync(join(tmpdir(), 'mailctl-pgct-'));
    const file = join(clusterDir, 'cluster.yaml');
    writeFileSync(file, clusterIn('container'));
    const up = mailctl(['lab', 'up', '--name', LAB, '--cluster', file], {
      timeoutMs: 1_800_000,
    });
    expect(up.code, up.stderr).toBe(0);
  }
  onHost(['mailctl', 'mailbox', 'remove', USER.user]);
  const add = onHost(
    ['mailctl', 'mailbox', 'add', USER.user, '--password-stdin'],
    `${USER.pass}\n`,
  );
  expect(add.code, add.stderr).toBe(0);
}, 1_900_000);

afterAll(() => {
  if (REUSE) onHost(['mailctl', 'mailbox', 'remove', USER.user]);
  else mailctl(['lab', 'down', '--name', LAB]);
  if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
});

describe('PostgreSQL in a container (postgres.mode: container) on a lab host', () => {
  it('runs the image lab up built offline, from podman vfs storage, as a unit of systemd', () => {
    expect(onHost(['podman', 'image', 'exists', IMAGE]).code).toBe(0);
    // overlay does not stack on the lab root's overlayfs: the build configures vfs.
    expect(onHost(['podman', 'info', '--format', '{{.Store.GraphDriverName}}']).stdout.trim()).toBe(
      'vfs',
    );
    expect(onHost(['systemctl', 'is-active', UNIT]).stdout.trim()).toBe('active');
    expect(onHost(['podman', 'ps', '--format', '{{.Image}}']).stdout).toContain(IMAGE);
    expect(sql('SHOW server_version').stdout).toMatch(/^17\.\d+ \(Debian 17/);
    expect(sql('SHOW data_directory').stdout.trim()).toBe('/var/lib/postgresql/data');
    expect(onHost(['stat', '-c', '%u:%g %a', DATA]).stdout.trim()).toBe('70:70 700');
    expect(onHost(['test', '-s', `${DATA}/PG_VERSION`]).code).toBe(0);
  });

  it('mailctl lab image postgres builds it again, offline, while the old one serves', () => {
    const before = onHost(['podman', 'image', 'inspect', '--format', '{{.Id}}', IMAGE]).stdout;
    const r = mailctl(['lab', 'image', 'postgres', '--name', LAB], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^localhost\/mailctl\/postgres:17 [0-9a-f]{12} \d+ MB\n$/);
    // A new image under the same tag (buildah stamps the time); the container keeps its own.
    expect(onHost(['podman', 'image', 'inspect', '--format', '{{.Id}}', IMAGE]).stdout).not.toBe(
      before,
    );
    expect(sql('SELECT 1').stdout.trim()).toBe('1');
  });

  it('listens on the VPN address only: refused on the public address and from the internet', () => {
    const listening = onHost(['ss', '-Hltn', 'sport = :5432']).stdout.trim().split('\n');
    expect(listening.map((l) => l.split(/\s+/)[3])).toEqual([`${VPN}:5432`]);
    const connect = (ns: 'host' | 'internet' | 'vpn', addr: string) =>
      labSh(LAB, ns, `timeout 5 bash -c 'exec 3<>/dev/tcp/${addr}/5432' 2>&1; echo "exit $?"`)
        .stdout;
    expect(connect('vpn', VPN)).toMatch(/exit 0$/m);
    expect(connect('host', PUBLIC)).toMatch(/Connection refused[\s\S]*exit 1$/m);
    // From the internet the firewall drops it (no answer) or refuses it; it never connects.
    expect(connect('internet', PUBLIC)).not.toMatch(/exit 0$/m);
    expect(connect('internet', VPN)).not.toMatch(/exit 0$/m);
  });

  it('the daemons log in with SCRAM, each with its own password', () => {
    const roles = sql(
      "SELECT rolname || ' ' || left(rolpassword, 13) FROM pg_authid " +
        "WHERE rolname IN ('postfix', 'dovecot', 'sogo', 'mailctl_admin') ORDER BY 1",
    ).stdout.trim();
    expect(roles.split('\n')).toEqual([
      'dovecot SCRAM-SHA-256',
      'mailctl_admin SCRAM-SHA-256',
      'postfix SCRAM-SHA-256',
      'sogo SCRAM-SHA-256',
    ]);
    // A delivery makes Postfix and Dovecot look the user up. They keep their connections
    // open: how each logged in is in the unit's journal (log_connections) since it began.
    expect(imapLogin()).toBe(true);
    expect(deliverAndRead(uniqueTag('pgct'))).toBeDefined();
    const log = hostSh(`journalctl -u ${UNIT} --no-pager -o cat`).stdout;
    for (const role of ['dovecot', 'postfix', 'sogo', 'mailctl_admin'])
      expect(log).toMatch(
        new RegExp(`connection authenticated: identity="${role}" method=scram-sha-256 `),
      );
    expect(log).not.toMatch(/method=(trust|password|md5|peer)/);
    // A wrong password is refused, and nothing logs in without one.
    const wrong = hostSh(
      `PGPASSWORD=wrong psql -h ${VPN} -U dovecot -d mailctl -AtXc 'SELECT 1' -w 2>&1`,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/password authentication failed for user "dovecot"/);
  });

  it('mail sent over SMTP from the internet is read back over IMAP from the VPN', () => {
    expect(deliverAndRead(uniqueTag('pgct'))).toBeDefined();
  });

  it('the data survives a restart of the container, which podman makes anew', () => {
    const before = uniqueTag('pgct');
    expect(deliverAndRead(before)).toBeDefined();
    const oldId = onHost(['podman', 'inspect', '--format', '{{.Id}}', 'mailctl-postgres']).stdout;
    const r = onHost(['systemctl', 'restart', UNIT]);
    expect(r.code, r.stderr).toBe(0);
    expect(waitForDatabase(60)).toBe(true);
    expect(
      onHost(['podman', 'inspect', '--format', '{{.Id}}', 'mailctl-postgres']).stdout,
    ).not.toBe(oldId);
    // The mailbox (a row) and its mail are still there, and new mail flows.
    expect(readBack(before)).toBeDefined();
    expect(deliverAndRead(uniqueTag('pgct'))).toBeDefined();
  });

  it('a kill -9 of the container’s postgres comes back by itself', () => {
    const pid = postmasterPid();
    expect(pid).toBeGreaterThan(1);
    expect(onHost(['kill', '-9', String(pid)]).code).toBe(0);
    // Restart=on-failure: podman run exits 137, systemd starts it again, and PostgreSQL
    // recovers from its WAL.
    expect(waitForDatabase(90)).toBe(true);
    expect(postmasterPid()).not.toBe(pid);
    expect(onHost(['systemctl', 'is-active', UNIT]).stdout.trim()).toBe('active');
    expect(deliverAndRead(uniqueTag('pgct'))).toBeDefined();
  });

  it('refuses to switch postgres.mode to native on a host whose data is in the container', () => {
    onHost(['sh', '-c', 'cat > /tmp/pgct-native.yaml'], clusterIn('native'));
    for (const cmd of ['plan', 'apply']) {
      const r = onHost(['mailctl', cmd, '--cluster', '/tmp/pgct-native.yaml']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^mailctl: E_POSTGRES_MODE_SWITCH: postgres\.mode is native, but this host's database is the container mode's \(\/opt\/postgres\/data\).*set postgres\.mode back to container, or move the data yourself/,
        ),
      ]);
    }
    // Nothing moved: no Debian cluster beside the container's, which still serves.
    const server = onHost(['dpkg-query', '-W', '-f', '${db:Status-Status}', 'postgresql-17']);
    expect(server.stdout).not.toBe('installed');
    expect(onHost(['test', '-e', '/var/lib/postgresql/17/main']).code).not.toBe(0);
    expect(onHost(['systemctl', 'is-active', UNIT]).stdout.trim()).toBe('active');
    onHost(['rm', '-f', '/tmp/pgct-native.yaml']);
    // The host's own cluster file still converges to nothing to do.
    expect(onHost(['mailctl', 'plan']).stdout).toMatch(/No changes/);
  });
  it('backs the mail database up with pg_dump in the restic snapshot, and the runbook restores it', () => {
    const backup = onHost(['mailctl', 'backup', 'run', '--json'], undefined);
    expect(backup.code, backup.stderr).toBe(0);
    const { runs } = JSON.parse(backup.stdout) as { runs: { repository: string; ok: boolean }[] };
    // No pgBackRest in container mode: restic's run, which takes the dump first.
    expect(runs.map((r) => [r.repository, r.ok])).toEqual([['files', true]]);
    const listed = onHost([
      'env',
      'RESTIC_REPOSITORY=/var/mail/backups/restic',
      'RESTIC_PASSWORD_FILE=/etc/mailctl/secrets/restic-password',
      'restic',
      'ls',
      'latest',
      '/var/lib/mailctl/postgres-dump',
    ]);
    expect(listed.stdout).toContain('/var/lib/mailctl/postgres-dump/mailctl.dump');
    // A change after the backup: the restored database must undo it.
    const passwd = onHost(
      ['mailctl', 'mailbox', 'passwd', USER.user, '--password-stdin'],
      'a password the backup never saw 13\n',
    );
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(imapFetchAll(LAB, 'vpn', VPN, USER.user, USER.pass).loginOk).toBe(false);
    // docs/backup-and-restore.md, "Container mode: the database from the dump", as written.
    const doc = readFileSync(
      resolve(import.meta.dirname, '../../docs/backup-and-restore.md'),
      'utf8',
    );
    const runbook =
      /### Container mode: the database from the dump[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(runbook).toBeDefined();
    const r = hostSh(`set -e\n${runbook ?? 'false'}`, 300_000);
    expect(r.code, r.stderr).toBe(0);
    expect(imapLogin()).toBe(true);
    expect(
      imapFetchAll(LAB, 'vpn', VPN, USER.user, 'a password the backup never saw 13').loginOk,
    ).toBe(false);
    expect(deliverAndRead(uniqueTag('pgct'))).toBeDefined();
  });
});
