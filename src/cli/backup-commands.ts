import type { Command } from 'commander';
import { dbSettingsFor, useDatabase } from '../db/index.js';
import { createInterface } from 'node:readline';
import { statusLines } from '../ops/backup/assess.js';
import { backupStatus } from '../ops/backup/gather.js';
import { listBackups, listLines, unreadableError } from '../ops/backup/list-backups.js';
import {
  mailboxRestoreLines,
  planMailboxRestore,
  refuseOverLiveMailbox,
  restoreMailbox,
  restoreSummary,
} from '../ops/backup/restore-mailbox.js';
import {
  accountChangesSince,
  planDbRestore,
  recoveryTarget,
  restoreDatabase,
  undoneChangesLines,
} from '../ops/backup/restore-db.js';
import {
  hostRestoreSummary,
  planHostRestore,
  refuseOverLiveData,
  restoreHost,
} from '../ops/backup/restore-host.js';
import { openWithKit, type RestoreSource } from '../ops/backup/kit-access.js';
import { readRecoveryKit, recoveryKitText } from '../ops/backup/kit-io.js';
import { failedRuns, runBackups, runLines } from '../ops/backup/run-backup.js';
import { dumpSogoUsers } from '../ops/backup/sogo-dump.js';
import { damageError, verifyBackups } from '../ops/backup/verify.js';
import { verifyLines } from '../ops/backup/verify-report.js';
import type { MailHostContext } from '../render/host-context.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson } from './output.js';
import { readClusterFile } from './read-cluster-file.js';

interface Common {
  cluster: string;
  json?: boolean;
}

async function hostContext(o: Common): Promise<MailHostContext> {
  const ctx = hostContextFromSpec(parseClusterFile(await readClusterFile(o.cluster), o.cluster));
  // The database of the cluster file named, not the default one's.
  useDatabase(dbSettingsFor(ctx));
  return ctx;
}

const print = (lines: readonly string[]) =>
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');

/**
 * Asks before a restore changes anything; --yes answers for scripts. Without a terminal
 * and without --yes it refuses, so that no restore happens unasked.
 */
