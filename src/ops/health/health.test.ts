import { describe, expect, it } from 'vitest';
import type { CheckRow } from '../dns-check/index.js';
import { testHostContext } from '../../render/test-host-context.js';
import { assessDnsRows } from './dns-check.js';
import { diskPaths, expectedJails, healthChecks } from './checks.js';
import { exitCodeFor, healthReport, jsonLine, overallStatus, reportLines } from './report.js';
import { critical, ok, runChecks, warning } from './run-checks.js';
import {
  assessCertificate,
  assessDisk,
  assessQueue,
  assessUnit,
  assessWireguard,
  backupFindings,
  usedPercent,
} from './thresholds.js';

describe('the health report', () => {
  it('is as bad as its worst check, and exits 0, 1 or 2 for it', () => {
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus([{ status: 'ok' }, { status: 'warning' }])).toBe('warning');
    expect(overallStatus([{ status: 'critical' }, { status: 'warning' }])).toBe('critical');
    expect([exitCodeFor('ok'), exitCodeFor('warning'), exitCodeFor('critical')]).toEqual([0, 1, 2]);
  });

  it('is one JSON line with the stable fields ts, status and checks[name, status, detail, ms]', () => {
    const r = healthReport(Date.UTC(2026, 11, 7, 10), [
      { name: 'smtp-25', status: 'ok', detail: '220 mail.example.com ESMTP', ms: 12 },
    ]);
    const line = jsonLine(r);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      ts: '2026-12-07T10:00:00.000Z',
      status: 'ok',
      checks: [{ name: 'smtp-25', status: 'ok', detail: '220 mail.example.com ESMTP', ms: 12 }],
    });
  });

  it('lists the worst checks first for a person', () => {
    const r = healthReport(0, [
      { name: 'a', status: 'ok', detail: 'fine', ms: 1 },
      { name: 'b', status: 'critical', detail: 'down', ms: 1 },
    ]);
    expect(reportLines(r)).toEqual([
      'CRITICAL b: down',
      'OK       a: fine',
      'health: critical (2 checks)',
    ]);
  });
});

describe('runChecks', () => {
  it('runs the checks at once, each against its own time limit', async () => {
    const started = Date.now();
    const results = await runChecks([
      { name: 'fast', timeoutMs: 1_000, run: async () => ok('fine') },
      { name: 'hung', timeoutMs: 200, run: () => new Promise(() => undefined) },
      {
        name: 'slow',
        timeoutMs: 1_000,
        run: () => new Promise((r) => setTimeout(() => r(warning('slow')), 150)),
      },
      {
        name: 'throws',
        timeoutMs: 1_000,
        run: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:25');
        },
      },
    ]);
    // In parallel: the hung one's limit, not the sum of all.
    expect(Date.now() - started).toBeLessThan(900);
    expect(results.map((r) => [r.name, r.status, r.detail])).toEqual([
      ['fast', 'ok', 'fine'],
      ['hung', 'critical', 'no answer within 0.2 s'],
      ['slow', 'warning', 'slow'],
      ['throws', 'critical', 'connect ECONNREFUSED 127.0.0.1:25'],
    ]);
    expect(results[1]?.ms).toBeGreaterThanOrEqual(190);
  });
});

