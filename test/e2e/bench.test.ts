import { beforeAll, describe, expect, it } from 'vitest';
import type { ImapReport } from '../../src/ops/bench/imap-bench.js';
import type { MemoryReport } from '../../src/ops/bench/memory.js';
import type { PipelineReport } from '../../src/ops/bench/pipeline-report.js';
import { labSh, mailctl } from './support/cli.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 14: the benchmarks run against a lab host, print figures, and leave the host as
// apply made it. No timing is asserted: figures on a shared machine are noise.
const LAB = SHARED_LAB;

const masterCf = () => {
  const r = labSh(LAB, 'host', 'sha256sum /etc/postfix/master.cf; ss -Hltn');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const benchMailboxes = () => {
  const r = labSh(LAB, 'host', 'mailctl mailbox list --json');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { address: string }[]).filter((m) =>
    m.address.startsWith('bench-'),
  );
};

describe('mailctl bench', () => {
  beforeAll(() => {
    useSharedLab();
  });

  it('pipeline: four stages and a latency run, listeners removed, plan clean after', () => {
    const before = masterCf();
    const r = mailctl(
      ['bench', 'pipeline', '--lab', LAB, '--count', '20', '--concurrency', '4', '--json'],
      { timeoutMs: 600_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as PipelineReport;
    expect(report.runs.map((s) => [s.stage, s.summary.sent, s.summary.failed])).toEqual([
      ['sink', 20, 0],
      ['discard', 20, 0],
      ['rspamd', 20, 0],
      ['full', 20, 0],
    ]);
    // Every message of the latency run was delivered and its delay read from Postfix's log.
    expect(report.latency?.deliveredMs.count).toBe(report.latency?.sent);
    expect(report.planClean).toBe(true);
    expect(masterCf()).toBe(before);
    expect(benchMailboxes()).toEqual([]);
  });

  it('pipeline: refuses to run when a port it needs is taken, and changes nothing', () => {
    const busy = labSh(
      LAB,
      'host',
      'systemd-run --quiet --collect --unit=bench-test-busy python3 -m http.server --bind 10.100.0.1 12525 && ' +
        'for i in $(seq 50); do ss -Hltn | grep -q 10.100.0.1:12525 && exit 0; sleep 0.1; done; exit 1',
    );
    expect(busy.code, busy.stderr).toBe(0);
    try {
      const before = masterCf();
      const r = mailctl(['bench', 'pipeline', '--lab', LAB, '--count', '5']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ports the bench needs are taken on the host: 10\.100\.0\.1:12525/);
      expect(masterCf()).toBe(before);
      expect(benchMailboxes()).toEqual([]);
    } finally {
      labSh(LAB, 'host', 'systemctl stop bench-test-busy');
    }
  });

  it('imap: connected clients read, a login storm, its mailboxes removed after', () => {
    const r = mailctl(
      [
        'bench',
        'imap',
        '--lab',
        LAB,
        '--clients',
        '5',
        '--storm-workers',
        '2',
        '--seconds',
        '3',
        '--round-interval',
        '500',
        '--json',
      ],
      { timeoutMs: 300_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ImapReport;
    expect(report.steady).toMatchObject({
      clients: 5,
      connected: 5,
      roundIntervalMs: 500,
      errors: 0,
    });
    // Paced: a round every 500 ms per client in 3 s is at most 6 each (back to back, one
    // round takes some milliseconds).
    expect(report.steady.rounds).toBeGreaterThan(0);
    expect(report.steady.rounds).toBeLessThanOrEqual(5 * 6);
    expect(report.storm).toMatchObject({ workers: 2, errors: 0 });
    expect(report.storm.sessions).toBeGreaterThan(0);
    expect(benchMailboxes()).toEqual([]);
  });

  it('imap: refuses an unbounded load before it touches the host', () => {
    const r = mailctl(['bench', 'imap', '--lab', LAB, '--clients', '5000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--clients: '5000' is not a whole number from 1 to 500/);
    const slow = mailctl(['bench', 'imap', '--lab', LAB, '--round-interval', '1m']);
    expect(slow.code).toBe(2);
    expect(slow.stderr).toMatch(/--round-interval: '1m' is not a whole number from 0 to 60000/);
    expect(benchMailboxes()).toEqual([]);
  });

  it('auth: logins with the auth cache and without, dovecot.conf put back, plan clean', () => {
    const conf = () => {
      const r = labSh(LAB, 'host', 'sha256sum /etc/dovecot/dovecot.conf; doveconf auth_cache_size');
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const before = conf();
    const r = mailctl(
      ['bench', 'auth', '--lab', LAB, '--seconds', '1', '--concurrency', '2', '--users', '1'],
      { timeoutMs: 300_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/auth cache on +[\d.]+ lookups\/s \([1-9]\d* in 1 s, 0 failed/);
    expect(r.stdout).toMatch(/auth cache off +[\d.]+ lookups\/s \([1-9]\d* in 1 s, 0 failed/);
    expect(r.stdout).toMatch(/plan after +clean/);
    expect(conf()).toBe(before);
    expect(before).not.toMatch(/auth_cache_size = 0\n/);
    expect(benchMailboxes()).toEqual([]);
  });

  it('memory: PSS per unit of the running stack, with the total', () => {
    const r = mailctl(['bench', 'memory', '--lab', LAB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MemoryReport;
    const units = report.units.map((u) => u.unit);
    for (const unit of ['postfix.service', 'dovecot.service', 'rspamd.service'])
      expect(units).toContain(unit);
    const sum = report.units.reduce((s, u) => s + u.pssMiB, 0);
    expect(Math.abs(sum - report.totalMiB)).toBeLessThan(1);
  });

  it('refuses a run that names no host, or two', () => {
    for (const args of [[], ['--lab', LAB, '--ssh', 'root@10.100.0.1']]) {
      const r = mailctl(['bench', 'memory', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/E_USAGE: name the host with --lab NAME or --ssh \[USER@\]HOST/);
    }
  });

  it('refuses a lab that is not running', () => {
    const r = mailctl(['bench', 'pipeline', '--lab', 'nolab9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lab 'nolab9' is not running/);
  });
});
