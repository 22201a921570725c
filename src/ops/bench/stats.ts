/** Figures of one benchmark run (pure): what `mailctl bench` prints. */
export interface BenchSummary {
  sent: number;
  failed: number;
  wallSeconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** What the server said to the first message it did not accept. */
  firstError?: string;
  /** Seconds from the first message sent until the last one was readable over IMAP. */
  deliveredAllAfterSeconds?: number;
}

/** The nearest-rank percentile of sorted values (p in 0..100); 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

export function summarize(
  latenciesMs: readonly number[],
  failed: number,
  wallMs: number,
): BenchSummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const wallSeconds = wallMs / 1000;
  return {
    sent: sorted.length,
    failed,
    wallSeconds: round(wallSeconds),
    perSecond: wallSeconds > 0 ? round(sorted.length / wallSeconds) : 0,
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1] ?? 0),
    },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

export function formatSummary(s: BenchSummary): string {
  const lines = [
    `messages accepted      ${s.sent}${s.failed ? ` (${s.failed} failed)` : ''}`,
    `wall time              ${s.wallSeconds} s`,
    `throughput             ${s.perSecond} messages/s`,
    `SMTP transaction       p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
  ];
  if (s.firstError) lines.push(`first failure          ${s.firstError}`);
  if (s.deliveredAllAfterSeconds !== undefined)
    lines.push(`all readable over IMAP ${s.deliveredAllAfterSeconds} s after the first was sent`);
  return `${lines.join('\n')}\n`;
}
