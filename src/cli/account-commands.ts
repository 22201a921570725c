import { Option, type Command } from 'commander';
import { parseDomain, parseSize } from '../ops/accounts/address.js';
import {
  addServedDomain,
  domainRemoval,
  removalText,
  removeServedDomain,
} from '../ops/accounts/domain-lifecycle.js';
import * as store from '../ops/accounts/store.js';
import { syncUserSettingsMap } from '../ops/spam/settings-map.js';
import { readPassword } from './read-password.js';

const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const table = (rows: string[][]) =>
  process.stdout.write(rows.map((r) => r.join('\t')).join('\n') + (rows.length ? '\n' : ''));
const human = (bytes: number) => (bytes === 0 ? 'unlimited' : `${Math.round(bytes / 1024 ** 2)}M`);

/** `mailctl domain|mailbox|alias`: accounts in the mail database on this host. */
export function registerAccountCommands(program: Command): void {
  const domain = program.command('domain').description('mail domains served by this host');
  domain
    .command('add <domain>')
    .description('start serving a domain')
    .action(async (d: string) => {
      const made = await addServedDomain(d);
      process.stdout.write(
        `added ${made.join('; ')}\n` +
          `Publish its DNS records (MX, SPF, DKIM, DMARC): mailctl dns --domain ${parseDomain(d)}\n`,
      );
    });
  domain
    .command('list')
    .description('list domains with their mailbox and alias counts')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const rows = await store.listDomains();
      if (o.json) json(rows);
      else
        table(rows.map((r) => [r.domain, `${r.mailboxes} mailbox(es)`, `${r.aliases} alias(es)`]));
    });
  domain
    .command('remove <domain>')
    .description(
      'stop serving a domain: its aliases, DKIM key and signing go too; refused while it has mailboxes, unless --force',
    )
    .option('--force', 'also remove its mailboxes (their mail stays on disk)')
    .action(async (d: string, o: { force?: boolean }) => {
      const removal = await domainRemoval(d);
      await removeServedDomain(removal, Boolean(o.force));
      process.stdout.write(`${removalText(removal).join('\n')}\n`);
    });

  const mailbox = program
    .command('mailbox')
    .description('mailboxes (accounts that log in and receive mail)');
  mailbox
    .command('add <address>')
    .description('create a mailbox; the password is asked for, or read from stdin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .addOption(
      new Option('--quota <size>', 'quota such as 500M or 2G; 0 for unlimited').default('2G'),
    )
    .action(async (address: string, o: { passwordStdin?: boolean; quota: string }) => {
      const quota = parseSize(o.quota);
      await store.addMailbox(address, await readPassword(Boolean(o.passwordStdin)), quota);
    });
  mailbox
    .command('list [domain]')
    .description('list mailboxes, optionally of one domain')
    .option('--json', 'machine-readable output')
    .action(async (d: string | undefined, o: { json?: boolean }) => {
      const rows = await store.listMailboxes(d);
      if (o.json) json(rows);
      else
        table(rows.map((r) => [r.address, human(r.quotaBytes), r.active ? 'active' : 'disabled']));
    });
  mailbox
    .command('passwd <address>')
    .description("change a mailbox's password (asked for, or read from stdin)")
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (address: string, o: { passwordStdin?: boolean }) =>
      store.setPassword(address, await readPassword(Boolean(o.passwordStdin))),
    );
  mailbox
    .command('quota <address> <size>')
    .description("set a mailbox's quota (e.g. 500M, 2G, 0 for unlimited)")
    .action(async (address: string, size: string) => store.setQuota(address, parseSize(size)));
  mailbox
    .command('remove <address>')
    .description('remove a mailbox (its mail stays on disk)')
    .action(async (a: string) => {
      await store.removeMailbox(a);
      await syncUserSettingsMap();
    });

  const alias = program
    .command('alias')
    .description('aliases: addresses that forward to mailboxes or elsewhere');
  alias
    .command('add <source> <destination...>')
    .description('make SOURCE (an address, or @domain for a catch-all) deliver to DESTINATIONs')
    .action(async (source: string, destinations: string[]) => {
      await store.addAlias(source, destinations);
      // A mailbox's spam settings follow the aliases that deliver to it alone.
      await syncUserSettingsMap();
    });
  alias
    .command('list')
    .description('list aliases')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const rows = await store.listAliases();
      if (o.json) json(rows);
      else table(rows.map((r) => [r.source, r.destination]));
    });
  alias
    .command('remove <source>')
    .description('remove an alias')
    .action(async (s: string) => {
      await store.removeAlias(s);
      await syncUserSettingsMap();
    });
}
