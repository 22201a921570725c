import { generatedHeader, type RenderedFile } from '../types.js';
import { MEMCACHED_LISTEN } from './sogo-conf.js';

export const MEMCACHED_CONF_PATH = '/etc/memcached.conf';

/**
 * /etc/memcached.conf, read by Debian's systemd-memcached-wrapper (one command-line option
 * per line). Memcached has no authentication, so it listens on IPv4 loopback only, and UDP
 * (a traffic amplifier) stays off.
 */
export function renderMemcachedConf(): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    '# Memcached for SOGo (SOGoMemcachedHost): sessions and cached user data.',
    'logfile /var/log/memcached.log',
    '# Megabytes of cache; plenty for a few hundred users.',
    '-m 64',
    `-p ${MEMCACHED_LISTEN.port}`,
    '-U 0',
    '-u memcache',
    `-l ${MEMCACHED_LISTEN.host}`,
    '-P /var/run/memcached/memcached.pid',
  ];
  return {
    path: MEMCACHED_CONF_PATH,
    content: `${lines.join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'memcached',
  };
}
