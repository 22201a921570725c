import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderPostgres } from './index.js';

describe('renderPostgres', () => {
  it('native: listens on loopback and the VPN address only, archives WAL without overwriting', () => {
    const files = renderPostgres(testHostContext());
    const conf = files.find((f) => f.path.endsWith('conf.d/mailctl.conf'))?.content ?? '';
    expect(conf).toContain("listen_addresses = 'localhost, 10.100.0.1'");
    expect(conf).not.toContain('192.0.2.10');
    expect(conf).toContain(
      "archive_command = 'test ! -f /opt/postgres/wal_archive/%f && cp %p /opt/postgres/wal_archive/%f'",
    );
    expect(files.map((f) => f.path)).toMatchFileSnapshot('./golden/native-paths.json');
  });

  it('native: peer auth locally, SCRAM for the admin role from the VPN, everything else rejected', () => {
    const hba =
      renderPostgres(testHostContext()).find((f) => f.path.endsWith('pg_hba.conf'))?.content ?? '';
    expect(hba).toMatch(/^local\s+mailctl\s+postfix,dovecot,mailctl_admin,sogo\s+peer$/m);
    expect(hba).toMatch(/^host\s+mailctl\s+mailctl_admin\s+10\.100\.0\.0\/24\s+scram-sha-256$/m);
    expect(hba).toMatch(/^host\s+all\s+all\s+0\.0\.0\.0\/0\s+reject$/m);
    expect(hba).not.toMatch(/\btrust\b|\bmd5\b/);
  });

  it('container: publishes 5432 on the VPN address only, data and WAL on the planned paths', () => {
    const ctx = testHostContext();
    const [unit] = renderPostgres({ ...ctx, postgres: { ...ctx.postgres, mode: 'container' } });
    expect(unit?.path).toBe('/etc/systemd/system/mailctl-postgres.service');
    expect(unit?.content).toContain('-p 10.100.0.1:5432:5432');
    expect(unit?.content).toContain('-v /opt/postgres/data:/var/lib/postgresql/data');
    expect(unit?.content).toContain('-v /opt/postgres/wal_archive:/wal_archive');
    expect(unit?.content).toContain('postgres:17-alpine');
    expect(unit?.content).not.toMatch(/POSTGRES_PASSWORD=/);
  });
});
