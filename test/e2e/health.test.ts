import { beforeAll, describe, expect, it } from 'vitest';
import { labHost, labSh, mailctl, uniqueTag } from './support/cli.js';
import { smtpFromInternet, testMessage } from './support/mail.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 12, "Health checks": `mailctl health` probes every daemon and resource of the host
// and exits 0 (ok), 1 (warning) or 2 (critical); a timer appends its report to a JSON log.
const LAB = SHARED_LAB;
const LOG = '/var/log/mailctl/health.jsonl';
const PROBE = 'health-probe@example.com';
const { run: onHost } = labHost(LAB);

interface Report {
  ts: string;
  status: 'ok' | 'warning' | 'critical';
  checks: { name: string; status: string; detail: string; ms: number }[];
}

const health = () => {
  const r = onHost(['mailctl', 'health', '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
};
const notOk = (r: Report) => r.checks.filter((c) => c.status !== 'ok');

describe('mailctl health', () => {
  beforeAll(() => {
    useSharedLab();
    // A fresh host has no file backup until its timer first runs (a stale backup is a
    // warning); one now, as `mailctl backup run` would be run after the quick start.
    if (onHost(['mailctl', 'backup', 'status']).code !== 0) {
      const b = labSh(LAB, 'host', 'mailctl backup run', 600_000);
      expect(b.code, b.stderr).toBe(0);
    }
  });

  it('is ok on a healthy host and exits 0, with every check named and timed', () => {
    const { code, report } = health();
    expect(notOk(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(Date.now() - Date.parse(report.ts)).toBeLessThan(120_000);
    const names = report.checks.map((c) => c.name);
    for (const name of ['smtp-25', 'smtp-465', 'smtp-587', 'lmtp', 'imap', 'pop3', 'rspamd-gtube'])
      expect(names).toContain(name);
    expect(report.checks.find((c) => c.name === 'smtp-587')?.detail).toContain('STARTTLS ok');
    expect(report.checks.find((c) => c.name === 'imap')?.detail).toContain(`login as ${PROBE}`);
    expect(report.checks.every((c) => c.ms >= 0 && c.ms < 30_000)).toBe(true);
    const text = onHost(['mailctl', 'health']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^health: ok \(\d+ checks\)$/m);
  });

  it('exits 2 naming a stopped daemon, and 0 again once it runs', () => {
    expect(onHost(['systemctl', 'stop', 'dovecot.service']).code).toBe(0);
    try {
      const { code, report } = health();
      expect(code).toBe(2);
      expect(report.status).toBe('critical');
      const bad = Object.fromEntries(notOk(report).map((c) => [c.name, c.detail]));
      expect(bad['unit-dovecot.service']).toMatch(/^inactive/);
      expect(Object.keys(bad)).toEqual(expect.arrayContaining(['imap', 'pop3', 'lmtp']));
      const text = onHost(['mailctl', 'health']);
      expect(text.code).toBe(2);
      expect(text.stdout).toMatch(/^CRITICAL unit-dovecot\.service: inactive/m);
    } finally {
      expect(onHost(['systemctl', 'start', 'dovecot.service']).code).toBe(0);
    }
    const again = health();
    expect(notOk(again.report)).toEqual([]);
    expect(again.code).toBe(0);
  });

  it("keeps its probe mailbox's password in the host's secrets and takes no mail for it", () => {
    expect(
      onHost(['stat', '-c', '%a %U', '/etc/mailctl/secrets/health-probe-password']).stdout,
    ).toBe('600 root\n');
    const r = smtpFromInternet(LAB, PROBE, testMessage('someone@example.org', PROBE, uniqueTag()));
    expect(r.codes.rcpt).toEqual([550]);
  });

  it("with --dns checks that what 'mailctl dns' prints is published, and warns for what is not", () => {
    // Published as they are now: a file before this one on the shared lab may have changed
    // the certificate (plan.test goes to ACME and back), and with it the TLSA record.
    expect(mailctl(['lab', 'dns', '--name', LAB]).code).toBe(0);
    const r = onHost(['mailctl', 'health', '--dns', '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(notOk(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === 'dns')?.detail).toMatch(
      /^all \d+ records published/,
    );
    expect(r.code).toBe(0);
    // A domain added on the host and not yet published (no `mailctl lab dns`).
    const domain = 'healthdns.example';
    expect(onHost(['mailctl', 'domain', 'add', domain]).code).toBe(0);
    try {
      const w = onHost(['mailctl', 'health', '--dns', '--json']);
      const dns = (JSON.parse(w.stdout) as Report).checks.find((c) => c.name === 'dns');
      expect(dns?.status).toBe('warning');
      expect(dns?.detail).toContain(`${domain} MX missing`);
      expect(w.code).toBe(1);
    } finally {
      expect(onHost(['mailctl', 'domain', 'remove', domain]).code).toBe(0);
    }
  });

  it('runs on a timer that appends one JSON line per run to the log', () => {
    expect(onHost(['systemctl', 'is-enabled', 'mailctl-health.timer']).stdout.trim()).toBe(
      'enabled',
    );
    const before = Number(onHost(['sh', '-c', `cat ${LOG} 2>/dev/null | wc -l`]).stdout.trim());
    // What the timer starts, started now rather than waiting up to five minutes for it.
    const run = onHost(['systemctl', 'start', 'mailctl-health.service']);
    expect(run.code, run.stderr).toBe(0);
    const lines = onHost(['cat', LOG]).stdout.trimEnd().split('\n');
    expect(lines.length).toBe(before + 1);
    const last = JSON.parse(lines.at(-1) ?? '') as Report;
    expect(Object.keys(last)).toEqual(['ts', 'status', 'checks']);
    expect(Object.keys(last.checks[0] ?? {})).toEqual(['name', 'status', 'detail', 'ms']);
    expect(onHost(['test', '-f', '/etc/logrotate.d/mailctl-health']).code).toBe(0);
  });
});
