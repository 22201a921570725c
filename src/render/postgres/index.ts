import { POSTGRES_METRICS_ROLE } from '../monitoring/postgres-exporter.js';
import { PGBACKREST_ARCHIVE_COMMAND } from '../backup/index.js';
import { secretRef, type MailHostContext } from '../host-context.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';
import { tuningFor } from '../tuning.js';

const CONF_DIR = '/etc/postgresql/17/main';

/** Container mode: the superuser's password, made on the host, handed to the image as a file. */
export const POSTGRES_SUPERUSER_SECRET = 'postgres-superuser-password';
/** Container mode: how mailctl itself reaches the database (libpq service and password files). */
export const PG_SERVICE_FILE = '/etc/mailctl/pg_service.conf';
export const PG_PASS_FILE = '/etc/mailctl/pgpass';
export const PG_SERVICE_NAME = 'mailctl';
/** Container mode: the SCRAM password mailctl logs in with as role mailctl_admin. */
export const POSTGRES_ADMIN_SECRET = 'postgres-mailctl-admin-password';
/** Native mode: the pg_ident.conf map through which root logs in by peer authentication. */
export const PG_IDENT_MAP = 'mailctl';
const CONTAINER_UNIT = 'mailctl-postgres.service';
/** Container mode's image unless the cluster file names another (postgres.image). */
export const POSTGRES_IMAGE = 'docker.io/library/postgres:17-alpine';
/** The postgres user's uid and gid inside postgres:17-alpine, which own its data and WAL archive. */
export const ALPINE_POSTGRES_ID = '70';

/**
 * PostgreSQL 17. Native mode keeps Debian's cluster (17/main, data in
 * /var/lib/postgresql/17/main) and adds a conf.d drop-in and our pg_hba.conf; container
 * mode (postgres:17-alpine, data in ctx.postgres.dataDir) is rendered as a systemd unit.
 */
export function renderPostgres(ctx: MailHostContext): RenderedFile[] {
  return ctx.postgres.mode === 'native' ? renderNative(ctx) : renderContainer(ctx);
}

/** Memory settings from hosts[].size (src/render/tuning.ts); both modes take the same. */
export function postgresMemorySettings(
  ctx: Pick<MailHostContext, 'size'>,
): [name: string, value: string][] {
  const t = tuningFor(ctx.size).postgres;
  return [
    ['shared_buffers', `${t.sharedBuffersMiB}MB`],
    ['effective_cache_size', `${t.effectiveCacheSizeMiB}MB`],
    ['work_mem', `${t.workMemMiB}MB`],
    ['maintenance_work_mem', `${t.maintenanceWorkMemMiB}MB`],
  ];
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
    // Point-in-time recovery: pgBackRest archives every finished WAL segment into its
    // repository (checksummed, compressed, encrypted, synced to disk), and a failed push is
    // retried by PostgreSQL and counted in pg_stat_archiver.
    'wal_level = replica',
    'archive_mode = on',
    `archive_command = '${PGBACKREST_ARCHIVE_COMMAND}'`,
    'archive_timeout = 300',
    ...postgresMemorySettings(ctx).map(([name, value]) => `${name} = '${value}'`),
    'log_connections = on',
    'log_disconnections = off',
    "log_line_prefix = '%m [%p] %q%u@%d from %h '",
    '',
  ].join('\n');
  const hba = [
    generatedHeader(),
    '# TYPE  DATABASE  USER  ADDRESS  METHOD',
    // Local daemons log in as their OS user by peer authentication: no passwords to keep.
    // mailctl runs as root and logs in through the ${PG_IDENT_MAP} map (pg_ident.conf): as
    // mailctl_admin for accounts, as postgres to create the database and migrate it.
    `local   all       postgres                    peer map=${PG_IDENT_MAP}`,
    `local   ${pg.database}  mailctl_admin  peer map=${PG_IDENT_MAP}`,
    `local   ${pg.database}  postfix,dovecot,sogo  peer`,
    'local   all       _rspamd                     reject',
    // The metrics exporter (render/monitoring) with its own password, to the statistics
    // views pg_monitor grants.
    ...(ctx.monitoring.exporters
      ? [`local   postgres  ${POSTGRES_METRICS_ROLE}  scram-sha-256`]
      : []),
    // Over the VPN only the administrator role, only with SCRAM.
    `host    ${pg.database}  mailctl_admin  ${ctx.vpnSubnet}  scram-sha-256`,
    'host    all       all   0.0.0.0/0             reject',
    'host    all       all   ::/0                  reject',
    '',
  ].join('\n');
  // The map names each OS user that may log in as a role; a pair not listed is refused.
  const ident = [
    generatedHeader(),
    '# MAPNAME  SYSTEM-USERNAME  PG-USERNAME',
    `${PG_IDENT_MAP}  postgres  postgres`,
    `${PG_IDENT_MAP}  root      postgres`,
    `${PG_IDENT_MAP}  root      mailctl_admin`,
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
    file(`${CONF_DIR}/pg_ident.conf`, ident, 0o640),
  ];
}

/**
 * Native mode: pg_createcluster writes the cluster's files world-readable; those only
 * PostgreSQL's own tools read (pg_ctl.conf, start.conf) become 0640. postgresql.conf and
 * conf.d/mailctl.conf stay readable: Debian's pg_wrapper reads them to find the cluster's
 * data directory, socket and port whenever any user runs psql, and they hold no secret.
 * pg_hba.conf and pg_ident.conf are rendered 0640.
 */
