import { beforeAll, describe, expect, it } from 'vitest';
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
      ['bench', 'pipeline', '--lab', LAB, '--count', '30', '--concurrency', '4', '--json'],
      { timeoutMs: 600_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as PipelineReport;
    expect(report.runs.map((s) => [s.stage, s.summary.sent, s.summary.failed])).toEqual([
      ['sink', 30, 0],
      ['discard', 30, 0],
      ['rspamd', 30, 0],
      ['full', 30, 0],
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

  it('refuses a lab that is not running', () => {
    const r = mailctl(['bench', 'pipeline', '--lab', 'nolab9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lab 'nolab9' is not running/);
  });
});
