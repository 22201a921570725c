import type { MailHostContext } from '../host-context.js';
import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

const CONF_DIR = '/etc/postgresql/17/main';

/**
 * PostgreSQL 17. Native mode keeps Debian's cluster (17/main, data in
 * /var/lib/postgresql/17/main) and adds a conf.d drop-in and our pg_hba.conf; container
 * mode (postgres:17-alpine, data in ctx.postgres.dataDir) is rendered as a systemd unit.
 */
export function renderPostgres(ctx: MailHostContext): RenderedFile[] {
  return ctx.postgres.mode === 'native' ? renderNative(ctx) : renderContainer(ctx);
}

function renderNative(ctx: MailHostContext): RenderedFile[] {
  const pg = ctx.postgres;
  const conf = [
    generatedHeader(),
    // The local socket for the daemons on this host, the VPN address for administrators;
    // never a public address.
    `listen_addresses = 'localhost, ${ctx.vpnAddress}'`,
    `port = ${pg.port}`,
    "password_encryption = 'scram-sha-256'",
    // Point-in-time recovery for backups: every finished WAL segment is archived, and the
    // command refuses to overwrite a segment already there.
    'wal_level = replica',
    'archive_mode = on',
    `archive_command = 'test ! -f ${pg.walArchiveDir}/%f && cp %p ${pg.walArchiveDir}/%f'`,
    'archive_timeout = 300',
    'log_connections = on',
    'log_disconnections = off',
    "log_line_prefix = '%m [%p] %q%u@%d from %h '",
    '',
  ].join('\n');
  const hba = [
    generatedHeader(),
    '# TYPE  DATABASE  USER  ADDRESS  METHOD',
    // Local daemons log in as their OS user by peer authentication: no passwords to keep.
    'local   all       postgres                    peer',
    `local   ${pg.database}  postfix,dovecot,mailctl_admin,sogo  peer`,
    'local   all       _rspamd                     reject',
    // Over the VPN only the administrator role, only with SCRAM.
    `host    ${pg.database}  mailctl_admin  ${ctx.vpnSubnet}  scram-sha-256`,
    'host    all       all   0.0.0.0/0             reject',
    'host    all       all   ::/0                  reject',
    '',
  ].join('\n');
  const file = (path: string, content: string, mode: number): RenderedFile => ({
    path,
    content,
    mode,
    owner: 'postgres',
    group: 'postgres',
    component: 'postgres',
  });
  return [
    file(`${CONF_DIR}/conf.d/mailctl.conf`, conf, 0o644),
    file(`${CONF_DIR}/pg_hba.conf`, hba, 0o640),
  ];
}

function renderContainer(ctx: MailHostContext): RenderedFile[] {
  const pg = ctx.postgres;
  const unit = [
    generatedHeader(),
    '[Unit]',
    'Description=PostgreSQL 17 for mailctl (postgres:17-alpine)',
    'After=network-online.target wg-quick@wg0.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'ExecStartPre=-/usr/bin/podman rm -f mailctl-postgres',
    // Published on the VPN address only; the superuser's password comes from a file that
    // apply keeps in /etc/mailctl/secrets.
    `ExecStart=/usr/bin/podman run --rm --name mailctl-postgres -p ${ctx.vpnAddress}:${pg.port}:5432 ` +
      `-v ${pg.dataDir}:/var/lib/postgresql/data -v ${pg.walArchiveDir}:/wal_archive ` +
      '-v /etc/mailctl/secrets/postgres-superuser-password:/run/secrets/pw:ro -e POSTGRES_PASSWORD_FILE=/run/secrets/pw ' +
      `-e POSTGRES_DB=${pg.database} docker.io/library/postgres:17-alpine ` +
      '-c archive_mode=on -c "archive_command=test ! -f /wal_archive/%f && cp %p /wal_archive/%f" -c password_encryption=scram-sha-256',
    'ExecStop=/usr/bin/podman stop -t 30 mailctl-postgres',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return [
    {
      path: '/etc/systemd/system/mailctl-postgres.service',
      content: unit,
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'postgres',
    },
  ];
}

/**
 * postgres -C parses the whole configuration (postgresql.conf, conf.d, pg_hba.conf is read
 * at start only) and exits non-zero on a bad setting without touching the running server.
 */
export const postgresComponent: ComponentDescriptor = {
  name: 'postgres',
  packages: ['postgresql-17', 'postgresql-client-17'],
  units: ['postgresql@17-main.service'],
  // listen_addresses and archive_mode only change on restart; a restart of PostgreSQL is
  // brief, and the daemons reconnect on their next lookup.
  onChange: 'restart',
  readyPorts: ['127.0.0.1:5432'],
  check: [
    'runuser',
    '-u',
    'postgres',
    '--',
    '/usr/lib/postgresql/17/bin/postgres',
    '-C',
    'listen_addresses',
    '-D',
    '/var/lib/postgresql/17/main',
    '-c',
    'config_file=/etc/postgresql/17/main/postgresql.conf',
  ],
};
