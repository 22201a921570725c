import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { parseClusterFile } from '../spec/index.js';
import { UserError, ValidationError } from '../util/errors.js';

/** `mailctl validate [FILE]`: every problem at once, nothing changed anywhere. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate [file]')
    .description('check a cluster file and report every problem with its path and line')
    .option('--json', 'machine-readable output')
    .action(async (file: string | undefined, o: { json?: boolean }) => {
      const path = file ?? 'cluster.yaml';
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new UserError('E_SPEC_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
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
