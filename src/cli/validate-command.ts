import type { Command } from 'commander';
import { parseClusterFile } from '../spec/index.js';
import { UserError, ValidationError } from '../util/errors.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson } from './output.js';
import { readClusterFile } from './read-cluster-file.js';

/**
 * `mailctl validate [--cluster FILE]`: every problem at once, nothing changed anywhere.
 * The file is named as for every other command; the positional FILE stays as an alias.
 */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate [file]')
    .description('check a cluster file and report every problem with its path and line')
    .option('--cluster <file>', `the cluster file (default: ${DEFAULT_CLUSTER_FILE})`)
    .option('--json', 'machine-readable output')
    .action(async (file: string | undefined, o: { cluster?: string; json?: boolean }) => {
      if (file !== undefined && o.cluster !== undefined && file !== o.cluster)
        throw new UserError(
          'E_USAGE',
          `two cluster files given (${file} and --cluster ${o.cluster}): name one`,
        );
      const path = file ?? o.cluster ?? DEFAULT_CLUSTER_FILE;
      const text = await readClusterFile(path);
      try {
        const spec = parseClusterFile(text, path);
        if (o.json) printJson({ file: path, valid: true, issues: [] });
        else
          process.stdout.write(
            `${path}: valid (${spec.hosts.length} host(s), ${spec.domains.length} domain(s))\n`,
          );
      } catch (e) {
        if (!(e instanceof ValidationError) || !o.json) throw e;
        printJson({ file: path, valid: false, issues: e.issues });
        process.exitCode = 2;
      }
    });
}
