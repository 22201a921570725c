import type { Command } from 'commander';
import {
  formatReport,
  parseAuditOptions,
  runAudit,
  runRemoteAudit,
  type RawAuditOptions,
} from '../ops/audit/index.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { logEvent } from '../util/journal-event.js';
import { stderrProgress } from '../util/progress.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { readClusterFile } from './read-cluster-file.js';

/**
 * `mailctl audit`: the security checks an administrator runs on the mail host, or, with
 * --remote, from another machine against one of its addresses. Exit status 1 when any
 * check fails, so it can gate a deployment.
 */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'check this host: listening sockets, TLS (testssl), open relay, AUTH before TLS, SMTP smuggling, STARTTLS injection, Lynis; ' +
        'with --remote, check it from another machine: which TCP ports answer, TLS, the SMTP probes',
    )
    .option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE)
    .option('--host <name>', 'the host in the cluster file (default: the mail host)')
    .option(
      '--remote <address>',
      "audit from this machine, at one of the host's addresses (or a name): a port scan, TLS, the SMTP probes",
    )
    .option(
      '--side <side>',
      'where this machine stands, for --remote: internet, admin (a network on ssh.admin_allow) or vpn (default: from the address)',
    )
    .option('--json', 'machine-readable output')
    .option('--no-tls', 'skip the TLS scan (minutes)')
    .option('--tls-ports <ports>', 'scan only these TLS ports, e.g. 465,587 (default: every one)')
    .option('--no-lynis', 'skip Lynis (minutes; on the host only)')
    .action(async (raw: RawAuditOptions) => {
      const o = parseAuditOptions(raw);
      const spec = parseClusterFile(await readClusterFile(o.cluster), o.cluster);
      const ctx = hostContextFromSpec(spec, o.host);
      const selfSigned = spec.tls.mode === 'self-signed';
      const progress = stderrProgress('audit');
      const report = o.remote
        ? await runRemoteAudit(
            ctx,
            {
              ...o.remote,
              tls: o.tls,
              selfSigned,
              ...(o.tlsPorts ? { tlsPorts: o.tlsPorts } : {}),
            },
            progress,
          )
        : await runAudit(
            ctx,
            {
              tls: o.tls,
              lynis: o.lynis,
              selfSigned,
              ...(o.tlsPorts ? { tlsPorts: o.tlsPorts } : {}),
            },
            progress,
          );
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.ok) process.exitCode = 1;
      // On the host, a failed audit is an event for its monitoring.
      if (!o.remote && !report.ok)
        await logEvent(
          `audit: failed: ${report.checks
            .filter((c) => !c.ok)
            .map((c) => c.id)
            .join(', ')}`,
          'err',
        );
    });
}
