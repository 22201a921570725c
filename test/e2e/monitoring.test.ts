import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { METRICS_ENDPOINTS, NGINX_STATUS_ENDPOINT } from '../../src/render/monitoring/endpoints.js';
import { labHost, labSh, sh, uniqueTag } from './support/cli.js';
import {
  dialogFrom,
  imapFetchAll,
  mailQueue,
  smtpFromInternet,
  testMessage,
} from './support/mail.js';
import { PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 12, metrics and alerts: the exporters answer on the host's loopback and nowhere
// else, Prometheus scrapes them all, and a stopped Dovecot becomes a ServiceDown alert
// that Alertmanager mails to the postmaster through the host's own Postfix.
const LAB = SHARED_LAB;
const CLUSTER = '/etc/mailctl/cluster.yaml';
/** The quick start's cluster file with alerts that fire within a minute. */
const FAST = '/tmp/monitoring-e2e-cluster.yaml';
const { run: onHost } = labHost(LAB);

/** GETs a loopback URL on the lab host (with the host's node: it has no curl). */
function hostGet(url: string): { status: number; body: string } {
  const js =
    'fetch(process.argv[1]).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))' +
    '.catch((e) => { console.log(JSON.stringify({ status: 0, body: String(e) })); })';
  const r = onHost(['node', '-e', js, url]);
  return JSON.parse(r.stdout || '{"status":0,"body":""}') as { status: number; body: string };
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

const firingAlerts = (): PromAlert[] => {
  const r = hostGet(`http://${METRICS_ENDPOINTS.prometheus}/api/v1/alerts`);
  if (r.status !== 200) return [];
  return (JSON.parse(r.body) as { data: { alerts: PromAlert[] } }).data.alerts;
};

/** Polls `probe` every `everyS` seconds until it returns something, for at most `forS`. */
function poll<T>(probe: () => T | undefined, forS: number, everyS = 3): T | undefined {
  const until = Date.now() + forS * 1000;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > until) return v;
    sh(`sleep ${everyS}`);
  }
}

