import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { postgresComponentFor, renderPostgres } from './index.js';
import { mailHostDesiredState } from '../../plan/mail-host.js';
import { clusterProblems, minimalCluster } from '../../../test/support/cluster-text.js';

describe('renderPostgres', () => {
  it('native: listens on loopback and the VPN address only, archives WAL with pgBackRest', async () => {
    const files = renderPostgres(testHostContext());
    const conf = files.find((f) => f.path.endsWith('conf.d/mailctl.conf'))?.content ?? '';
    expect(conf).toContain("listen_addresses = 'localhost, 10.100.0.1'");
    expect(conf).not.toContain('192.0.2.10');
    expect(conf).toContain("archive_command = 'pgbackrest --stanza=mail archive-push %p'");
    expect(conf).not.toMatch(/\bcp\b/);
    await expect(files.map((f) => f.path)).toMatchFileSnapshot('./golden/native-paths.json');
  });

  it('takes its memory settings from hosts[].size, in both modes', () => {
    const big = testHostContext({ size: { cpus: 8, memoryBytes: 16 * 1024 ** 3 } });
    const conf = renderPostgres(big).find((f) => f.path.endsWith('conf.d/mailctl.conf'));
    expect(conf?.content).toContain("shared_buffers = '512MB'");
    expect(conf?.content).toContain("effective_cache_size = '4096MB'");
    const container = { ...big, postgres: { ...big.postgres, mode: 'container' as const } };
    const unit = renderPostgres(container).find((f) => f.path.endsWith('.service'));
    expect(unit?.content).toMatch(/ -c shared_buffers=512MB -c effective_cache_size=4096MB /);
  });

  it('native: peer auth locally, SCRAM for the admin role from the VPN, everything else rejected', () => {
    const hba =
      renderPostgres(testHostContext()).find((f) => f.path.endsWith('pg_hba.conf'))?.content ?? '';
    expect(hba).toMatch(/^local\s+mailctl\s+postfix,dovecot,sogo\s+peer$/m);
    expect(hba).toMatch(/^local\s+mailctl\s+mailctl_admin\s+peer map=mailctl$/m);
    expect(hba).toMatch(/^local\s+all\s+postgres\s+peer map=mailctl$/m);
    expect(hba).toMatch(/^host\s+mailctl\s+mailctl_admin\s+10\.100\.0\.0\/24\s+scram-sha-256$/m);
    expect(hba).toMatch(/^host\s+all\s+all\s+0\.0\.0\.0\/0\s+reject$/m);
    expect(hba).not.toMatch(/\btrust\b|\bmd5\b/);
  });

  it('native: only the files pg_wrapper must read for any user are world-readable', () => {
    const ctx = testHostContext();
    const modes = renderPostgres(ctx).map((f) => [f.path, f.owner, f.mode.toString(8)]);
    expect(modes).toEqual([
      ['/etc/postgresql/17/main/conf.d/mailctl.conf', 'postgres', '644'],
      ['/etc/postgresql/17/main/pg_hba.conf', 'postgres', '640'],
      ['/etc/postgresql/17/main/pg_ident.conf', 'postgres', '640'],
    ]);
    // pg_createcluster's own files (0644 as it makes them) get owner and mode, not content.
    const desired = mailHostDesiredState(ctx, []);
    expect(
      desired.permissions.map((p) => [p.path, `${p.owner}:${p.group}`, p.mode.toString(8)]),
    ).toEqual([
      ['/etc/postgresql/17/main/pg_ctl.conf', 'postgres:postgres', '640'],
      ['/etc/postgresql/17/main/start.conf', 'postgres:postgres', '640'],
    ]);
    expect(desired.directories).toContainEqual({
      path: '/var/lib/postgresql',
      owner: 'postgres',
      group: 'postgres',
      mode: 0o750,
    });
    const container = { ...ctx, postgres: { ...ctx.postgres, mode: 'container' as const } };
    expect(mailHostDesiredState(container, []).permissions).toEqual([]);
  });

  it('container: listens on the VPN address only, data and WAL on the planned paths', () => {
    const ctx = testHostContext();
    const [unit] = renderPostgres({ ...ctx, postgres: { ...ctx.postgres, mode: 'container' } });
    expect(unit?.path).toBe('/etc/systemd/system/mailctl-postgres.service');
    expect(unit?.content).toContain('--network host');
    expect(unit?.content).toContain(' --cgroups=disabled --log-driver=none ');
    expect(unit?.content).toContain('-c listen_addresses=10.100.0.1 -c port=5432');
    expect(unit?.content).not.toMatch(/ -p /);
    expect(unit?.content).toContain('-v /opt/postgres/data:/var/lib/postgresql/data');
    expect(unit?.content).toContain('-v /opt/postgres/wal_archive:/wal_archive');
    expect(unit?.content).toContain('postgres:17-alpine');
    expect(unit?.content).not.toMatch(/POSTGRES_PASSWORD=/);
    // systemd would expand a bare %f or %p in ExecStart= before PostgreSQL saw it.
    expect(unit?.content).toContain('test ! -f /wal_archive/%%f && cp %%p /wal_archive/%%f');
    expect(unit?.content).toContain(' -c log_connections=on ');
  });

  it('container: runs the image the cluster file names, the official one by default', () => {
    const ctx = testHostContext();
    const unitFor = (image?: string) =>
      renderPostgres({
        ...ctx,
        postgres: { ...ctx.postgres, mode: 'container', ...(image ? { image } : {}) },
      })[0]?.content ?? '';
    expect(unitFor()).toContain(' docker.io/library/postgres:17-alpine -c listen_addresses=');
    const local = unitFor('localhost/mailctl-postgres:17');
    expect(local).toContain(' localhost/mailctl-postgres:17 -c listen_addresses=');
    expect(local).not.toContain('alpine');
    const problems = (image: string) =>
      clusterProblems(minimalCluster(`postgres: { mode: container, image: '${image}' }\n`));
    expect(problems('localhost/mailctl-postgres:17')).toEqual([]);
    // It goes into ExecStart=: no word breaks, no % for systemd to expand.
    expect(problems('postgres:17 --privileged')).toEqual([
      expect.stringMatching(/^postgres\.image: must be an image reference such as /),
    ]);
    expect(problems('postgres:%H')).toHaveLength(1);
  });

  it('container: mailctl reaches it by a libpq service over the VPN, the password in a root-only passfile', () => {
    const ctx = testHostContext();
    const files = renderPostgres({ ...ctx, postgres: { ...ctx.postgres, mode: 'container' } });
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['/etc/systemd/system/mailctl-postgres.service', '644'],
      ['/etc/mailctl/pg_service.conf', '644'],
      ['/etc/mailctl/pgpass', '600'],
    ]);
    const service = files[1]?.content ?? '';
    expect(service).toContain(
      '[mailctl]\nhost=10.100.0.1\nport=5432\ndbname=mailctl\nuser=postgres\n',
    );
    expect(files[2]?.content).toBe(
      '10.100.0.1:5432:*:postgres:@@secret:postgres-superuser-password@@\n' +
        '10.100.0.1:5432:mailctl:mailctl_admin:@@secret:postgres-mailctl-admin-password@@\n',
    );
  });

  it('container: podman and the client instead of the server, owned by the image user', () => {
    const ctx = testHostContext();
    const container = { ...ctx, postgres: { ...ctx.postgres, mode: 'container' as const } };
    const desired = mailHostDesiredState(container, []);
    expect(desired.packages).toEqual(expect.arrayContaining(['podman', 'postgresql-client-17']));
    expect(desired.packages).not.toContain('postgresql-17');
    expect(
      desired.directories.filter((d) => d.path.startsWith('/opt/postgres')).map((d) => d.owner),
    ).toEqual(['70', '70']);
    expect(postgresComponentFor(ctx).packages).toContain('postgresql-17');
  });
});
