import type { Command } from 'commander';
import { parseClusterFile } from '../spec/index.js';
import { ValidationError } from '../util/errors.js';
import { readClusterFile } from './read-cluster-file.js';

/** `mailctl validate [FILE]`: every problem at once, nothing changed anywhere. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate [file]')
    .description('check a cluster file and report every problem with its path and line')
    .option('--json', 'machine-readable output')
    .action(async (file: string | undefined, o: { json?: boolean }) => {
      const path = file ?? 'cluster.yaml';
      const text = await readClusterFile(path);
      try {
        const spec = parseClusterFile(text, path);
        if (o.json)
          process.stdout.write(`${JSON.stringify({ file: path, valid: true, issues: [] })}\n`);
        else
          process.stdout.write(
            `${path}: valid (${spec.hosts.length} host(s), ${spec.domains.length} domain(s))\n`,
          );
      } catch (e) {
        if (!(e instanceof ValidationError) || !o.json) throw e;
        process.stdout.write(`${JSON.stringify({ file: path, valid: false, issues: e.issues })}\n`);
        process.exitCode = 2;
      }
    });
}
