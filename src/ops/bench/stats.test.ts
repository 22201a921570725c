import { describe, expect, it } from 'vitest';
import { formatSummary, percentile, summarize } from './stats.js';

describe('bench figures', () => {
  it('takes nearest-rank percentiles', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('summarises a run whatever order the latencies came in', () => {
    const s = summarize([30, 10, 20, 40], 1, 2000);
    expect(s).toEqual({
      sent: 4,
      failed: 1,
      wallSeconds: 2,
      perSecond: 2,
      latencyMs: { p50: 20, p95: 40, p99: 40, max: 40 },
    });
    expect(formatSummary({ ...s, deliveredAllAfterSeconds: 3.5 })).toBe(
      'messages accepted      4 (1 failed)\nwall time              2 s\nthroughput             2 messages/s\n' +
        'SMTP transaction       p50 20 ms, p95 40 ms, p99 40 ms, max 40 ms\n' +
        'all readable over IMAP 3.5 s after the first was sent\n',
    );
  });
});
