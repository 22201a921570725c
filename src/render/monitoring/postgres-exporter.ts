import type { MailHostContext } from '../host-context.js';
import { secretRef } from '../host-context.js';
import { generatedHeader, rootFile, type RenderedFile } from '../types.js';
import { METRICS_ENDPOINTS } from './endpoints.js';

/** The exporter's own database role: pg_monitor's statistics views and nothing else. */
export const POSTGRES_METRICS_ROLE = 'mailctl_metrics';
export const POSTGRES_METRICS_SECRET = 'postgres-metrics-password';

/**
 * /etc/default/prometheus-postgres-exporter, the unit's EnvironmentFile: the connection
 * string with the role's password travels in the environment (DATA_SOURCE_NAME), never in
 * argv, and the file is readable by root and the exporter's group only. Native mode logs
 * in over the local socket (pg_hba.conf: scram-sha-256 for this role).
 */
export function renderPostgresExporter(ctx: MailHostContext): RenderedFile {
  const host = ctx.postgres.mode === 'native' ? '' : ctx.vpnAddress;
  // The URL form: the exporter logs a DSN it cannot connect with, and only from a URL does
  // it remove the password first (a key=value DSN would be logged whole). Secrets are
  // base64url, which needs no escaping in a URL.
  const query =
    ctx.postgres.mode === 'native' ? 'host=/var/run/postgresql&sslmode=disable' : 'sslmode=disable';
  const dsn =
    `postgresql://${POSTGRES_METRICS_ROLE}:${secretRef(POSTGRES_METRICS_SECRET)}` +
    `@${host}:${ctx.postgres.port}/postgres?${query}`;
  const content = [
    generatedHeader().trimEnd(),
    `DATA_SOURCE_NAME="${dsn}"`,
    `ARGS="--web.listen-address=${METRICS_ENDPOINTS.postgres}"`,
    '',
  ].join('\n');
  return {
    ...rootFile(
      'monitoring-exporters',
      '/etc/default/prometheus-postgres-exporter',
      content,
      0o640,
    ),
    group: 'prometheus',
  };
}
