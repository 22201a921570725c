import type { ComponentDescriptor } from '../types.js';
import { SOGO_CONF_PATH, MEMCACHED_LISTEN, SOGO_LISTEN } from './sogo-conf.js';
import { MEMCACHED_CONF_PATH } from './memcached-conf.js';

/**
 * SOGo has no configuration test of its own, and sogod starts with a property list it
 * cannot parse (it then runs on defaults). GNUstep's plparse is the parser SOGo's
 * NSUserDefaults uses; it is lenient (a missing `;` is only a warning), so anything but
 * its one-line verdict "a dictionary" fails the check.
 */
export const SOGO_CHECK_SCRIPT = `out=$(plparse ${SOGO_CONF_PATH} 2>&1); [ "$out" = "Parsing '${SOGO_CONF_PATH}' - a dictionary" ] || { printf '%s\\n' "$out" >&2; exit 1; }`;

export const sogoComponent: ComponentDescriptor = {
  name: 'sogo',
  packages: ['sogo', 'sogo-activesync'],
  units: ['sogo.service'],
  // sogod reads its configuration at start only; a restart takes a second or two.
  onChange: 'restart',
  check: ['sh', '-c', SOGO_CHECK_SCRIPT],
  readyPorts: [`${SOGO_LISTEN.host}:${SOGO_LISTEN.port}`],
};

/**
 * Memcached has no configuration checker either. Debian's wrapper turns each line of the
 * file into command-line options; memcached parses them in order and stops at -V, so an
 * unknown or malformed option fails before anything listens.
 */
export const MEMCACHED_CHECK_SCRIPT = `exec memcached $(sed -e '/^#/d' -e '/^logfile /d' -e '/^$/d' ${MEMCACHED_CONF_PATH}) -V >/dev/null`;

export const memcachedComponent: ComponentDescriptor = {
  name: 'memcached',
  packages: ['memcached'],
  units: ['memcached.service'],
  onChange: 'restart',
  check: ['sh', '-c', MEMCACHED_CHECK_SCRIPT],
  readyPorts: [`${MEMCACHED_LISTEN.host}:${MEMCACHED_LISTEN.port}`],
};
