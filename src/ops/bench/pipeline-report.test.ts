import { describe, expect, it } from 'vitest';
import { benchListeners } from './pipeline.js';
import {
  formatPipeline,
  latencyFigures,
  stageFigures,
  type PipelineReport,
  type StageRun,
} from './pipeline-report.js';
import { deliveryDelaysMs } from './postfix-delays.js';
import { summarize } from './stats.js';

const run = (stage: StageRun['stage'], concurrency: number, perSecondOver1s: number): StageRun => ({
  stage,
  concurrency,
  summary: summarize(Array<number>(perSecondOver1s).fill(10), 0, 1000),
  drainedAfterSeconds: 1,
});

describe('bench pipeline figures', () => {
  const runs = [
    run('sink', 8, 1000),
    run('discard', 8, 160),
    run('rspamd', 8, 90),
    run('full', 8, 64),
    run('discard', 16, 200),
    run('full', 16, 60),
  ];

  it('compares each stage with Postfix alone at the fixed concurrency, and names the best', () => {
    const f = stageFigures(runs, 8);
    expect(f.map((s) => [s.stage, s.ratio])).toEqual([
      ['sink', 6.25],
      ['discard', 1],
      ['rspamd', 0.56],
      ['full', 0.4],
    ]);
    expect(f[1]?.best?.concurrency).toBe(16);
    expect(f[3]?.best?.concurrency).toBe(8);
  });

  it('leaves the ratio out when Postfix alone was not measured', () => {
    expect(stageFigures([run('full', 8, 10)], 8)[3]?.ratio).toBeUndefined();
  });

  it('takes delivery latency from the lmtp lines of the run recipient only', () => {
    const log = [
      'A1: to=<bench-1@example.com>, relay=mail[private/dovecot-lmtp], delay=0.31, delays=0.1/0.01/0.05/0.15, dsn=2.0.0, status=sent (250 2.0.0 ok)',
      'A2: to=<Bench-1@example.com>, relay=x, delay=2, delays=0.5/1/0/0.5, dsn=2.0.0, status=sent (250)',
      'A3: to=<other@example.com>, relay=x, delay=9, delays=0/9/0/0, dsn=2.0.0, status=sent (250)',
      'A4: to=<bench-1@example.com>, relay=x, delay=9, delays=0/9/0/0, dsn=4.0.0, status=deferred (451)',
    ].join('\n');
    expect(deliveryDelaysMs(log, 'bench-1@example.com')).toEqual([210, 1500]);
    expect(latencyFigures(20, 3, [1500, 210])).toEqual({
      ratePerSecond: 20,
      sent: 3,
      deliveredMs: { count: 2, p50: 210, p95: 1500, p99: 1500, max: 1500 },
    });
  });

  it('prints one table with the load average and whether plan stayed clean', () => {
    const report: PipelineReport = {
      date: '2026-12-07 13:00 UTC',
      loadBefore: 3.2,
      loadAfter: 4.5,
      count: 600,
      sizeBytes: 4096,
      runs: runs.slice(0, 4),
      latency: latencyFigures(32, 300, [100, 200, 300]),
      planClean: true,
    };
    expect(formatPipeline(report, 8)).toMatchInlineSnapshot(`
      "2026-12-07 13:00 UTC, load average 3.2 before, 4.5 after; 600 messages of 4 KB per stage, no TLS
      stage                          at 8 conns       best           vs Postfix SMTP p95
      smtp-sink on the host          1000/s           1000/s at 8    625%       10 ms
      Postfix to discard:            160/s            160/s at 8     100%       10 ms
      Postfix + Rspamd to discard:   90/s             90/s at 8      56%        10 ms
      whole path to the Maildir      64/s             64/s at 8      40%        10 ms
      delivery after the 250 at 32/s (half the whole path's rate), 3 of 300: p50 200 ms, p95 300 ms, p99 300 ms, max 300 ms
      host configuration as apply left it ('mailctl plan': no changes)
      "
    `);
    expect(formatPipeline({ ...report, planClean: false }, 8)).toMatch(/DIFFERS/);
  });

  it('adds listeners that differ from port 25 only in milter and content filter', () => {
    const l = benchListeners('10.100.0.1').split('\n');
    expect(l[1]).toBe(
      '10.100.0.1:12525 inet n - y - - smtpd -o syslog_name=postfix/bench-discard -o content_filter=discard:bench -o smtpd_milters=',
    );
    expect(l[2]).not.toMatch(/smtpd_milters/);
  });
});