describe('thresholds', () => {
  it('queue: more than 50 deferred, or a message older than 24 h, is a warning', () => {
    expect(assessQueue({ active: 1, deferred: 50, hold: 0, oldestSeconds: 60 }).status).toBe('ok');
    expect(assessQueue({ active: 0, deferred: 51, hold: 0 }).status).toBe('warning');
    expect(assessQueue({ active: 0, deferred: 1, hold: 0, oldestSeconds: 25 * 3600 })).toEqual(
      warning('0 active, 1 deferred, 0 on hold, oldest 25.0 h (older than 24 h)'),
    );
  });

  it('disk: 80% is a warning, 90% critical, counted as df counts', () => {
    expect(usedPercent({ blocks: 100, bfree: 30, bavail: 20 })).toBe(78);
    expect(assessDisk('/', 79).status).toBe('ok');
    expect(assessDisk('/', 80).status).toBe('warning');
    expect(assessDisk('/var/mail', 90)).toEqual(critical('/var/mail is 90% full'));
  });

  it('certificate: under 14 days a warning, under 3 critical', () => {
    const now = Date.UTC(2026, 11, 7);
    const inDays = (d: number) => now + d * 86_400_000;
    expect(assessCertificate('c.crt', inDays(30), now).status).toBe('ok');
    expect(assessCertificate('c.crt', inDays(13), now).status).toBe('warning');
    expect(assessCertificate('c.crt', inDays(2), now).status).toBe('critical');
    expect(assessCertificate('c.crt', inDays(-1), now).status).toBe('critical');
  });

  it('a unit: active is ok, a restart under way a warning, a crash loop critical and named', () => {
    const unit = { unit: 'dovecot.service', result: 'success', restarts: 0 };
    expect(assessUnit({ ...unit, activeState: 'active' })).toEqual(ok('active'));
    expect(assessUnit({ ...unit, activeState: 'activating', restarts: 1 }).status).toBe('warning');
    expect(assessUnit({ ...unit, activeState: 'inactive' })).toEqual(
      critical('inactive (last result: success)'),
    );
    expect(
      assessUnit({ ...unit, activeState: 'failed', result: 'signal', restarts: 5 }).detail,
    ).toBe(
      'failed: crash loop, systemd gave up restarting it, restarted 5 time(s) by systemd (last result: signal)',
    );
    expect(
      assessUnit({ ...unit, activeState: 'failed', result: 'start-limit-hit', restarts: 0 }).detail,
    ).toMatch(/^failed: crash loop/);
    // Failed once, never restarted (a clean exit code Restart=on-failure leaves alone).
    expect(assessUnit({ ...unit, activeState: 'failed', result: 'exit-code' }).detail).toBe(
      'failed (last result: exit-code)',
    );
  });

  it('wireguard: a peer silent longer than the threshold warns; one that never connected does not', () => {
    const now = 100_000_000;
    const peer = (k: string, agoSeconds?: number) => ({
      publicKey: `${k}${'A'.repeat(43)}`,
      latestHandshake: agoSeconds === undefined ? 0 : now / 1000 - agoSeconds,
    });
    const day = 86_400;
    const fresh = assessWireguard([peer('laptop', 90), peer('newphone')], now, day);
    expect(fresh).toEqual(ok('wg0 up, 2 peer(s): laptopAA… 90 s ago, newphone… never'));
    const stale = assessWireguard([peer('laptop', 90), peer('server', day + 1)], now, day);
    expect(stale.status).toBe('warning');
    expect(stale.detail).toBe(
      'wg0 up, 2 peer(s): laptopAA… 90 s ago, serverAA… 86401 s ago (serverAA… silent for more than 86400 s)',
    );
    // The threshold is the cluster file's.
    expect(assessWireguard([peer('laptop', 90)], now, 60).status).toBe('warning');
  });

  it('backups: stale is a warning, failing critical, the WAL archive its own line', () => {
    const findings = backupFindings({
      ok: false,
      repositories: [
        { name: 'files', location: '/r', state: 'stale', problem: 'no backup yet' },
        { name: 'database', location: '/p', state: 'ok', lastGood: 'x', ageHours: 1 },
      ],
      walArchive: {
        state: 'failing',
        problem: 'archiving failed',
        archivedCount: 1,
        failedCount: 2,
      },
    });
    expect(findings.map(([n, f]) => [n, f.status])).toEqual([
      ['backup-files', 'warning'],
      ['backup-database', 'ok'],
      ['wal-archive', 'critical'],
    ]);
  });
});

describe('healthChecks', () => {
  const ctx = testHostContext();
  const names = healthChecks(ctx).map((c) => c.name);

  it("has every check of issue 12's list, each with a time limit", () => {
    for (const name of [
      'smtp-25',
      'smtp-465',
      'smtp-587',
      'lmtp',
      'imap',
      'pop3',
      'rspamd',
      'rspamd-gtube',
      'postgres-postfix',
      'postgres-dovecot',
      'postgres-sogo',
      'sogo',
      'nginx-public',
      'nginx-vpn',
      'wireguard',
      'fail2ban',
      'queue',
      'disk-/var/mail',
      'disk-/opt/postgres',
      'disk-/',
      'certificate',
      'backup-files',
      'backup-database',
      'wal-archive',
      'unit-postfix.service',
      'unit-dovecot.service',
      'unit-postgresql@17-main.service',
    ])
      expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    expect(healthChecks(ctx).every((c) => c.timeoutMs > 0 && c.timeoutMs <= 30_000)).toBe(true);
    expect(diskPaths(ctx)).toEqual(['/var/mail', '/opt/postgres', '/']);
  });

  it('expects every jail that jail.local declares', () => {
    expect(expectedJails(ctx)).toEqual(
      expect.arrayContaining(['sshd', 'dovecot', 'postfix-sasl', 'recidive']),
    );
    expect(expectedJails(ctx)).not.toContain('DEFAULT');
  });
});

describe('the --dns check', () => {
  const row = (state: CheckRow['state']): CheckRow => ({
    name: 'example.com',
    type: 'MX',
    state,
    expected: '10 mail.example.com',
    found: [],
  });

  it("is ok when every record of 'mailctl dns --check' is present", () => {
    expect(assessDnsRows([row('present'), row('present')])).toEqual(
      ok("all 2 records published ('mailctl dns --check')"),
    );
  });

  it('warns naming each record that is missing or different', () => {
    const f = assessDnsRows([row('present'), row('missing'), { ...row('different'), type: 'TXT' }]);
    expect(f).toEqual(
      warning(
        "2 of 3 records not as 'mailctl dns' prints them: example.com MX missing; example.com TXT different",
      ),
    );
  });
});
