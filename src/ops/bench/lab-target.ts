import { realpathSync } from 'node:fs';
import { labExecArgv } from '../../lab/exec.js';
import { UserError } from '../../util/errors.js';
import { mustRun, run } from '../../util/exec.js';
import type { BenchSummary } from './stats.js';

/** Where a benchmark acts: a shell on the mail host, and a client where mail clients are. */
export interface BenchTarget {
  /** Runs a POSIX shell script on the mail host as root and returns its output. */
  host(script: string, opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Runs this mailctl's `bench smtp --json ARGS` from the client side. */
  smtp(args: readonly string[], timeoutMs: number): Promise<BenchSummary>;
  /** Runs this mailctl from the client side (its own subcommands); stdout. */
  client(args: readonly string[], opts: { timeoutMs: number; input?: string }): Promise<string>;
}

/** The bundle that is running now: the load generator is this same mailctl. */
const selfArgv = () => [process.execPath, realpathSync(process.argv[1] ?? '')];

/**
 * The load generator's side of a target: this mailctl, its argv wrapped by `where` (into
 * the lab's VPN namespace, or left as it is on this machine).
 */
export function loadGenerator(
  where: (argv: string[]) => Promise<string[]>,
): Pick<BenchTarget, 'client' | 'smtp'> {
  const client: BenchTarget['client'] = async (args, opts) => {
    const argv = await where([...selfArgv(), ...args]);
    const r = await run(argv[0] ?? 'false', argv.slice(1), opts);
    if (r.code !== 0 && !r.stdout.trim().startsWith('{'))
      throw new UserError(
        'E_BENCH_CLIENT',
        `the load generator failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        { exitCode: 1 },
      );
    return r.stdout;
  };
  return {
    client,
    async smtp(args, timeoutMs) {
      return JSON.parse(
        await client(['bench', 'smtp', '--json', ...args], { timeoutMs }),
      ) as BenchSummary;
    },
  };
}

/** Runs a host script's argv with its input as a secret (never in an error message). */
export async function runHostScript(
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number },
): Promise<string> {
  const r = await mustRun(argv[0] ?? 'false', argv.slice(1), {
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.input === undefined ? {} : { input: opts.input, secrets: [opts.input.trim()] }),
  });
  return r.stdout;
}

/**
 * A lab host: scripts run on the host, the load comes from the lab's VPN client namespace
 * (10.100.0.0/24, over WireGuard), as the team's mail clients do.
 */
export function labTarget(name: string): BenchTarget {
  return {
    async host(script, opts = {}) {
      return runHostScript(await labExecArgv(name, 'host', ['sh', '-ec', script]), opts);
    },
    ...loadGenerator((argv) => labExecArgv(name, 'vpn', argv)),
  };
}

/** Whether `mailctl plan` on the host finds nothing to do: a bench leaves apply's work as it was. */
export async function planIsClean(t: BenchTarget): Promise<boolean> {
  const plan = JSON.parse(await t.host('mailctl plan --json', { timeoutMs: 300_000 })) as {
    empty: boolean;
  };
  return plan.empty;
}
