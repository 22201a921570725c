import { describe, expect, it } from 'vitest';
import { formatImap, type ImapReport } from './imap-bench.js';
import { percentiles } from './imap-load.js';

describe('bench imap figures', () => {
  it('takes p50/p95/p99 and the maximum, whatever the order', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(v)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('prints both phases with the load average and the client CPU', () => {
    const r: ImapReport = {
      date: '2026-12-07 13:30 UTC',
      loadBefore: 2.5,
      loadAfter: 3,
      seconds: 3,
      mailboxes: 1,
      steady: {
        clients: 5,
        connected: 5,
        roundIntervalMs: 1000,
        rounds: 120,
        perSecond: 4,
        errors: 0,
        roundMs: { p50: 10, p95: 20, p99: 30, max: 31 },
        clientCpuPercent: 12.5,
      },
      storm: {
        workers: 5,
        sessions: 40,
        errors: 1,
        perSecond: 13.3,
        sessionMs: { p50: 300, p95: 500, p99: 600, max: 610 },
        clientCpuPercent: 40,
      },
      firstError: 'Command failed',
    };
    expect(formatImap(r)).toMatchInlineSnapshot(`
      "2026-12-07 13:30 UTC, load average 2.5 before, 3 after; 3 s per phase, IMAPS from the VPN client, 1 mailboxes of 10 messages
      steady state   5 of 5 clients connected, a round every 1000 ms each: 120 SELECT+FETCH rounds, 4/s, 0 errors
        round        p50 10 ms, p95 20 ms, p99 30 ms, max 31 ms
        client CPU   12.5% of one core
      login storm    5 workers: 40 sessions (TLS, LOGIN, SELECT, LOGOUT), 13.3/s, 1 errors
        session      p50 300 ms, p95 500 ms, p99 600 ms, max 610 ms
        client CPU   40% of one core
      first error    Command failed
      "
    `);
    const backToBack = formatImap({ ...r, steady: { ...r.steady, roundIntervalMs: 0 } });
    expect(backToBack).toContain('clients connected, rounds back to back: 120 SELECT+FETCH');
  });
});
