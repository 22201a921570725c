import type { CheckResult, HealthStatus } from './report.js';

/** What a check finds: its status and one line of detail. */
export interface Finding {
  status: HealthStatus;
  detail: string;
}

export interface Check {
  name: string;
  /** How long it may take before it counts as critical; a hung daemon is a down daemon. */
  timeoutMs: number;
  run: () => Promise<Finding>;
}

export const ok = (detail: string): Finding => ({ status: 'ok', detail });
export const warning = (detail: string): Finding => ({ status: 'warning', detail });
export const critical = (detail: string): Finding => ({ status: 'critical', detail });

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs every check at once, each against its own time limit. A check that throws or runs
 * out of time is critical, with the reason as its detail; one hung probe never holds up the
 * report. `clock` is injected so that the runner stays testable.
 */
export async function runChecks(
  checks: readonly Check[],
  clock: () => number = Date.now,
): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (c) => {
      const start = clock();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Finding>((resolve) => {
        timer = setTimeout(
          () => resolve(critical(`no answer within ${c.timeoutMs / 1000} s`)),
          c.timeoutMs,
        );
      });
      const finding = await Promise.race([
        c.run().catch((e: unknown) => critical(message(e))),
        timeout,
      ]);
      clearTimeout(timer);
      return { name: c.name, ...finding, ms: Math.max(0, Math.round(clock() - start)) };
    }),
  );
}