export const POSTGRES_NATIVE_PERMISSIONS: readonly {
  path: string;
  owner: string;
  group: string;
  mode: number;
}[] = ['pg_ctl.conf', 'start.conf'].map((name) => ({
  path: `${CONF_DIR}/${name}`,
  owner: 'postgres',
  group: 'postgres',
  mode: 0o640,
}));

function renderContainer(ctx: MailHostContext): RenderedFile[] {
  const pg = ctx.postgres;
  const image = pg.image ?? POSTGRES_IMAGE;
  const unit = [
    generatedHeader(),
    '[Unit]',
    `Description=PostgreSQL 17 for mailctl (${image})`,
    'After=network-online.target wg-quick@wg0.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'ExecStartPre=-/usr/bin/podman rm -f mailctl-postgres',
    // The host's network, PostgreSQL listening on the VPN address only (listen_addresses):
    // the daemons on the host reach it there too, which a port published through podman's
    // NAT did not (the DNAT of the host's own connections to its VPN address timed out in
    // the lab). --cgroups=disabled keeps the container's processes in this unit's cgroup,
    // so systemd supervises and stops them as its own (and crun needs no delegated
    // controller, which the lab's cgroup2 has none of). The superuser's password comes from
    // a file that apply keeps in /etc/mailctl/secrets. --log-driver=none: the server's
    // output reaches this unit's journal once, through podman's own stdout (podman's
    // journald driver would log each line a second time).
    `ExecStart=/usr/bin/podman run --rm --name mailctl-postgres --network host --cgroups=disabled --log-driver=none ` +
      `-v ${pg.dataDir}:/var/lib/postgresql/data -v ${pg.walArchiveDir}:/wal_archive ` +
      `-v /etc/mailctl/secrets/${POSTGRES_SUPERUSER_SECRET}:/run/secrets/pw:ro -e POSTGRES_PASSWORD_FILE=/run/secrets/pw ` +
      `-e POSTGRES_DB=${pg.database} ${image} ` +
      // %% because systemd expands %f and %p itself; PostgreSQL must receive them as written.
      `-c listen_addresses=${ctx.vpnAddress} -c port=${pg.port} ` +
      '-c archive_mode=on -c "archive_command=test ! -f /wal_archive/%%f && cp %%p /wal_archive/%%f" -c password_encryption=scram-sha-256 ' +
      // Each login and how it authenticated, in this unit's journal, as native mode logs it.
      '-c log_connections=on ' +
      postgresMemorySettings(ctx)
        .map(([name, value]) => `-c ${name}=${value}`)
        .join(' '),
    'ExecStop=/usr/bin/podman stop -t 30 mailctl-postgres',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  // There is no local socket across the container boundary: mailctl logs in over the VPN
  // address with SCRAM, as the superuser for the database and its migrations and as
  // mailctl_admin for accounts (src/db reads both passwords from their secrets). The
  // passfile names both for an administrator's own psql (`psql service=mailctl`), and its
  // tokens are what make apply generate the two secrets.
  const service = [
    generatedHeader(),
    `[${PG_SERVICE_NAME}]`,
    `host=${ctx.vpnAddress}`,
    `port=${pg.port}`,
    `dbname=${pg.database}`,
    'user=postgres',
    `passfile=${PG_PASS_FILE}`,
    '',
  ].join('\n');
  const pass = [
    `${ctx.vpnAddress}:${pg.port}:*:postgres:${secretRef(POSTGRES_SUPERUSER_SECRET)}`,
    `${ctx.vpnAddress}:${pg.port}:${pg.database}:mailctl_admin:${secretRef(POSTGRES_ADMIN_SECRET)}`,
    '',
  ].join('\n');
  const root = (path: string, content: string, mode: number) =>
    rootFile('postgres', path, content, mode);
  return [
    root(`/etc/systemd/system/${CONTAINER_UNIT}`, unit, 0o644),
    root(PG_SERVICE_FILE, service, 0o644),
    root(PG_PASS_FILE, pass, 0o600),
  ];
}

/**
 * postgres -C parses the whole configuration (postgresql.conf, conf.d, pg_hba.conf is read
 * at start only) and exits non-zero on a bad setting without touching the running server.
 */
export const postgresNativeComponent: ComponentDescriptor = {
  name: 'postgres',
  packages: ['postgresql-17', 'postgresql-client-17'],
  units: ['postgresql@17-main.service'],
  // listen_addresses, archive_mode and shared_buffers only change on restart; a restart of PostgreSQL is
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

/**
 * Container mode: podman runs the image; Debian's client is for an administrator's psql. There is
 * no server binary on the host to parse a configuration with, so the check is systemd's own
 * verification of the unit (syntax, and that podman is there to run).
 */
export function postgresComponentFor(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
): ComponentDescriptor {
  if (ctx.postgres.mode === 'native') return postgresNativeComponent;
  return {
    name: 'postgres',
    packages: ['podman', 'postgresql-client-17'],
    units: [CONTAINER_UNIT],
    onChange: 'restart',
    readyPorts: [`${ctx.vpnAddress}:${ctx.postgres.port}`],
    check: ['systemd-analyze', 'verify', `/etc/systemd/system/${CONTAINER_UNIT}`],
  };
}
