import type { MailHostContext } from '../host-context.js';
import { postgresComponentFor } from '../postgres/index.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';
import { METRICS_ENDPOINTS, TEXTFILE_DIR } from './endpoints.js';
import { renderPostgresExporter } from './postgres-exporter.js';

/**
 * The systemd units of the daemons the host serves mail with: node-exporter's systemd
 * collector reports their state, and ServiceDown fires when one is not active. On Debian 13
 * postfix.service runs the master itself (it conflicts with the postfix@- instance).
 */
export function watchedUnits(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): string[] {
  return [
    'postfix.service',
    'dovecot.service',
    ...postgresComponentFor(ctx).units,
    'rspamd.service',
    'redis-server.service',
    'nginx.service',
    'sogo.service',
    'memcached.service',
    'fail2ban.service',
    'wg-quick@wg0.service',
  ];
}

/** RE2, anchored by node-exporter; `[.]` rather than `\.`, which the env file would eat. */
function unitRegex(units: readonly string[]): string {
  const names = units.map((u) => u.replace(/\.service$/, '').replace(/[.]/g, '[.]'));
  return `(${names.join('|')})[.]service`;
}

/**
 * Debian's exporter units run `/usr/bin/<exporter> $ARGS` with ARGS from
 * /etc/default/<unit>. Every listener is set to loopback: the packages' defaults listen on
 * every address.
 */
function defaultsFile(unit: string, why: string[], args: string[], mode = 0o644): RenderedFile {
  const content = [
    generatedHeader().trimEnd(),
    ...why.map((l) => `# ${l}`),
    `ARGS="${args.join(' ')}"`,
    '',
  ].join('\n');
  return rootFile('monitoring-exporters', `/etc/default/${unit}`, content, mode);
}

export function renderExporters(ctx: MailHostContext): RenderedFile[] {
  return [
    defaultsFile(
      'prometheus-node-exporter',
      [
        'The systemd collector reports the mail daemons (ServiceDown); the textfile collector',
        `reads the *.prom files mailctl writes into ${TEXTFILE_DIR}.`,
      ],
      [
        `--web.listen-address=${METRICS_ENDPOINTS.node}`,
        '--collector.systemd',
        `--collector.systemd.unit-include=${unitRegex(watchedUnits(ctx))}`,
        `--collector.textfile.directory=${TEXTFILE_DIR}`,
      ],
    ),
    defaultsFile(
      'prometheus-postfix-exporter',
      [
        "Queue sizes from showq, in mailctl's queue_directory. Debian's build reads Postfix's log",
        'from a file only, and Postfix logs to the journal here (Fail2ban reads it there): the',
        'exporter gets /dev/null, and its log counters stay at zero. Dovecot counts logins.',
      ],
      [
        `--web.listen-address=${METRICS_ENDPOINTS.postfix}`,
        `--postfix.showq_path=${ctx.paths.queue}/public/showq`,
        '--postfix.logfile_path=/dev/null',
      ],
    ),
    renderPostgresExporter(ctx),
    ...renderTextfileTimer(),
  ];
}

/** The unit that writes the textfile metrics (`mailctl metrics textfile`), and its timer. */
export const TEXTFILE_UNIT = 'mailctl-metrics';

function renderTextfileTimer(): RenderedFile[] {
  const service = [
    generatedHeader(),
    '[Unit]',
    'Description=mailctl: the metrics no exporter has, for the textfile collector',
    '',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/local/bin/mailctl metrics textfile',
    'StandardOutput=null',
    'Nice=10',
    '',
  ].join('\n');
  const timer = [
    generatedHeader(),
    '[Unit]',
    'Description=mailctl: the textfile metrics, every two minutes',
    '',
    '[Timer]',
    'OnBootSec=1min',
    'OnUnitActiveSec=2min',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return [
    rootFile('monitoring-exporters', `/etc/systemd/system/${TEXTFILE_UNIT}.service`, service),
    rootFile('monitoring-exporters', `/etc/systemd/system/${TEXTFILE_UNIT}.timer`, timer),
  ];
}

export const exportersComponent: ComponentDescriptor = {
  name: 'monitoring-exporters',
  packages: [
    'prometheus-node-exporter',
    'prometheus-postfix-exporter',
    'prometheus-postgres-exporter',
  ],
  units: [
    'prometheus-node-exporter.service',
    'prometheus-postfix-exporter.service',
    'prometheus-postgres-exporter.service',
    `${TEXTFILE_UNIT}.timer`,
  ],
  // ARGS is read from the EnvironmentFile at start only.
  onChange: 'restart',
  readyPorts: [METRICS_ENDPOINTS.node, METRICS_ENDPOINTS.postfix, METRICS_ENDPOINTS.postgres],
};
