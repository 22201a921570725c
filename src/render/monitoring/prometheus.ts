import { stringify } from 'yaml';
import type { MailHostContext } from '../host-context.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';
import { alertRulesYaml } from './alert-rules.js';
import { promDuration } from './duration.js';
import {
  ALERT_RULES_PATH,
  ALERTMANAGER_YML,
  METRICS_ENDPOINTS,
  PROMETHEUS_YML,
  type MetricsJob,
} from './endpoints.js';

/** How often Prometheus scrapes and evaluates the rules. */
const INTERVAL = '15s';

function scrapeJobs(ctx: MailHostContext): MetricsJob[] {
  const own: MetricsJob[] = ['prometheus', 'alertmanager', 'rspamd'];
  return ctx.monitoring.exporters
    ? [...own, 'node', 'postfix', 'postgres', 'dovecot', 'nginx']
    : own;
}

function prometheusYml(ctx: MailHostContext): string {
  const config = {
    global: { scrape_interval: INTERVAL, evaluation_interval: INTERVAL },
    rule_files: [ALERT_RULES_PATH],
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [METRICS_ENDPOINTS.alertmanager] }] }],
    },
    scrape_configs: scrapeJobs(ctx)
      .sort()
      .map((job) => ({
        job_name: job,
        static_configs: [{ targets: [METRICS_ENDPOINTS[job]], labels: { host: ctx.name } }],
      })),
  };
  return generatedHeader() + stringify(config);
}

/**
 * Alertmanager mails through the host's own Postfix on 127.0.0.1:25: a local domain's
 * postmaster needs no relay permission (mynetworks is empty), and the HELO restrictions
 * start with permit_inet_interfaces, so the host may greet with its own name.
 */
function alertmanagerYml(ctx: MailHostContext): string {
  const m = ctx.monitoring;
  const config = {
    global: {
      smtp_smarthost: '127.0.0.1:25',
      smtp_from: `Alertmanager <alertmanager@${ctx.fqdn}>`,
      smtp_hello: ctx.fqdn,
      // Loopback: nothing to protect in transit, and Postfix's certificate names the
      // public host name, not 127.0.0.1.
      smtp_require_tls: false,
    },
    route: {
      receiver: 'postmaster',
      // One mail per alert (every label): a second daemon going down is news at once, not
      // after group_interval as part of the first one's group.
      group_by: ['...'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    // A full disk is one mail: the critical alert silences the warning for the same mount.
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'instance', 'mountpoint'],
      },
    ],
    receivers: [
      {
        name: 'postmaster',
        email_configs: [{ to: m.alertEmail, send_resolved: true }],
        ...(m.webhookUrl ? { webhook_configs: [{ url: m.webhookUrl, send_resolved: true }] } : {}),
      },
    ],
  };
  return generatedHeader() + stringify(config);
}

/** Debian's units run `$ARGS` from /etc/default/<unit>; both default to every address. */
function defaultsFile(unit: string, args: string[]): RenderedFile {
  const content = `${generatedHeader()}ARGS="${args.join(' ')}"\n`;
  return rootFile('monitoring-prometheus', `/etc/default/${unit}`, content);
}

export function renderPrometheus(ctx: MailHostContext): RenderedFile[] {
  const file = (path: string, content: string) =>
    // Read by the daemons, which run as the prometheus user.
    ({ ...rootFile('monitoring-prometheus', path, content, 0o640), group: 'prometheus' });
  return [
    file(PROMETHEUS_YML, prometheusYml(ctx)),
    file(ALERT_RULES_PATH, alertRulesYaml(ctx.monitoring, generatedHeader())),
    file(ALERTMANAGER_YML, alertmanagerYml(ctx)),
    defaultsFile('prometheus', [
      `--web.listen-address=${METRICS_ENDPOINTS.prometheus}`,
      `--storage.tsdb.retention.time=${promDuration(ctx.monitoring.retentionSeconds)}`,
    ]),
    defaultsFile('prometheus-alertmanager', [
      `--web.listen-address=${METRICS_ENDPOINTS.alertmanager}`,
      // An empty address turns off the gossip port (9094 on every address), which a
      // single Alertmanager does not need.
      '--cluster.listen-address=',
    ]),
  ];
}

/**
 * promtool parses prometheus.yml and every rule file it names (expressions, durations,
 * templates); amtool parses alertmanager.yml, routes and receivers included. Both print
 * what they found good on stdout, which the check drops.
 */
export const PROMETHEUS_CHECK_SCRIPT =
  `promtool check config ${PROMETHEUS_YML} >/dev/null && ` +
  `amtool check-config ${ALERTMANAGER_YML} >/dev/null`;

export const prometheusComponent: ComponentDescriptor = {
  name: 'monitoring-prometheus',
  // promtool comes with prometheus, amtool with prometheus-alertmanager.
  packages: ['prometheus', 'prometheus-alertmanager'],
  units: ['prometheus.service', 'prometheus-alertmanager.service'],
  // ARGS (listen address, retention) is read at start only; the TSDB survives a restart.
  onChange: 'restart',
  check: ['sh', '-c', PROMETHEUS_CHECK_SCRIPT],
  readyPorts: [METRICS_ENDPOINTS.prometheus, METRICS_ENDPOINTS.alertmanager],
};
