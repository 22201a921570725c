import type { Command } from 'commander';
import { formatReport, runAudit } from '../ops/audit/index.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { stderrProgress } from '../util/progress.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { readClusterFile } from './read-cluster-file.js';

/**
 * `mailctl audit`: the security checks an administrator runs on the mail host. Exit status
 * 1 when any check fails, so it can gate a deployment.
 */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'check this host: listening sockets, TLS (testssl), open relay, AUTH before TLS, SMTP smuggling, STARTTLS injection, Lynis',
    )
    .option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE)
    .option('--json', 'machine-readable output')
    .option('--no-tls', 'skip the TLS scan (minutes)')
    .option('--no-lynis', 'skip Lynis (minutes)')
    .action(async (o: { cluster: string; json?: boolean; tls: boolean; lynis: boolean }) => {
      const spec = parseClusterFile(await readClusterFile(o.cluster), o.cluster);
      const report = await runAudit(
        hostContextFromSpec(spec),
        { tls: o.tls, lynis: o.lynis, selfSigned: spec.tls.mode === 'self-signed' },
        stderrProgress('audit'),
      );
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}
