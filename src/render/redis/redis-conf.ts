import { secretRef } from '../host-context.js';
import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const REDIS_CONF_PATH = '/etc/redis/redis.conf';
/** The password Redis requires of every client (Rspamd alone), made on the host. */
export const REDIS_PASSWORD_SECRET = 'redis-password';
export const REDIS_ENDPOINT = '127.0.0.1:6379';

/**
 * Redis 8 holds Rspamd's greylisting triplets, rate-limit buckets and learned data. The
 * whole file is ours (Debian's is 2,000 lines of comments around these settings); whatever
 * is not named here keeps Redis's compiled-in default.
 */
export function renderRedisConf(): string {
  return `${generatedHeader()}
# Loopback only; the firewall drops 6379 from outside as well.
bind 127.0.0.1 -::1
port 6379
protected-mode yes
tcp-keepalive 300

# Any local process can reach loopback: without requirepass, any local user could read
# or forge greylisting and rate-limit state. Rspamd gives it in local.d/redis.conf.
requirepass ${secretRef(REDIS_PASSWORD_SECRET)}

# CONFIG SET could change the settings above at run time and CONFIG REWRITE persist them;
# Rspamd never needs it, so it does not exist. DEBUG and MODULE are already refused by
# Redis's defaults (enable-debug-command no, enable-module-command no).
rename-command CONFIG ""

# systemd supervises the server (the unit passes --supervised systemd --daemonize no);
# the paths are Debian's, which the unit's ReadWritePaths allow.
daemonize no
pidfile /run/redis/redis-server.pid
loglevel notice
logfile /var/log/redis/redis-server.log
dir /var/lib/redis
dbfilename dump.rdb
databases 16
`;
}

/**
 * Readable by Redis, writable by root only: with CONFIG gone there is nothing for Redis to
 * rewrite, and the file holds the password.
 */
export function renderRedis(): RenderedFile[] {
  return [
    {
      path: REDIS_CONF_PATH,
      content: renderRedisConf(),
      mode: 0o640,
      owner: 'root',
      group: 'redis',
      component: 'redis',
    },
  ];
}

/**
 * Redis has no configuration check of its own (it parses its file only when it starts):
 * a file it refuses leaves the unit not active after the restart, and apply puts the
 * previous one back.
 */
export const redisComponent: ComponentDescriptor = {
  name: 'redis',
  packages: ['redis-server'],
  units: ['redis-server.service'],
  // The unit has no reload; the data survives a restart in dump.rdb.
  onChange: 'restart',
  readyPorts: [REDIS_ENDPOINT],
};
