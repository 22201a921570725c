import type { Command } from 'commander';

export function registerLabCommands(program: Command): void {
  program
    .command('lab')
    .description('Debian 13 test host on this machine (build, up, exec, status, down)');
}
