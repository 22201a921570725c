/**
 * Where every metrics endpoint listens: loopback only. Prometheus on the same host scrapes
 * them there; nothing of it is reachable from the internet or the VPN (an administrator
 * looks at Prometheus through `ssh -L 9090:127.0.0.1:9090`).
 */
export const METRICS_ENDPOINTS = {
  prometheus: '127.0.0.1:9090',
  alertmanager: '127.0.0.1:9093',
  node: '127.0.0.1:9100',
  postfix: '127.0.0.1:9154',
  postgres: '127.0.0.1:9187',
  dovecot: '127.0.0.1:9900',
  // The controller (rspamd worker-controller.inc), which serves /metrics itself.
  rspamd: '127.0.0.1:11334',
} as const;

export type MetricsJob = keyof typeof METRICS_ENDPOINTS;

/** node-exporter's textfile collector reads `*.prom` here (Debian's default directory). */
export const TEXTFILE_DIR = '/var/lib/prometheus/node-exporter';

/** Where Prometheus reads its configuration and rules, and Alertmanager its own. */
export const PROMETHEUS_YML = '/etc/prometheus/prometheus.yml';
export const ALERT_RULES_PATH = '/etc/prometheus/rules/mailctl.yml';
export const ALERTMANAGER_YML = '/etc/prometheus/alertmanager.yml';
