import type { Command } from 'commander';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { dbSettingsFor, useDatabase } from '../db/index.js';
import { healthChecks } from '../ops/health/checks.js';
import { dnsCheck } from '../ops/health/dns-check.js';
import { exitCodeFor, healthReport, jsonLine, reportLines } from '../ops/health/report.js';
import { runChecks } from '../ops/health/run-checks.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson } from './output.js';
import { readClusterFile } from './read-cluster-file.js';

interface HealthOptions {
  cluster: string;
  json?: boolean;
  log?: string;
  dns?: boolean;
}

/**
 * `mailctl health`: every check at once, each with its own time limit. The exit status is
 * the worst check's: 0 ok, 1 warning, 2 critical (here 2 is a finding, not bad usage).
 */
export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description(
      'probe every daemon and resource of the mail host; exit 0 ok, 1 warning, 2 critical',
    )
    .option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE)
    .option('--json', 'machine-readable output: {ts, status, checks[{name,status,detail,ms}]}')
    .option('--dns', "also check that the records 'mailctl dns' prints are published")
    .option('--log <file>', 'append the report as one JSON line to this file (the timer does)')
    .action(async (o: HealthOptions) => {
      const ctx = hostContextFromSpec(
        parseClusterFile(await readClusterFile(o.cluster), o.cluster),
      );
      // The database of the cluster file named (the backup and DNS checks read it).
      useDatabase(dbSettingsFor(ctx));
      const ts = Date.now();
      // The timer's runs try an outside MX's port 25 at most hourly while it answers; a
      // run by hand always tries.
      const reuseOutboundMs = o.log ? 60 * 60_000 : 0;
      const checks = [
        ...healthChecks(ctx, Date.now, { reuseOutboundMs }),
        ...(o.dns ? [dnsCheck(ctx)] : []),
      ];
      const report = healthReport(ts, await runChecks(checks));
      if (o.log) {
        await mkdir(dirname(o.log), { recursive: true, mode: 0o750 });
        await appendFile(o.log, jsonLine(report), { mode: 0o640 });
      }
      if (o.json) printJson(report);
      else if (!o.log) process.stdout.write(`${reportLines(report).join('\n')}\n`);
      process.exitCode = exitCodeFor(report.status);
    });
}
