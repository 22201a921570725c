import type { ComponentDescriptor } from '../types.js';

/**
 * logrotate and its daily timer. Debian's nginx, redis-server, rspamd, sogo, fail2ban,
 * postgresql-common and certbot packages each ship a /etc/logrotate.d file for the logs
 * they write outside the journal, but only Recommend logrotate itself, which apply's
 * --no-install-recommends leaves out: without it those logs (nginx's access log above all)
 * grow until the disk is full. Their own rotation rules are kept as the packages ship them.
 */
export const logRotationComponent: ComponentDescriptor = {
  name: 'log-rotation',
  packages: ['logrotate'],
  units: ['logrotate.timer'],
  onChange: 'restart',
};
