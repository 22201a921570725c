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
  nginx: '127.0.0.1:9113',
  dovecot: '127.0.0.1:9900',
  // The controller (rspamd worker-controller.inc), which serves /metrics itself.
  rspamd: '127.0.0.1:11334',
} as const;

export type MetricsJob = keyof typeof METRICS_ENDPOINTS;

/** nginx's stub_status, which prometheus-nginx-exporter reads (not Prometheus's format). */
export const NGINX_STATUS_ENDPOINT = '127.0.0.1:8080';

/**
 * Postfix's journal lines as a file, for the Postfix exporter's log counters: Debian's
 * build of it (0.3.0) reads a file only, and Postfix logs to the journal here.
 */
export const POSTFIX_LOG_DIR = '/var/log/mailctl-postfix';
export const POSTFIX_LOG_FILE = `${POSTFIX_LOG_DIR}/postfix.log`;

/** node-exporter's textfile collector reads `*.prom` here (Debian's default directory). */
export const TEXTFILE_DIR = '/var/lib/prometheus/node-exporter';

/** Where Prometheus reads its configuration and rules, and Alertmanager its own. */
export const PROMETHEUS_YML = '/etc/prometheus/prometheus.yml';
export const ALERT_RULES_PATH = '/etc/prometheus/rules/mailctl.yml';
export const ALERTMANAGER_YML = '/etc/prometheus/alertmanager.yml';
