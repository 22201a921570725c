import { Option, type Command } from 'commander';
import { parseAddress, parseDomain, parseSize } from '../ops/accounts/address.js';
import {
  addServedDomain,
  domainRemoval,
  removalText,
  removeServedDomain,
} from '../ops/accounts/domain-lifecycle.js';
import { readDeclarations } from '../ops/accounts/declarations.js';
import {
  changePassword,
  refuseAliasLoop,
  removeMailboxEntirely,
  setMailboxEnabled,
} from '../ops/accounts/mailbox-lifecycle.js';
import * as store from '../ops/accounts/store.js';
import { syncUserSettingsMap } from '../ops/spam/settings-map.js';
import { refuseIfDeclared } from '../spec/index.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson as json } from './output.js';
import { readPassword } from './read-password.js';

const table = (rows: string[][]) =>
  process.stdout.write(rows.map((r) => r.join('\t')).join('\n') + (rows.length ? '\n' : ''));
const lines = (l: readonly string[]) => process.stdout.write(`${l.join('\n')}\n`);
/** A change command's report: its JSON object with --json, else the lines it says. */
const report = (o: JsonOption, value: object, text: readonly string[]) =>
  o.json ? json(value) : text.length ? lines(text) : undefined;
type JsonOption = { json?: boolean };
const jsonOption = (c: Command) => c.option('--json', 'machine-readable output');
const human = (bytes: number) => (bytes === 0 ? 'unlimited' : `${Math.round(bytes / 1024 ** 2)}M`);

/** The cluster file whose declarations a command may not remove or change. */
const clusterOption = (c: Command) =>
  c.option('--cluster <file>', 'the cluster file that owns what it declares', DEFAULT_CLUSTER_FILE);
type WithCluster = { cluster: string };

/**
 * `mailctl domain|mailbox|alias`: accounts in the mail database on this host. What the
 * cluster file declares is its own: removing or changing it here is refused with the line
 * to edit (E_DECLARED_IN_CLUSTER_FILE). Everything else belongs to these commands, and apply
 * never undoes it.
 */
