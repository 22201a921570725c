import { percentile, type BenchSummary } from './stats.js';

/** The mail path taken apart: each stage adds one part of the real path to the one before. */
export const PIPELINE_STAGES = [
  { id: 'sink', label: 'smtp-sink on the host' },
  { id: 'discard', label: 'Postfix to discard:' },
  { id: 'rspamd', label: 'Postfix + Rspamd to discard:' },
  { id: 'full', label: 'whole path to the Maildir' },
] as const;
export type StageId = (typeof PIPELINE_STAGES)[number]['id'];

/** The stage the others are compared with: Postfix alone. */
export const REFERENCE_STAGE: StageId = 'discard';

export interface StageRun {
  stage: StageId;
  concurrency: number;
  summary: BenchSummary;
  /** Seconds from the first message sent until the host's queue held none of the run's. */
  drainedAfterSeconds: number;
}

export interface LatencyRun {
  ratePerSecond: number;
  sent: number;
  /** Delivery latency after the 250 reply, from Postfix's delays= (b+c+d). */
  deliveredMs: { count: number; p50: number; p95: number; p99: number; max: number };
}

export interface PipelineReport {
  date: string;
  /** /proc/loadavg's 1-minute figure before and after the run: absolute figures are noise. */
  loadBefore: number;
  loadAfter: number;
  count: number;
  sizeBytes: number;
  runs: StageRun[];
  latency?: LatencyRun;
  /** `mailctl plan` on the host after the run found nothing to change. */
  planClean: boolean;
}

export interface StageFigure {
  stage: StageId;
  label: string;
  fixed?: StageRun;
  best?: StageRun;
  /** fixed throughput / Postfix alone's, same run */
  ratio?: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Each stage at the fixed (first) concurrency and at the best one tried, with its ratio to
 * Postfix alone at the fixed concurrency (pure).
 */
export function stageFigures(runs: readonly StageRun[], fixedConcurrency: number): StageFigure[] {
  const at = (id: StageId) =>
    runs.find((r) => r.stage === id && r.concurrency === fixedConcurrency);
  const ref = at(REFERENCE_STAGE)?.summary.perSecond;
  return PIPELINE_STAGES.map(({ id, label }) => {
    const fixed = at(id);
    const best = runs
      .filter((r) => r.stage === id)
      .reduce<StageRun | undefined>(
        (b, r) => (!b || r.summary.perSecond > b.summary.perSecond ? r : b),
        undefined,
      );
    return {
      stage: id,
      label,
      ...(fixed ? { fixed } : {}),
      ...(best ? { best } : {}),
      ...(fixed && ref ? { ratio: round2(fixed.summary.perSecond / ref) } : {}),
    };
  });
}

export function latencyFigures(
  ratePerSecond: number,
  sent: number,
  delaysMs: readonly number[],
): LatencyRun {
  const sorted = [...delaysMs].sort((a, b) => a - b);
  return {
    ratePerSecond,
    sent,
    deliveredMs: {
      count: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
    },
  };
}

const pad = (s: string, n: number) => s.padEnd(n);

export function formatPipeline(r: PipelineReport, fixedConcurrency: number): string {
  const rows = stageFigures(r.runs, fixedConcurrency).map((f) => {
    const fixed = f.fixed
      ? `${f.fixed.summary.perSecond}/s${f.fixed.summary.failed ? ` (${f.fixed.summary.failed} failed)` : ''}`
      : '-';
    const best = f.best ? `${f.best.summary.perSecond}/s at ${f.best.concurrency}` : '-';
    const ratio = f.ratio === undefined ? '-' : `${Math.round(f.ratio * 100)}%`;
    const p95 = f.fixed ? `${f.fixed.summary.latencyMs.p95} ms` : '-';
    return `${pad(f.label, 30)} ${pad(fixed, 16)} ${pad(best, 14)} ${pad(ratio, 10)} ${p95}`;
  });
  const lines = [
    `${r.date}, load average ${r.loadBefore} before, ${r.loadAfter} after; ${r.count} messages of ${Math.round(r.sizeBytes / 1024)} KB per stage, no TLS`,
    `${pad('stage', 30)} ${pad(`at ${fixedConcurrency} conns`, 16)} ${pad('best', 14)} ${pad('vs Postfix', 10)} SMTP p95`,
    ...rows,
  ];
  if (r.latency) {
    const l = r.latency.deliveredMs;
    lines.push(
      `delivery after the 250 at ${r.latency.ratePerSecond}/s (half the whole path's rate), ${l.count} of ${r.latency.sent}: p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`,
    );
  }
  lines.push(
    r.planClean
      ? "host configuration as apply left it ('mailctl plan': no changes)"
      : "host configuration DIFFERS from apply's ('mailctl plan' shows changes)",
  );
  return `${lines.join('\n')}\n`;
}
