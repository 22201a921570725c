import {
  PG_IDENT_MAP,
  POSTGRES_ADMIN_SECRET,
  POSTGRES_SUPERUSER_SECRET,
} from '../render/postgres/index.js';
import type { MailHostContext } from '../render/host-context.js';

/** Debian's postgresql-17 keeps its socket here (unix_socket_directories). */
export const PG_SOCKET_DIR = '/var/run/postgresql';

/** Where the mail database is, from the cluster file's `postgres` section (pure). */
export interface DbSettings {
  mode: 'native' | 'container';
  /** A socket directory (native) or the VPN address the container publishes on. */
  host: string;
  port: number;
  database: string;
}

/**
 * Who logs in: `admin` (mailctl_admin, may only read and write the account tables) for
 * account commands, `superuser` (postgres) to create the database, migrate it and set
 * role passwords.
 */
export type DbRole = 'admin' | 'superuser';

/** One login: where, as whom, and (container mode) the secret that holds its password. */
export interface DbLogin {
  host: string;
  port: number;
  database: string;
  user: string;
  passwordSecret?: string;
}

export function dbSettingsFor(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): DbSettings {
  const pg = ctx.postgres;
  return {
    mode: pg.mode,
    host: pg.mode === 'native' ? PG_SOCKET_DIR : ctx.vpnAddress,
    port: pg.port,
    database: pg.database,
  };
}

/**
 * Native mode logs in over the socket by peer authentication: the server maps this
 * process's OS user (root) to the role through pg_ident.conf's map, so no password exists.
 * Container mode has no shared socket: SCRAM over the VPN address, the password a host secret.
 */
export function dbLogin(s: DbSettings, role: DbRole, database = s.database): DbLogin {
  const user = role === 'admin' ? 'mailctl_admin' : 'postgres';
  const login = { host: s.host, port: s.port, database, user };
  if (s.mode === 'native') return login;
  const passwordSecret = role === 'admin' ? POSTGRES_ADMIN_SECRET : POSTGRES_SUPERUSER_SECRET;
  return { ...login, passwordSecret };
}

/** For messages: how the login was meant to work. */
export function describeLogin(l: DbLogin): string {
  const via = l.host.startsWith('/')
    ? `${l.host}/.s.PGSQL.${l.port}, peer map ${PG_IDENT_MAP}`
    : `${l.host}:${l.port}, SCRAM`;
  return `${l.database} as ${l.user} over ${via}`;
}