/** A counter's value summed over its label sets, from an exporter's text on the host. */
function counter(endpoint: string, name: string): number {
  const body = hostGet(`http://${endpoint}/metrics`).body;
  return body
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

const demo = () => ({
  // postmaster@example.com, where alerts go by default, is the quick start's alias for demo.
  user: 'demo@example.com',
  pass: onHost(['cat', '/etc/mailctl/secrets/mailbox-demo@example.com']).stdout.trim(),
});

/** Alertmanager's mail for a firing ServiceDown of Dovecot (its subject lists the labels). */
const isServiceDownMail = (m: string): boolean =>
  /^Subject: \[FIRING:\d+\] ServiceDown/m.test(m) && m.includes('dovecot.service');

/** The subject tag of the message this file delivers to count Postfix's deliveries. */
const TAG = uniqueTag('monitoring');

/** Deletes the mails this file caused from the postmaster's INBOX (SEARCHRES, RFC 5182). */
function deleteTestMail(search: string) {
  const who = demo();
  dialogFrom(LAB, 'vpn', {
    host: VPN,
    port: 993,
    tls: true,
    steps: [
      { send: `a1 LOGIN "${who.user}" "${who.pass}"`, until: '^a1 ' },
      { send: 'a2 SELECT INBOX', until: '^a2 ' },
      { send: `a3 SEARCH RETURN (SAVE) ${search}`, until: '^a3 ' },
      { send: 'a4 STORE $ +FLAGS.SILENT (\\Deleted)', until: '^a4 ' },
      { send: 'a5 EXPUNGE', until: '^a5 ' },
      { send: 'a6 LOGOUT', until: '^a6 ' },
    ],
  });
}

describe('metrics and alerts', () => {
  beforeAll(() => {
    useSharedLab();
    const doc = parseDocument(onHost(['cat', CLUSTER]).stdout);
    doc.setIn(['monitoring', 'prometheus'], true);
    doc.setIn(['monitoring', 'alerts', 'service_down_for'], '30s');
    expect(onHost(['sh', '-c', `cat > ${FAST}`], doc.toString()).code).toBe(0);
    const r = onHost(['mailctl', 'apply', '--cluster', FAST]);
    expect(r.code, r.stderr).toBe(0);
    // Alertmanager mails an alert it has already mailed as firing only after
    // repeat_interval (4 h): on a lab where this file ran before, forget what it sent.
    const forget = onHost([
      'sh',
      '-c',
      'systemctl stop prometheus-alertmanager && rm -f /var/lib/prometheus/alertmanager/nflog && systemctl start prometheus-alertmanager',
    ]);
    expect(forget.code, forget.stderr).toBe(0);
  });

  afterAll(() => {
    onHost(['systemctl', 'start', 'dovecot.service']);
    onHost(['postqueue', '-f']);
    // The quick start's thresholds again.
    onHost(['mailctl', 'apply', '--cluster', CLUSTER]);
    onHost(['rm', '-f', FAST]);
    deleteTestMail('FROM "alertmanager@mail.example.com"');
    deleteTestMail(`SUBJECT "${TAG}"`);
  });

  it('scrapes every exporter: Prometheus has each job up', () => {
    const jobs = poll(() => {
      const r = hostGet(`http://${METRICS_ENDPOINTS.prometheus}/api/v1/query?query=up`);
      if (r.status !== 200) return undefined;
      const result = (
        JSON.parse(r.body) as {
          data: { result: { metric: { job: string }; value: [number, string] }[] };
        }
      ).data.result;
      const up = result
        .filter((s) => s.value[1] === '1')
        .map((s) => s.metric.job)
        .sort();
      return up.length === Object.keys(METRICS_ENDPOINTS).length ? up : undefined;
    }, 60);
    expect(jobs).toEqual(Object.keys(METRICS_ENDPOINTS).sort());
    // The systemd collector sees the mail daemons.
    expect(hostGet(`http://${METRICS_ENDPOINTS.node}/metrics`).body).toMatch(
      /node_systemd_unit_state\{name="dovecot\.service",state="active"(,type="\w+")?\} 1/,
    );
  });

  it('listens on loopback only: nothing answers from the internet or the VPN', () => {
    const ports = [...Object.values(METRICS_ENDPOINTS), NGINX_STATUS_ENDPOINT].map((e) =>
      Number(e.split(':')[1]),
    );
    const listening = onHost(['ss', '-Htln']).stdout;
    for (const port of ports) {
      const local = listening
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[3] ?? '')
        .filter((a) => a.endsWith(`:${port}`));
      expect(local.length, `something listens on ${port}`).toBeGreaterThan(0);
      expect(local, `port ${port}`).toEqual(local.map(() => `127.0.0.1:${port}`));
    }
    // And a client of either side finds each port closed (the control: 25 and 993 answer).
    const probe = (ns: 'internet' | 'vpn', ip: string, list: number[]) =>
      labSh(
        LAB,
        ns,
        list
          .map((p) => `timeout 1 bash -c '</dev/tcp/${ip}/${p}' 2>/dev/null && echo open ${p}`)
          .join('; ') + '; true',
      ).stdout.trim();
    expect(probe('internet', PUBLIC, [...ports, 25])).toBe('open 25');
    expect(probe('vpn', VPN, [...ports, 993])).toBe('open 993');
  });

  it("counts failed logins in Dovecot's own metrics", () => {
    const before = counter(METRICS_ENDPOINTS.dovecot, 'dovecot_auth_failure_total');
    const login = imapFetchAll(LAB, 'vpn', VPN, 'demo@example.com', 'not the password');
    expect(login.loginOk).toBe(false);
    const after = poll(
      () => {
        const n = counter(METRICS_ENDPOINTS.dovecot, 'dovecot_auth_failure_total');
        return n > before ? n : undefined;
      },
      20,
      1,
    );
    expect(after).toBe(before + 1);
  });

  it("reads nginx's stub_status through its exporter, and Prometheus has it", () => {
    const accepted = () => counter(METRICS_ENDPOINTS.nginx, 'nginx_connections_accepted');
    expect(counter(METRICS_ENDPOINTS.nginx, 'nginx_up')).toBe(1);
    const before = accepted();
    // Three requests from a VPN client, each on its own connection.
    labSh(LAB, 'vpn', `for i in 1 2 3; do curl -sk -o /dev/null https://${VPN}/SOGo/; done`);
    expect(accepted()).toBeGreaterThanOrEqual(before + 3);
    const scraped = poll(() => {
      const r = hostGet(
        `http://${METRICS_ENDPOINTS.prometheus}/api/v1/query?query=nginx_connections_accepted`,
      );
      const v = (JSON.parse(r.body || '{}') as { data?: { result: { value: [number, string] }[] } })
        .data?.result[0]?.value[1];
      return v !== undefined && Number(v) >= before + 3 ? Number(v) : undefined;
    }, 45);
    expect(scraped).toBeGreaterThanOrEqual(before + 3);
  });

  it("counts Postfix's connections and deliveries from its journal", () => {
    const connects = () => counter(METRICS_ENDPOINTS.postfix, 'postfix_smtpd_connects_total');
    const delivered = () =>
      counter(METRICS_ENDPOINTS.postfix, 'postfix_lmtp_delivery_delay_seconds_count');
    const [c0, d0] = [connects(), delivered()];
    const to = 'demo@example.com';
    const r = smtpFromInternet(LAB, to, testMessage('someone@example.org', to, TAG));
    expect(r.codes.end).toBe(250);
    const counted = poll(
      () => (connects() > c0 && delivered() > d0 ? [connects(), delivered()] : undefined),
      30,
      1,
    );
    expect(counted?.[0]).toBeGreaterThan(c0);
    expect(counted?.[1]).toBeGreaterThan(d0);
    // The copy is for the exporter (group adm) alone: it names senders and recipients.
    const mode = onHost(['stat', '-c', '%a %U:%G', '/var/log/mailctl-postfix/postfix.log']);
    expect(mode.stdout.trim()).toBe('640 prometheus:adm');
  });

  it('writes the textfile metrics, which node-exporter serves', () => {
    const r = onHost(['mailctl', 'metrics', 'textfile']);
    expect(r.code, r.stderr).toBe(0);
    // The lab's certificate is self-signed for a year or more.
    const notAfter = Number(
      /^mailctl_certificate_expiry_timestamp_seconds (\d+)$/m.exec(r.stdout)?.[1] ?? 0,
    );
    expect(notAfter * 1000 - Date.now()).toBeGreaterThan(300 * 86_400_000);
    expect(r.stdout).toMatch(/^mailctl_queue_oldest_message_age_seconds \d+$/m);
    expect(r.stdout).toMatch(/^mailctl_fail2ban_bans_total\{jail="sshd"\} \d+$/m);
    // The lab's VPN client has shaken hands with the host.
    const handshake =
      /^mailctl_wireguard_peer_last_handshake_timestamp_seconds\{peer="[^"]+"\} (\d+)$/m;
    expect(Number(handshake.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    // node-exporter prints it as a float (1.8e+09).
    const served = hostGet(`http://${METRICS_ENDPOINTS.node}/metrics`).body;
    const seen = /^mailctl_certificate_expiry_timestamp_seconds (\S+)$/m.exec(served)?.[1];
    expect(Number(seen)).toBe(notAfter);
    // And PostgreSQL's exporter logs in with its own role.
    expect(hostGet(`http://${METRICS_ENDPOINTS.postgres}/metrics`).body).toMatch(/^pg_up 1$/m);
  });

  it('fires ServiceDown when Dovecot stops, and mails it to the postmaster', () => {
    const started = Date.now();
    expect(onHost(['systemctl', 'stop', 'dovecot.service']).code).toBe(0);
    // 30 s of service_down_for, a 15 s scrape and evaluation interval: well within 2 min.
    const firing = poll(
      () =>
        firingAlerts().find(
          (a) =>
            a.labels.alertname === 'ServiceDown' &&
            a.labels.name === 'dovecot.service' &&
            a.state === 'firing',
        ),
      120,
    );
    expect(firing?.labels.severity).toBe('critical');
    // Alertmanager hands the mail to Postfix within group_wait (30 s); LMTP defers it until
    // Dovecot is back. Wait for this alert's mail, not any of Alertmanager's: an alert that
    // an earlier file left firing (WalArchiveFailing after the backup drills) is mailed anew
    // once beforeAll made Alertmanager forget, and if Dovecot came back before this one was
    // mailed, it would resolve unmailed (Alertmanager sends no RESOLVED for what it never sent).
    const queued = poll(
      () =>
        mailQueue(LAB).find(
          (q) =>
            q.sender.startsWith('alertmanager@') &&
            isServiceDownMail(onHost(['postcat', '-q', q.queue_id]).stdout),
        ),
      90,
    );
    expect(queued).toBeDefined();
    expect(onHost(['systemctl', 'start', 'dovecot.service']).code).toBe(0);
    const who = demo();
    // What the last round saw, for the message if the mail never comes.
    let last = '';
    const mail = poll(() => {
      // Dovecot's LMTP socket may lag its start: flush on every round, not only once.
      onHost(['postqueue', '-f']);
      const r = imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass);
      last = `IMAP login ${r.loginOk ? 'ok' : 'refused'}, ${r.messages.length} messages; queue: ${onHost(['postqueue', '-j']).stdout.slice(0, 600)}`;
      return r.messages.find(isServiceDownMail);
    }, 120);
    expect(mail, last).toBeDefined();
    expect(mail).toMatch(/^From: Alertmanager <alertmanager@mail\.example\.com>/m);
    // The summary annotation, in the quoted-printable body (soft line breaks undone).
    expect(mail?.replace(/=\r\n/g, '').replace(/=3D/g, '=')).toContain(
      'dovecot.service is not running',
    );
    expect(Date.now() - started).toBeLessThan(300_000);
  }, 420_000);
});