export function registerAccountCommands(program: Command): void {
  const domain = program.command('domain').description('mail domains served by this host');
  jsonOption(domain.command('add <domain>').description('start serving a domain')).action(
    async (d: string, o: JsonOption) => {
      const made = await addServedDomain(d);
      const records = `mailctl dns --domain ${parseDomain(d)}`;
      report(o, { domain: parseDomain(d), added: made, records }, [
        `added ${made.join('; ')}`,
        `Publish its DNS records (MX, SPF, DKIM, DMARC): ${records}`,
      ]);
    },
  );
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
  clusterOption(
    jsonOption(domain.command('remove <domain>')).description(
      'stop serving a domain: its aliases, DKIM key and signing go too; refused while it has mailboxes, unless --force',
    ),
  )
    .option('--force', 'also remove its mailboxes (their mail stays on disk)')
    .action(async (d: string, o: WithCluster & JsonOption & { force?: boolean }) => {
      const name = parseDomain(d);
      refuseIfDeclared(
        await readDeclarations(o.cluster),
        'domain',
        name,
        `remove it there, then run 'mailctl domain remove ${name}'`,
      );
      const removal = await domainRemoval(name);
      await removeServedDomain(removal, Boolean(o.force));
      report(o, removal, removalText(removal));
    });

  const mailbox = program
    .command('mailbox')
    .description('mailboxes (accounts that log in and receive mail)');
  jsonOption(mailbox.command('add <address>'))
    .description('create a mailbox; the password is asked for, or read from stdin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .addOption(
      new Option('--quota <size>', 'quota such as 500M or 2G; 0 for unlimited').default('2G'),
    )
    .action(async (address: string, o: JsonOption & { passwordStdin?: boolean; quota: string }) => {
      const quota = parseSize(o.quota);
      await store.addMailbox(address, await readPassword(Boolean(o.passwordStdin)), quota);
      report(o, { address: parseAddress(address).address, quotaBytes: quota }, []);
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
  jsonOption(mailbox.command('passwd <address>'))
    .description("change a mailbox's password (asked for, or read from stdin)")
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (address: string, o: JsonOption & { passwordStdin?: boolean }) => {
      const said = await changePassword(address, await readPassword(Boolean(o.passwordStdin)));
      report(o, { address: parseAddress(address).address, said }, said);
    });
  clusterOption(
    jsonOption(mailbox.command('quota <address> <size>')).description(
      "set a mailbox's quota (e.g. 500M, 2G, 0 for unlimited)",
    ),
  ).action(async (address: string, size: string, o: WithCluster & JsonOption) => {
    const a = parseAddress(address).address;
    refuseIfDeclared(
      await readDeclarations(o.cluster),
      'mailbox',
      a,
      'its quota is set there (quota, or mail.default_quota): change it there and run mailctl apply',
    );
    await store.setQuota(a, parseSize(size));
    report(o, { address: a, quotaBytes: parseSize(size) }, []);
  });
  clusterOption(
    jsonOption(mailbox.command('remove <address>')).description(
      'remove a mailbox, its initial-password secret and its open sessions; aliases lose it as a destination (its mail stays on disk)',
    ),
  ).action(async (a: string, o: WithCluster & JsonOption) => {
    const said = await removeMailboxEntirely(a, await readDeclarations(o.cluster));
    await syncUserSettingsMap();
    report(o, { address: parseAddress(a).address, said }, said);
  });
  for (const [verb, enabled, what] of [
    [
      'disable',
      false,
      'suspend a mailbox: no login (IMAP, POP3, SOGo, submission), mail to it refused with 550 5.2.1, its data kept',
    ],
    ['enable', true, 'let a disabled mailbox log in and receive mail again'],
  ] as const) {
    mailbox
      .command(`${verb} <address>`)
      .description(what)
      .option('--json', 'machine-readable output')
      .action(async (address: string, o: { json?: boolean }) => {
        const said = await setMailboxEnabled(address, enabled);
        // A disabled mailbox's spam settings leave Rspamd's map with it, and come back.
        await syncUserSettingsMap();
        if (o.json) json({ address: parseAddress(address).address, active: enabled });
        else lines(said);
      });
  }

  const alias = program
    .command('alias')
    .description('aliases: addresses that forward to mailboxes or elsewhere');
  clusterOption(
    jsonOption(alias.command('add <source> <destination...>')).description(
      'make SOURCE (an address, or @domain for a catch-all) deliver to DESTINATIONs; refused if it would loop',
    ),
  ).action(async (source: string, destinations: string[], o: WithCluster & JsonOption) => {
    const s = parseAddress(source, { allowCatchAll: true }).address;
    refuseIfDeclared(
      await readDeclarations(o.cluster),
      'alias',
      s,
      'its destinations are set there: change them there and run mailctl apply',
    );
    await refuseAliasLoop(
      s,
      destinations.map((d) => parseAddress(d).address),
    );
    await store.addAlias(source, destinations);
    // A mailbox's spam settings follow the aliases that deliver to it alone.
    await syncUserSettingsMap();
    report(o, { source: s, destinations: destinations.map((d) => parseAddress(d).address) }, []);
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
  clusterOption(jsonOption(alias.command('remove <source>')).description('remove an alias')).action(
    async (source: string, o: WithCluster & JsonOption) => {
      const s = parseAddress(source, { allowCatchAll: true }).address;
      refuseIfDeclared(
        await readDeclarations(o.cluster),
        'alias',
        s,
        `remove it there, then run 'mailctl alias remove ${s}'`,
      );
      await store.removeAlias(s);
      await syncUserSettingsMap();
      report(o, { source: s }, []);
    },
  );
}
