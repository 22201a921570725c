import type { MailHostContext } from '../host-context.js';
import { tuningFor } from '../tuning.js';
import { generatedHeader, type RenderedFile } from '../types.js';

export const SOGO_SERVICE_DROPIN_PATH = '/etc/systemd/system/sogo.service.d/mailctl.conf';

/**
 * Debian's sogo.service orders itself after postgresql.service, which is only a wrapper
 * here: the cluster runs as postgresql@17-main. SOGo creates its tables at start, reads
 * users from the database and caches in memcached, so it starts after both. Restarting a
 * crashed sogod is the self-healing drop-in's (render/self-healing), as for every daemon.
 */
export function renderSogoDropin(ctx: Pick<MailHostContext, 'size'>): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    '[Unit]',
    'After=postgresql@17-main.service memcached.service dovecot.service postfix.service',
    'Wants=memcached.service',
    '',
    '[Service]',
    "# Debian's unit starts sogod -WOWorkersCount ${PREFORK}, which outranks sogo.conf's",
    '# WOWorkersCount; the count comes from hosts[].size (src/render/tuning.ts). A PREFORK',
    '# in /etc/default/sogo (EnvironmentFile=) would still win.',
    `Environment=PREFORK=${tuningFor(ctx.size).sogoWorkers}`,
  ];
  return {
    path: SOGO_SERVICE_DROPIN_PATH,
    content: `${lines.join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'sogo',
  };
}
