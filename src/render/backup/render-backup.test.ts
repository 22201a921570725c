import { describe, expect, it } from 'vitest';
import { mailHostDesiredState } from '../../plan/mail-host.js';
import { secretRefsIn } from '../host-context.js';
import { testHostContext } from '../test-host-context.js';
import { backupComponentFor, renderBackup } from './index.js';

const native = testHostContext();
const container = testHostContext({ postgres: { ...native.postgres, mode: 'container' } });
const acme = testHostContext({
  tls: { ...native.tls, acme: { directoryUrl: 'https://acme.example.org/dir', email: 'a@b.c' } },
});
const golden = (path: string) => `golden/${path.replace(/^\/etc\//, '').replaceAll('/', '_')}`;
const file = (ctx: typeof native, name: string) =>
  renderBackup(ctx).find((f) => f.path.endsWith(name))?.content ?? '';

describe('renderBackup', () => {
  it('renders pgBackRest and the backup units as in the golden files', async () => {
    const files = renderBackup(native);
    expect(files.map((f) => [f.path, `${f.owner}:${f.group}`, f.mode.toString(8)])).toEqual([
      ['/etc/pgbackrest/pgbackrest.conf', 'postgres:postgres', '600'],
      ['/etc/systemd/system/mailctl-backup-db-check.service', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-db-check.timer', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-db-diff.service', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-db-diff.timer', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-db-full.service', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-db-full.timer', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-failed@.service', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-files.service', 'root:root', '644'],
      ['/etc/systemd/system/mailctl-backup-files.timer', 'root:root', '644'],
    ]);
    for (const f of files) await expect(f.content).toMatchFileSnapshot(golden(f.path));
    // The component verifies exactly the units it renders and enables their timers.
    const c = backupComponentFor('native');
    expect(c.check?.slice(4)).toEqual(files.slice(1).map((f) => f.path));
    expect(c.units).toEqual(
      files.filter((f) => f.path.endsWith('.timer')).map((f) => f.path.split('/').at(-1)),
    );
    expect(c.packages).toEqual(['pgbackrest', 'restic']);
  });

  it('keeps the repositories under the backups directory, pgBackRest encrypted with a host secret', () => {
    const conf = file(native, 'pgbackrest.conf');
    expect(conf).toContain('repo1-path=/var/mail/backups/pgbackrest\n');
    expect(conf).toContain('repo1-cipher-type=aes-256-cbc\n');
    expect(secretRefsIn(conf)).toEqual(['pgbackrest-cipher-pass']);
    expect(conf).toMatch(/^\[mail\]\npg1-path=\/var\/lib\/postgresql\/17\/main$/m);
    const restic = file(native, 'mailctl-backup-files.service');
    expect(restic).toContain('Environment=RESTIC_REPOSITORY=/var/mail/backups/restic\n');
    // The password is a file; no unit carries a secret.
    expect(restic).toContain(
      'Environment=RESTIC_PASSWORD_FILE=/etc/mailctl/secrets/restic-password\n',
    );
    expect(restic).not.toMatch(/RESTIC_PASSWORD=|--password/);
    for (const f of renderBackup(native).slice(1)) expect(secretRefsIn(f.content)).toEqual([]);
  });

  it("backs up the Maildirs, configuration, secrets, history, DKIM keys, Redis (Bayes) and SOGo's per-user dumps, and the ACME account with ACME", () => {
    const line =
      file(native, 'mailctl-backup-files.service')
        .split('\n')
        .find((l) => l.startsWith('ExecStart=/usr/bin/restic backup')) ?? '';
    // /etc/letsencrypt with ACME only: restic fails on a path that is not there.
    expect(line).toMatch(
      / \/var\/mail\/vmail \/etc\/mailctl \/var\/lib\/mailctl\/history \/var\/lib\/rspamd\/dkim \/var\/lib\/redis\/dump\.rdb \/var\/lib\/mailctl\/sogo-backup$/,
    );
    // Redis's snapshot made just before (Rspamd's Bayes), its password never in argv.
    const [save, sogo] = file(native, 'mailctl-backup-files.service')
      .split('\n')
      .filter((l) => l.startsWith('ExecStartPre='));
    expect(save).toBe(
      "ExecStartPre=/bin/sh -c 'REDISCLI_AUTH=$$(cat /etc/mailctl/secrets/redis-password) exec /usr/bin/redis-cli -h 127.0.0.1 -p 6379 --no-auth-warning SAVE'",
    );
    // SOGo's per-user dumps, by mailctl with the privileges restic goes without (+).
    expect(sogo).toBe('ExecStartPre=+/usr/local/bin/mailctl backup sogo-dump');
    expect(line).toContain(' --exclude=/var/mail/vmail/**/tmp ');
    expect(line).toContain(' --host mail.example.com ');
    expect(file(acme, 'mailctl-backup-files.service')).toMatch(
      / \/var\/lib\/rspamd\/dkim \/etc\/letsencrypt \/var\/lib\/redis\/dump\.rdb \/var\/lib\/mailctl\/sogo-backup\n/,
    );
  });

  it('keeps what backup.retention says: restic forget --prune, pgBackRest repo-retention-*', () => {
    const ctx = testHostContext({ backup: { retention: { daily: 3, weekly: 2, monthly: 0 } } });
    expect(file(ctx, 'mailctl-backup-files.service')).toContain(
      'ExecStart=/usr/bin/restic forget --quiet --prune --tag mailctl --keep-daily 3 --keep-weekly 2 --keep-monthly 0\n',
    );
    const conf = file(ctx, 'pgbackrest.conf');
    expect(conf).toContain('repo1-retention-full=2\nrepo1-retention-diff=3\n');
    // The defaults are 7 daily, 4 weekly, 6 monthly.
    expect(file(native, 'mailctl-backup-files.service')).toContain(
      '--keep-daily 7 --keep-weekly 4 --keep-monthly 6\n',
    );
  });

  it('with backup.offsite: pgBackRest repo2 over SFTP and restic to sftp:, the host key checked strictly', () => {
    const offsite = {
      user: 'mailbackup',
      host: 'backup.example.org',
      port: 2222,
      path: '/repo',
      hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOUMmymwF8wBajZxfhHtjLkJVSq3zmEMwkb1oIaRxBfy',
    };
    const retention = { daily: 5, weekly: 3, monthly: 2 };
    const ctx = testHostContext({ backup: { retention, offsite } });
    const conf = file(ctx, 'pgbackrest.conf');
    for (const line of [
      'repo2-type=sftp',
      'repo2-path=/repo/pgbackrest',
      'repo2-sftp-host=backup.example.org',
      'repo2-sftp-host-port=2222',
      'repo2-sftp-host-user=mailbackup',
      'repo2-sftp-host-key-check-type=strict',
      'repo2-sftp-known-host=/etc/mailctl/offsite-known-hosts',
      'repo2-cipher-pass=@@secret:pgbackrest-cipher-pass@@',
    ])
      expect(conf).toContain(`${line}\n`);
    expect(file(ctx, 'offsite-known-hosts')).toContain(
      `[backup.example.org]:2222 ${offsite.hostKey}\n`,
    );
    const restic = file(ctx, 'mailctl-backup-offsite-files.service');
    expect(restic).toContain(
      'Environment=RESTIC_REPOSITORY=sftp:mailbackup@backup.example.org:/repo/restic\n',
    );
    expect(restic).toContain(
      'ExecStart=/usr/bin/restic -o "sftp.args=-i /etc/mailctl/secrets/offsite-ssh-key -p 2222 -o UserKnownHostsFile=/etc/mailctl/offsite-known-hosts -o StrictHostKeyChecking=yes -o BatchMode=yes',
    );
    expect(file(ctx, 'mailctl-backup-offsite-db.service')).toContain(
      'ExecStart=/usr/bin/pgbackrest --stanza=mail --repo=2 --type=diff backup\n',
    );
    // repo2's own weekly full backup, the differential ones the other days.
    expect(file(ctx, 'mailctl-backup-offsite-db-full.service')).toContain(
      'ExecStart=/usr/bin/pgbackrest --stanza=mail --repo=2 --type=full backup\n',
    );
    expect(file(ctx, 'mailctl-backup-offsite-db-full.timer')).toContain(
      'OnCalendar=Sun *-*-* 03:00\n',
    );
    expect(file(ctx, 'mailctl-backup-offsite-db.timer')).toContain(
      'OnCalendar=Mon..Sat *-*-* 03:00\n',
    );
    // The cluster file's retention in both repositories of each tool.
    expect(conf).toContain('repo2-retention-full=3\nrepo2-retention-diff=5\n');
    expect(restic).toContain('--keep-daily 5 --keep-weekly 3 --keep-monthly 2\n');
    // An unreachable repo2 does not hold the local archive back.
    expect(conf).toContain('archive-async=y\nspool-path=/var/spool/pgbackrest\n');
    // Each repository has its own unit and timer, verified and enabled like the others.
    const c = backupComponentFor('native', true);
    expect(c.units).toEqual(
      renderBackup(ctx)
        .filter((f) => f.path.endsWith('.timer'))
        .map((f) => f.path.split('/').at(-1)),
    );
    expect(c.packages).toContain('openssh-client');
    // Without it, nothing off-site.
    expect(renderBackup(native).some((f) => /offsite/.test(f.path))).toBe(false);
    expect(file(native, 'pgbackrest.conf')).not.toMatch(/repo2|archive-async/);
  });

  it('logs every failed backup unit at error level with the stable tag', () => {
    for (const f of renderBackup(native).filter(
      (f) => /\.service$/.test(f.path) && !f.path.includes('@'),
    ))
      expect(f.content).toContain('OnFailure=mailctl-backup-failed@%n.service\n');
    expect(file(native, 'mailctl-backup-failed@.service')).toContain(
      'ExecStart=/usr/bin/logger --priority daemon.err --tag mailctl-backup "backup failed: unit=%i',
    );
  });

  it('container mode: restic only (pgBackRest is not in the postgres image yet), the cp archive stays', () => {
    expect(renderBackup(container).map((f) => f.path.split('/').at(-1))).toEqual([
      'mailctl-backup-failed@.service',
      'mailctl-backup-files.service',
      'mailctl-backup-files.timer',
    ]);
    expect(backupComponentFor('container').packages).toEqual(['restic']);
  });

  it('container mode: each restic run first dumps the mail database, and the snapshot has the dump', () => {
    const unit = file(container, 'mailctl-backup-files.service');
    const dump = unit.split('\n').find((l) => l.includes('pg_dump')) ?? '';
    expect(dump).toMatch(
      /^ExecStartPre=\/bin\/sh -c 'umask 077 && PGSERVICEFILE=\/etc\/mailctl\/pg_service.conf /,
    );
    expect(dump).toContain('/usr/bin/pg_dump --dbname=service=mailctl --format=custom');
    // Renamed into place only when whole: a failed dump fails the run, the last good stays.
    expect(dump).toMatch(/--file=(\S+)\.tmp && mv \1\.tmp \1'$/);
    expect(dump).not.toMatch(/password=/i);
    // Dumped before restic reads, and what it reads includes the dump's directory.
    expect(unit.indexOf('pg_dump')).toBeLessThan(unit.indexOf('restic backup'));
    expect(unit).toMatch(/restic backup .* \/var\/lib\/mailctl\/postgres-dump( |$)/m);
    expect(file(native, 'mailctl-backup-files.service')).not.toContain('pg_dump');
    const dirs = mailHostDesiredState(container, []).directories;
    expect(dirs.find((d) => d.path === '/var/lib/mailctl/postgres-dump')).toMatchObject({
      owner: 'root',
      mode: 0o700,
    });
  });

  it('lets pgBackRest, as postgres, reach its repository and no one else read restic’s', () => {
    const dirs = mailHostDesiredState(native, []).directories;
    const find = (p: string) => dirs.find((d) => d.path === p);
    expect(find('/var/mail/backups')).toMatchObject({ owner: 'root', mode: 0o711 });
    expect(find('/var/mail/backups/pgbackrest')).toMatchObject({ owner: 'postgres', mode: 0o750 });
    expect(find('/var/mail/backups/restic')).toMatchObject({ owner: 'root', mode: 0o700 });
  });
});
