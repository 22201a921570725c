import type { Command } from 'commander';
import * as spam from '../ops/spam/store.js';

const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const score = (n: number | null) => (n === null ? 'default' : String(n));

interface ThresholdOptions {
  reject?: string;
  addHeader?: string;
  greylist?: string;
  reset?: boolean;
}

/** `mailctl spam`: per-user Rspamd settings, kept in the mail database and live at once. */
export function registerSpamCommands(program: Command): void {
  const cmd = program
    .command('spam')
    .description("a mailbox's own spam thresholds and sender allow/block lists (Rspamd)");
  cmd
    .command('show [address]')
    .description('show the settings of one mailbox, or of every mailbox that has some')
    .option('--json', 'machine-readable output')
    .action(async (address: string | undefined, o: { json?: boolean }) => {
      const rows = await spam.showSpamSettings(address);
      if (o.json) {
        json(rows);
        return;
      }
      for (const r of rows) {
        process.stdout.write(
          `${r.address}\treject ${score(r.rejectScore)}\tadd-header ${score(r.addHeaderScore)}\t` +
            `greylist ${score(r.greylistScore)}\tallow ${r.allowSenders.join(',') || '-'}\t` +
            `block ${r.blockSenders.join(',') || '-'}\n`,
        );
      }
    });
  cmd
    .command('set <address>')
    .description("set a mailbox's own action thresholds (the cluster file's apply to the rest)")
    .option('--reject <score>', 'refuse mail at or above this score')
    .option('--add-header <score>', 'mark mail as spam at or above this score')
    .option('--greylist <score>', 'greylist mail at or above this score')
    .option('--reset', "drop the mailbox's own thresholds (back to the cluster file's)")
    .action(async (address: string, o: ThresholdOptions) => {
      const pick = (flag: string, v: string | undefined) =>
        v === undefined ? (o.reset ? null : undefined) : spam.parseScore(flag, v);
      await spam.setThresholds(address, {
        reject: pick('--reject', o.reject),
        addHeader: pick('--add-header', o.addHeader),
        greylist: pick('--greylist', o.greylist),
      });
    });
  cmd
    .command('allow <address> <sender...>')
    .description('always accept mail from these senders (user@domain or @domain)')
    .action(async (address: string, senders: string[]) =>
      spam.listSenders(address, 'allow', senders),
    );
  cmd
    .command('block <address> <sender...>')
    .description('always refuse mail from these senders (user@domain or @domain)')
    .action(async (address: string, senders: string[]) =>
      spam.listSenders(address, 'block', senders),
    );
  cmd
    .command('unlist <address> <sender...>')
    .description('take senders off the allow and block lists')
    .action(async (address: string, senders: string[]) => spam.unlistSenders(address, senders));
}
