export { alertRules, alertRulesYaml, type AlertRule } from './alert-rules.js';
export { defaultMonitoring, type AlertThresholds, type MonitoringContext } from './context.js';
export { DOVECOT_METRICS_CONF_PATH, renderDovecotStats } from './dovecot-stats.js';
export * from './endpoints.js';
export { NGINX_STATUS_CONF_PATH, renderNginxStatus } from './nginx-status.js';
export { exportersComponent, renderExporters, watchedUnits } from './exporters.js';
export { PROMETHEUS_CHECK_SCRIPT, prometheusComponent, renderPrometheus } from './prometheus.js';
export {
  POSTGRES_METRICS_ROLE,
  POSTGRES_METRICS_SECRET,
  renderPostgresExporter,
} from './postgres-exporter.js';