async function confirm(what: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw new UserError(
      'E_CONFIRMATION_REQUIRED',
      `this would ${what}; there is no terminal to ask: run it again with --yes`,
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((r) =>
    rl.question(`This will ${what}. Go on? [y/N] `, r),
  );
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new UserError('E_NOT_CONFIRMED', 'nothing was restored', { exitCode: 1 });
}

/** `mailctl backup run|list|status|verify` and `mailctl restore mailbox|db`. */
export function registerBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description(
      'backups of the database (pgBackRest) and of mail, configuration and keys (restic)',
    );
  const withCluster = (c: Command) =>
    c.option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE);

  withCluster(
    backup
      .command('run')
      .description('back up now, as the timers do, and print what was stored and how long it took')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Common) => {
    const outcomes = await runBackups(await hostContext(o));
    const failure = failedRuns(outcomes);
    if (!o.json) {
      print(runLines(outcomes));
      if (failure) throw failure;
      return;
    }
    // One document either way, the failure in it as every --json error is.
    const error = failure && { code: failure.code, message: failure.message };
    printJson({ ok: !failure, runs: outcomes, ...(error ? { error } : {}) });
    if (failure) process.exitCode = failure.exitCode;
  });

  withCluster(
    backup
      .command('list')
      .description(
        'the backups in each repository (local and off-site), with times and sizes; exit 1 if one cannot be read',
      )
      .option('--json', 'machine-readable output'),
  ).action(async (o: Common) => {
    const listing = await listBackups(await hostContext(o));
    // What could be read is listed either way; a repository that could not be is exit 1.
    const unreadable = unreadableError(listing);
    if (!o.json) {
      print(listLines(listing.backups));
      if (unreadable) throw unreadable;
      return;
    }
    printJson(listing.backups);
    if (unreadable) {
      process.stderr.write(`mailctl: ${unreadable.code}: ${unreadable.message}\n`);
      process.exitCode = unreadable.exitCode;
    }
  });

  withCluster(
    backup
      .command('status')
      .description(
        "the age of the last good backup per repository and the WAL archive's state; exit 1 if anything is stale or failing",
      )
      .option('--json', 'machine-readable output'),
  ).action(async (o: Common) => {
    const status = await backupStatus(await hostContext(o));
    if (o.json) printJson(status);
    else print(statusLines(status));
    if (!status.ok) process.exitCode = 1;
  });

  withCluster(
    backup
      .command('verify')
      .description(
        'read the repositories back (restic check, pgbackrest verify); exit 1 naming what is damaged',
      )
      .option('--read-data', "read all of restic's data, not the day's seventh of it")
      .option('--json', 'machine-readable output'),
  ).action(async (o: Common & { readData?: boolean }) => {
    const results = await verifyBackups(await hostContext(o), {
      readData: o.readData === true,
      now: Date.now(),
    });
    const damage = damageError(results);
    if (!o.json) {
      print(verifyLines(results));
      if (damage) throw damage;
      return;
    }
    const error = damage && { code: damage.code, message: damage.message };
    printJson({ ok: !damage, repositories: results, ...(error ? { error } : {}) });
    if (damage) process.exitCode = damage.exitCode;
  });

  withCluster(
    backup
      .command('recovery-kit')
      .description(
        "print the secrets that open this host's backups (restic's password, pgBackRest's key, the off-site SSH key) as one file to keep off the host",
      ),
  ).action(async (o: Common) => {
    process.stdout.write(await recoveryKitText(await hostContext(o)));
  });

  withCluster(
    backup
      .command('sogo-dump')
      .description(
        "write every SOGo user's calendars, contacts and preferences (sogo-tool backup) for the next snapshot; the backup units run it first",
      ),
  ).action(async (o: Common) => {
    await hostContext(o);
    const done = await dumpSogoUsers();
    print([`dumped the SOGo data of ${done.users} user(s) into ${done.dir}`]);
  });

  const restore = program.command('restore').description('bring data back from the backups');
  withCluster(
    restore
      .command('mailbox <address>')
      .description(
        "bring a mailbox's mail (keeping UIDs) and, in place, its SOGo calendars, contacts and preferences back from a snapshot",
      )
      .option(
        '--as <address>',
        'put the mail into this (existing, empty) mailbox instead, leaving the original alone',
      )
      .option('--at <time>', 'from the newest snapshot taken at or before this moment')
      .option('--yes', 'do not ask for confirmation')
      .option(
        '--force',
        'restore over the live mailbox, or a target that holds mail (what it held is moved aside, not deleted)',
      ),
  ).action(
    async (
      address: string,
      o: Common & { as?: string; at?: string; yes?: boolean; force?: boolean },
    ) => {
      const ctx = await hostContext(o);
      const plan = await planMailboxRestore(ctx, address, {
        ...(o.as === undefined ? {} : { as: o.as }),
        ...(o.at === undefined ? {} : { at: o.at }),
        now: Date.now(),
      });
      refuseOverLiveMailbox(plan, o.force === true);
      await confirm(restoreSummary(plan), o.yes === true);
      const done = await restoreMailbox(ctx, plan, o.force === true);
      print(mailboxRestoreLines(plan, done));
    },
  );

  withCluster(
    restore
      .command('db')
      .description(
        'point-in-time recovery of the mail database (pgBackRest), with the daemons stopped and started around it',
      )
      .requiredOption('--to <time>', 'the moment to go back to, e.g. 2026-12-07T06:50:00Z')
      .option('--yes', 'do not ask for confirmation'),
  ).action(async (o: Common & { to: string; yes?: boolean }) => {
    const target = await planDbRestore(await hostContext(o), o.to);
    // Before the question: what the administrator is about to lose, change by change.
    const undone = await accountChangesSince(target.iso);
    process.stderr.write(`${undoneChangesLines(target.iso, undone).join('\n')}\n`);
    await confirm(
      `replace the mail database with its state at ${target.iso}: every change made to it ` +
        'since (accounts, passwords, aliases, spam settings) is undone; Postfix, Dovecot and ' +
        'SOGo stop meanwhile; mail in the Maildirs is not touched',
      o.yes === true,
    );
    const done = await restoreDatabase(target, (line) => process.stderr.write(`${line}\n`));
    print([
      `restored the mail database to ${target.iso}; the state it replaced is in ` +
        `pgBackRest backup ${done.safetyBackup}`,
    ]);
  });

  withCluster(
    restore
      .command('host')
      .description(
        "disaster recovery: on a fresh host after its first apply, bring back another host's mail, database, keys, secrets and history from its backups, then apply",
      )
      .requiredOption('--from <repository>', 'offsite or local')
      .requiredOption('--kit <file>', "the old host's recovery kit ('-': standard input)")
      .option('--to <time>', 'roll the database forward only to this moment')
      .option('--yes', 'do not ask for confirmation')
      .option('--force', 'restore even if this host holds mail (it is moved aside, not deleted)'),
  ).action(
    async (
      o: Common & { from: string; kit: string; to?: string; yes?: boolean; force?: boolean },
    ) => {
      if (o.from !== 'offsite' && o.from !== 'local')
        throw new UserError('E_USAGE', `--from is offsite or local, not '${o.from}'`);
      const ctx = await hostContext(o);
      const kit = await readRecoveryKit(o.kit);
      const target = o.to === undefined ? undefined : recoveryTarget(o.to, Date.now());
      const access = await openWithKit(ctx, kit, o.from as RestoreSource);
      try {
        const plan = await planHostRestore(ctx, access, target);
        refuseOverLiveData(ctx, plan, o.force === true);
        // The kit on standard input leaves no terminal to answer on.
        await confirm(hostRestoreSummary(plan, access), o.yes === true);
        const done = await restoreHost(ctx, access, plan, {
          force: o.force === true,
          clusterFile: o.cluster,
          progress: (line) => process.stderr.write(`restore host: ${line}\n`),
        });
        print([
          `restored host ${kit.host} from the ${access.source} repositories: restic snapshot ` +
            `${done.snapshot}, pgBackRest backup ${done.database}` +
            (target ? ` rolled forward to ${target.iso}` : ''),
          `${done.mailboxes} mailbox home(s) with ${done.messages} message(s), /etc/mailctl (secrets, ` +
            'cluster file, VPN peers), the apply history, the DKIM keys' +
            (ctx.tls.acme ? ', the ACME account' : ''),
          ...done.movedAside.map((p) => `what this host held before is in ${p}`),
          ...(done.clusterFileKept
            ? [
                `the backup's cluster file differs from this host's: it is in ${done.clusterFileKept}`,
              ]
            : []),
        ]);
      } finally {
        await access.dispose();
      }
    },
  );
}
