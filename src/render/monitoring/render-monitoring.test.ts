import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { DOVECOT_CHECK_SCRIPT, renderDovecot } from '../dovecot/index.js';
import { resolveSecretRefs } from '../host-context.js';
import { testHostContext } from '../test-host-context.js';
import type { RenderedFile } from '../types.js';
import { defaultMonitoring } from './context.js';
import { renderDovecotStats } from './dovecot-stats.js';
import { METRICS_ENDPOINTS, NGINX_STATUS_ENDPOINT, POSTFIX_LOG_FILE } from './endpoints.js';
import { NGINX_STATUS_CONF_PATH, renderNginxStatus } from './nginx-status.js';
import { renderNginxConf } from '../nginx/nginx-conf.js';
import { renderExporters } from './exporters.js';
import { prometheusComponent, renderPrometheus } from './prometheus.js';

const ctx = testHostContext({
  monitoring: defaultMonitoring({
    prometheus: true,
    webhookUrl: 'https://hooks.example.net/mail-alerts',
  }),
});
const files = [
  ...renderPrometheus(ctx),
  ...renderExporters(ctx),
  renderDovecotStats(),
  renderNginxStatus(),
];
const golden = (f: RenderedFile) => `golden/${f.path.slice(1).replaceAll('/', '_')}`;

describe('the monitoring files', () => {
  it.each(files.map((f) => [f.path, f] as const))(
    'renders %s as in its golden file',
    async (_p, f) => {
      await expect(f.content).toMatchFileSnapshot(golden(f));
    },
  );

  it('puts every listener on loopback', () => {
    for (const endpoint of Object.values(METRICS_ENDPOINTS))
      expect(endpoint).toMatch(/^127\.0\.0\.1:/);
    const args = files.filter((f) => f.path.startsWith('/etc/default/')).map((f) => f.content);
    expect(args).toHaveLength(6);
    for (const a of args) expect(a).toMatch(/--web\.listen-address=127\.0\.0\.1:\d+/);
    // nginx's stub_status has a server of its own, on loopback.
    expect(NGINX_STATUS_ENDPOINT).toMatch(/^127\.0\.0\.1:/);
    expect(renderNginxStatus().content).toMatch(/^\s*listen 127\.0\.0\.1:8080;$/m);
    // Alertmanager's gossip port would listen on every address.
    expect(args.join('')).toMatch(/--cluster\.listen-address=[\s"]/);
  });

  it("includes nginx's status server only with the exporters", () => {
    expect(renderNginxConf(ctx)).toContain(`include ${NGINX_STATUS_CONF_PATH};`);
    const bare = testHostContext({ monitoring: defaultMonitoring({ exporters: false }) });
    expect(renderNginxConf(bare)).not.toContain('status.conf');
  });

  it("feeds the Postfix exporter Postfix's journal lines through a file of its own", () => {
    const env = files.find((f) => f.path === '/etc/default/prometheus-postfix-exporter');
    expect(env?.content).toContain(`--postfix.logfile_path=${POSTFIX_LOG_FILE}`);
    const unit = files.find((f) => f.path === '/etc/systemd/system/mailctl-postfix-log.service');
    expect(unit?.content).toContain(
      `journalctl --follow --lines=0 --output=short --unit=postfix.service >>${POSTFIX_LOG_FILE}`,
    );
    expect(unit?.content).toContain('Before=prometheus-postfix-exporter.service');
  });

  it('gives the PostgreSQL exporter its password in the environment file only', () => {
    const env = files.find((f) => f.path === '/etc/default/prometheus-postgres-exporter');
    expect(env?.content).toContain(
      'DATA_SOURCE_NAME="postgresql://mailctl_metrics:@@secret:postgres-metrics-password@@@:5432/postgres?host=/var/run/postgresql&sslmode=disable"',
    );
    expect(env?.content).toMatch(/^ARGS="--web\.listen-address=127\.0\.0\.1:9187"$/m);
    expect([env?.owner, env?.group, env?.mode.toString(8)]).toEqual(['root', 'prometheus', '640']);
  });

  it('scrapes only its own and Rspamd when the exporters are off', () => {
    const bare = testHostContext({
      monitoring: defaultMonitoring({ prometheus: true, exporters: false }),
    });
    const yml = renderPrometheus(bare).find((f) => f.path === '/etc/prometheus/prometheus.yml');
    expect(yml?.content).not.toContain(METRICS_ENDPOINTS.node);
    expect(yml?.content).toContain(METRICS_ENDPOINTS.rspamd);
  });

  it('mails the postmaster and leaves out the webhook unless one is set', () => {
    const plain = testHostContext({ monitoring: defaultMonitoring({ prometheus: true }) });
    const am = renderPrometheus(plain).find((f) => f.path.endsWith('alertmanager.yml'));
    expect(am?.content).toContain('to: postmaster@example.com');
    expect(am?.content).not.toContain('webhook_configs');
  });
});

const root = debian13Root('usr/bin/promtool', 'usr/bin/amtool', 'usr/bin/doveconf');

describe.skipIf(!root)('the daemons check the monitoring files', () => {
  it('promtool and amtool accept prometheus.yml, the rules and alertmanager.yml', () => {
    const r = runInDebian13Root(root ?? '', renderPrometheus(ctx), prometheusComponent.check ?? []);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses an alertmanager.yml that Alertmanager would not load', () => {
    const broken = renderPrometheus(ctx).map((f) =>
      f.path.endsWith('alertmanager.yml')
        ? { ...f, content: f.content.replace('receiver: postmaster', 'receiver: nobody') }
        : f,
    );
    const r = runInDebian13Root(root ?? '', broken, prometheusComponent.check ?? []);
    expect(r.status).not.toBe(0);
  });

  it('refuses a rule Prometheus cannot parse', () => {
    const broken = renderPrometheus(ctx).map((f) =>
      f.path.endsWith('mailctl.yml') ? { ...f, content: f.content.replace('== 0', '=== 0') } : f,
    );
    const r = runInDebian13Root(root ?? '', broken, prometheusComponent.check ?? []);
    expect(r.status).not.toBe(0);
  });

  it('Dovecot 2.4 accepts its stats listener and metric blocks without a warning', () => {
    const dovecot = [...renderDovecot(testHostContext()), renderDovecotStats()].map((f) => ({
      ...f,
      content: resolveSecretRefs(f.content, () => 'S3cret-from-host'),
    }));
    const r = runInDebian13Root(root ?? '', dovecot, ['sh', '-c', DOVECOT_CHECK_SCRIPT]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const shown = runInDebian13Root(root ?? '', dovecot, [
      'doveconf',
      'service/stats/inet_listener/http/listen',
    ]);
    expect(shown.stdout).toMatch(/ listen = 127\.0\.0\.1\n/);
  });
});
