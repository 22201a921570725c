import { generatedHeader, rootFile, type RenderedFile } from '../types.js';
import { METRICS_ENDPOINTS } from './endpoints.js';

/** Included (`!include_try`) by dovecot.conf, so that without exporters it is simply absent. */
export const DOVECOT_METRICS_CONF_PATH = '/etc/dovecot/mailctl-metrics.conf';

const [ADDRESS, PORT] = METRICS_ENDPOINTS.dovecot.split(':');

/**
 * Dovecot 2.4's own OpenMetrics endpoint (the stats service's http listener) and the
 * metrics it counts. Each `metric` block is an event filter; Dovecot exports it as
 * dovecot_<name>_total, with a label per `group_by` field.
 */
export function renderDovecotStats(): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    '# Metrics for Prometheus (docs/monitoring.md): http://' +
      METRICS_ENDPOINTS.dovecot +
      '/metrics',
    'service stats {',
    '  inet_listener http {',
    '    # Loopback only, whatever the global listen says: Prometheus scrapes it on the host.',
    `    listen = ${ADDRESS}`,
    `    port = ${PORT}`,
    '  }',
    '}',
    '',
    '# Logins that passed and failed (IMAP, POP3, ManageSieve and submission SASL alike).',
    'metric auth_success {',
    '  filter = event=auth_request_finished AND success=yes',
    '}',
    'metric auth_failure {',
    '  filter = event=auth_request_finished AND NOT success=yes',
    '}',
    '# IMAP commands by name and by how they ended (OK, NO, BAD).',
    'metric imap_command {',
    '  filter = event=imap_command_finished',
    '  group_by cmd_name {',
    '  }',
    '  group_by tagged_reply_state {',
    '  }',
    '}',
    '# Messages LMTP delivered to a mailbox (or failed to).',
    'metric mail_delivery {',
    '  filter = event=mail_delivery_finished',
    '}',
  ];
  return rootFile('dovecot', DOVECOT_METRICS_CONF_PATH, `${lines.join('\n')}\n`);
}
