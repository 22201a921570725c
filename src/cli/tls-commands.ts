import type { Command } from 'commander';
import { renewAcmeCertificate } from '../ops/tls/acme.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
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
    .action(async (o: { cluster: string; force?: boolean }) => {
      const ctx = hostContextFromSpec(
        parseClusterFile(await readClusterFile(o.cluster), o.cluster),
      );
      const r = await renewAcmeCertificate(ctx, o.force === true);
      process.stdout.write(r.output);
      if (r.code !== 0)
        throw new UserError('E_ACME_RENEW', `certbot renew failed (exit ${r.code})`, {
          exitCode: 1,
        });
    });
}
