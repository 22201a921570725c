import type { Command } from 'commander';
import { dbSettingsFor, useDatabase } from '../db/index.js';
import { TEXTFILE_PATH, writeTextfile } from '../ops/metrics/gather.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { readClusterFile } from './read-cluster-file.js';

/** `mailctl metrics textfile`: what the timer mailctl-metrics.timer runs. */
export function registerMetricsCommand(program: Command): void {
  const metrics = program
    .command('metrics')
    .description('metrics for Prometheus (docs/monitoring.md)');
  metrics
    .command('textfile')
    .description(
      `write the metrics no exporter has (certificate expiry, queue age, Fail2ban bans, backups) to ${TEXTFILE_PATH}, and print them`,
    )
    .option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE)
    .action(async (o: { cluster: string }) => {
      const ctx = hostContextFromSpec(
        parseClusterFile(await readClusterFile(o.cluster), o.cluster),
      );
      useDatabase(dbSettingsFor(ctx));
      process.stdout.write(await writeTextfile(ctx));
    });
}
