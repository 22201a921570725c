import { logrotateCheck } from '../health/health-timer.js';
import type { MailHostContext } from '../host-context.js';
import { postgresComponentFor } from '../postgres/index.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';
import {
  METRICS_ENDPOINTS,
  NGINX_STATUS_ENDPOINT,
  POSTFIX_LOG_DIR,
  POSTFIX_LOG_FILE,
  TEXTFILE_DIR,
} from './endpoints.js';
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
        `from a file only: ${POSTFIX_LOG_UNIT}.service copies Postfix's journal lines there.`,
      ],
      [
        `--web.listen-address=${METRICS_ENDPOINTS.postfix}`,
        `--postfix.showq_path=${ctx.paths.queue}/public/showq`,
        `--postfix.logfile_path=${POSTFIX_LOG_FILE}`,
      ],
    ),
    defaultsFile(
      'prometheus-nginx-exporter',
      ["nginx's stub_status, on its own loopback server (/etc/nginx/mailctl/status.conf)."],
      [
        `--web.listen-address=${METRICS_ENDPOINTS.nginx}`,
        `--nginx.scrape-uri=http://${NGINX_STATUS_ENDPOINT}/stub_status`,
      ],
    ),
    renderPostgresExporter(ctx),
    ...renderPostfixLog(),
    ...renderTextfileTimer(),
  ];
}

/**
 * Postfix's journal lines as a file, which the Postfix exporter follows (its log counters:
 * connections, deliveries, rejects). Postfix itself keeps logging to the journal, where
 * Fail2ban and the Wazuh agent read it: maillog_file would move its logging to the file
 * instead. journalctl runs as prometheus, in the journal's group; the file is readable by
 * group adm (Debian's log readers, which the exporter's unit joins) and no one else, since
 * it names senders and recipients. A line logged while the unit is down is not copied,
 * only not counted.
 */
export const POSTFIX_LOG_UNIT = 'mailctl-postfix-log';

function renderPostfixLog(): RenderedFile[] {
  const service = [
    generatedHeader(),
    '[Unit]',
    "Description=mailctl: Postfix's journal as a file, for prometheus-postfix-exporter",
    // The exporter opens the file at start, and refuses to start without it.
    'Before=prometheus-postfix-exporter.service',
    '',
    '[Service]',
    'User=prometheus',
    'Group=adm',
    'SupplementaryGroups=systemd-journal',
    'UMask=0027',
    `LogsDirectory=${POSTFIX_LOG_DIR.replace('/var/log/', '')}`,
    'LogsDirectoryMode=0750',
    // Through sh, so that the file is opened as prometheus with the umask above (systemd
    // opens StandardOutput=append: files before it makes LogsDirectory).
    `ExecStart=/bin/sh -c 'exec /usr/bin/journalctl --follow --lines=0 --output=short --unit=postfix.service >>${POSTFIX_LOG_FILE}'`,
    'Restart=always',
    'RestartSec=5s',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  // copytruncate: journalctl keeps its descriptor (O_APPEND); the exporter notices the
  // file shrink and reads it from the start again.
  const logrotate = [
    generatedHeader(),
    `${POSTFIX_LOG_FILE} {`,
    '    daily',
    '    rotate 2',
    '    maxsize 100M',
    '    missingok',
    '    notifempty',
    '    compress',
    '    copytruncate',
    '}',
    '',
  ].join('\n');
  return [
    rootFile('monitoring-exporters', `/etc/systemd/system/${POSTFIX_LOG_UNIT}.service`, service),
    rootFile('monitoring-exporters', `/etc/logrotate.d/${POSTFIX_LOG_UNIT}`, logrotate),
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
    'prometheus-nginx-exporter',
    'prometheus-node-exporter',
    'prometheus-postfix-exporter',
    'prometheus-postgres-exporter',
  ],
  units: [
    // Before the Postfix exporter, which needs its file.
    `${POSTFIX_LOG_UNIT}.service`,
    'prometheus-nginx-exporter.service',
    'prometheus-node-exporter.service',
    'prometheus-postfix-exporter.service',
    'prometheus-postgres-exporter.service',
    `${TEXTFILE_UNIT}.timer`,
  ],
  // ARGS is read from the EnvironmentFile at start only.
  onChange: 'restart',
  check: ['sh', '-c', logrotateCheck(`/etc/logrotate.d/${POSTFIX_LOG_UNIT}`)],
  readyPorts: [
    METRICS_ENDPOINTS.node,
    METRICS_ENDPOINTS.postfix,
    METRICS_ENDPOINTS.postgres,
    METRICS_ENDPOINTS.nginx,
  ],
};
