import type { Command } from 'commander';
import { renewAcmeCertificate } from '../ops/tls/acme.js';
import { withApplyLock } from '../apply/lock.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson } from './output.js';
import { readClusterFile } from './read-cluster-file.js';

export function registerTlsCommands(program: Command): void {
  const tls = program.command('tls').description("the host's TLS certificate");
  tls
    .command('renew')
    .description(
      'renew the ACME certificate now, as certbot.timer would (the deploy hook installs it and reloads postfix, dovecot and nginx)',
    )
    .option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE)
    .option('--force', 'renew even if the certificate is not due yet')
    .option('--json', "machine-readable output: certbot's exit status and output")
    .action(async (o: { cluster: string; force?: boolean; json?: boolean }) => {
      const ctx = hostContextFromSpec(
        parseClusterFile(await readClusterFile(o.cluster), o.cluster),
      );
      const r = await withApplyLock(() => renewAcmeCertificate(ctx, o.force === true));
      if (o.json && r.code === 0) printJson({ renewed: true, output: r.output });
      if (!o.json) process.stdout.write(r.output);
      if (r.code !== 0) {
        // In JSON mode certbot's output is not on stdout, so its last lines go with the error.
        const tail = o.json ? `: ${r.output.trim().split('\n').slice(-5).join(' | ')}` : '';
        throw new UserError('E_ACME_RENEW', `certbot renew failed (exit ${r.code})${tail}`, {
          exitCode: 1,
        });
      }
    });
}
