import type { Command } from 'commander';
import { applyHost, planHost, type ApplyOptions } from '../apply/apply.js';
import {
  historyFilesAt,
  historyLog,
  historyManifestAt,
  historyRevision,
  historyShow,
} from '../apply/history.js';
import { withApplyLock } from '../apply/lock.js';
import { refusePostgresModeSwitch } from '../apply/postgres-data.js';
import { mailHostSteps } from '../apply/steps/index.js';
import { checkAcmePrerequisites } from '../ops/tls/acme.js';
import { planJson } from '../plan/plan.js';
import { dbSettingsFor, useDatabase } from '../db/index.js';
import { dnsRecordsInput } from '../ops/dkim/dns-input.js';
import {
  type CheckRow,
  checkDns,
  renderCheckTable,
  resolverLookups,
} from '../ops/dns-check/index.js';
import { allPeers } from '../ops/vpn/peers.js';
import { mailHostDesiredState } from '../plan/mail-host.js';
import { rollbackDesiredState } from '../plan/rollback.js';
import { sshLockoutProblem } from '../plan/ssh-lockout.js';
import { listDnsRecords, renderDnsRecords } from '../render/dns/index.js';
import type { MailHostContext } from '../render/host-context.js';
import {
  clusterDeclarations,
  hostContextFromSpec,
  parseClusterFile,
  type ClusterDeclarations,
  type Spec,
} from '../spec/index.js';
import { isUserError, UserError } from '../util/errors.js';
import { logEvent } from '../util/journal-event.js';
import { parseDomain } from '../ops/accounts/address.js';
import { stderrProgress } from '../util/progress.js';
import { printJson } from './output.js';
import { DEFAULT_CLUSTER_FILE, readClusterFile } from './read-cluster-file.js';

export { DEFAULT_CLUSTER_FILE } from './read-cluster-file.js';

async function loadCluster(
  path: string,
): Promise<{ spec: Spec; ctx: MailHostContext; declared: ClusterDeclarations }> {
  const text = await readClusterFile(path);
  const spec = parseClusterFile(text, path);
  const ctx = hostContextFromSpec(spec);
  // Whatever this command reads or writes in the mail database, it is the one this file names.
  useDatabase(dbSettingsFor(ctx));
  return { spec, ctx, declared: clusterDeclarations(text, path) };
}

async function desiredFor(path: string) {
  const { spec, ctx, declared } = await loadCluster(path);
  const peers = await allPeers(spec);
  return { spec, ctx, declared, desired: mailHostDesiredState(ctx, peers) };
}

/** A whole mail host: every managed file, and every host step. */
const mailHostOptions = (ctx: MailHostContext, declared: ClusterDeclarations): ApplyOptions => ({
  preflight: async () => {
    refusePostgresModeSwitch(ctx);
    await checkAcmePrerequisites(ctx);
  },
  steps: mailHostSteps(ctx, declared),
  complete: true,
});

const clusterOption = (c: Command) =>
  c.option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE);

/**
 * The records `mailctl dns` prints, as zone-file text or JSON, of every served domain or of
 * one; a domain without a DKIM key yet is named on stderr.
 */
export async function dnsText(
  ctx: MailHostContext,
  o: { json?: boolean; domain?: string } = {},
): Promise<string> {
  const { input, unkeyed } = await dnsRecordsInput(ctx);
  const domain = o.domain === undefined ? undefined : parseDomain(o.domain);
  if (domain !== undefined && !input.domains.includes(domain))
    throw new UserError('E_UNKNOWN_DOMAIN', `domain ${domain} is not served here`);
  for (const d of unkeyed.filter((x) => domain === undefined || x === domain))
    process.stderr.write(`dns: ${d} has no DKIM key yet, so no DKIM record: run 'mailctl apply'\n`);
  const mine = (r: { domain: string }) => domain === undefined || r.domain === domain;
  if (o.json) return `${JSON.stringify(listDnsRecords(input).filter(mine), null, 2)}\n`;
  return renderDnsRecords(input)
    .filter(mine)
    .map((z) => z.text)
    .join('\n');
}

/** `mailctl dns --check`: every record of every served domain (or of one), looked up. */
async function dnsCheck(
  ctx: MailHostContext,
  o: { domain?: string; resolver?: string },
): Promise<CheckRow[]> {
  const lookups = resolverLookups(o.resolver);
  const { input } = await dnsRecordsInput(ctx);
  const domain = o.domain === undefined ? undefined : parseDomain(o.domain);
  if (domain !== undefined && !input.domains.includes(domain))
    throw new UserError('E_UNKNOWN_DOMAIN', `domain ${domain} is not served here`);
  return checkDns(domain ? { ...input, domains: [domain] } : input, lookups);
}

export function registerApplyCommands(program: Command): void {
  clusterOption(
    program
      .command('plan')
      .description('show what apply would change on this host')
      .option('--json', 'machine-readable output'),
  ).action(async (o: { cluster: string; json?: boolean }) => {
    const { ctx, declared, desired } = await desiredFor(o.cluster);
    refusePostgresModeSwitch(ctx);
    const { plan, text } = await planHost(desired, mailHostOptions(ctx, declared));
    if (o.json) printJson(planJson(plan));
    else process.stdout.write(text);
  });

  clusterOption(
    program
      .command('apply')
      .description('converge this host to the cluster file (run on the mail host, as root)')
      .option(
        '--allow-ssh-lockout',
        'apply even though the SSH client it runs under could not log in again afterwards',
      )
      .option('--json', 'print the applied changes as JSON'),
  ).action(async (o: { cluster: string; allowSshLockout?: boolean; json?: boolean }) => {
    const { ctx, declared, desired } = await desiredFor(o.cluster);
    // sshd sets SSH_CONNECTION to "client-address client-port server-address server-port".
    const sshClient = process.env.SSH_CONNECTION?.split(' ')[0];
    const lockout = sshLockoutProblem(sshClient, ctx.vpnSubnet, ctx.adminAllow);
    if (lockout && !o.allowSshLockout)
      throw new UserError('E_SSH_LOCKOUT', `${lockout} (or pass --allow-ssh-lockout)`);
    const result = await withApplyLock(() =>
      applyHost(desired, mailHostOptions(ctx, declared), stderrProgress('apply')),
    ).catch(async (e: unknown) => {
      await logEvent(
        `apply: failed: ${isUserError(e) ? `${e.code}: ` : ''}${(e as Error).message}`,
        'err',
      );
      throw e;
    });
    await logEvent(
      result.changed
        ? `apply: changed: ${result.plan.files.length} file(s), ${result.plan.host.length} host change(s)${result.commit ? `, history ${result.commit}` : ''}`
        : 'apply: no changes',
    );
    if (o.json) {
      printJson({
        changed: result.changed,
        commit: result.commit ?? null,
        applied: planJson(result.plan),
        notes: result.notes,
      });
      return;
    }
    for (const n of result.notes) process.stdout.write(`${n}\n`);
    if (!result.changed) process.stdout.write('No changes: the host matches the cluster file.\n');
    else process.stdout.write(`Applied${result.commit ? ` (history ${result.commit})` : ''}.\n`);
  });

  clusterOption(
    program
      .command('dns')
      .description(
        'DNS records (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DANE) to publish for every domain, as zone-file lines; --check looks them up',
      ),
  )
    .option('--json', 'machine-readable output')
    .option('--domain <domain>', "only this domain's records")
    .option(
      '--check',
      'look every record up and say whether it is published as it should be (exit 1 if not)',
    )
    .option('--resolver <address>', "with --check: ask this resolver, not the host's")
    .action(
      async (o: {
        cluster: string;
        json?: boolean;
        domain?: string;
        check?: boolean;
        resolver?: string;
      }) => {
        if (o.resolver !== undefined && !o.check)
          throw new UserError('E_USAGE', '--resolver goes with --check');
        const { ctx } = await loadCluster(o.cluster);
        if (!o.check) {
          process.stdout.write(await dnsText(ctx, { json: o.json, domain: o.domain }));
          return;
        }
        const rows = await dnsCheck(ctx, { domain: o.domain, resolver: o.resolver });
        if (o.json) printJson(rows);
        else process.stdout.write(renderCheckTable(rows));
        if (rows.some((r) => r.state !== 'present')) process.exitCode = 1;
      },
    );

  const history = program
    .command('history')
    .description(
      'the applies that changed this host (a git repository in /var/lib/mailctl/history)',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const log = await historyLog();
      if (o.json) process.stdout.write(`${JSON.stringify(log, null, 2)}\n`);
      else for (const e of log) process.stdout.write(`${e.rev}  ${e.date}  ${e.subject}\n`);
    });
  history
    .command('show <rev>')
    .description('what one apply changed, as a patch (secrets appear only as tokens)')
    .option('--json', 'machine-readable output: date, subject, changed paths and the patch')
    // `history` has its own --json, which commander gives the parent wherever it stands.
    .action(async (rev: string, _o: unknown, cmd: Command) => {
      if (cmd.optsWithGlobals<{ json?: boolean }>().json) printJson(await historyRevision(rev));
      else process.stdout.write(await historyShow(rev));
    });

  clusterOption(
    program
      .command('rollback <rev>')
      .description(
        'put the managed files back as history revision REV recorded them (checked and reloaded as by apply)',
      )
      .option('--json', 'machine-readable output'),
  ).action(async (rev: string, o: { cluster: string; json?: boolean }) => {
    const atRevision = await historyFilesAt(rev);
    const { desired: current } = await desiredFor(o.cluster);
    const { desired, unknownAtRevision, removedAtRevision } = rollbackDesiredState(
      current,
      atRevision,
      await historyManifestAt(rev),
    );
    for (const path of unknownAtRevision)
      process.stderr.write(`rollback: ${path} did not exist at ${rev}; it stays as rendered now\n`);
    for (const path of removedAtRevision)
      process.stderr.write(`rollback: ${path} was not managed at ${rev}; it is removed\n`);
    // No account seeding or migrations: a rollback touches configuration only. Complete:
    // the revision's manifest is the whole set of managed files.
    const result = await withApplyLock(() =>
      applyHost(
        desired,
        { complete: true },
        stderrProgress('rollback'),
        `mailctl rollback to ${rev}`,
      ),
    );
    if (o.json)
      printJson({
        rev,
        changed: result.changed,
        commit: result.commit ?? null,
        keptAsRendered: unknownAtRevision,
        removed: removedAtRevision,
      });
    else if (!result.changed)
      process.stdout.write(`No changes: the host already matches ${rev}.\n`);
    else
      process.stdout.write(
        `Rolled back to ${rev}${result.commit ? ` (history ${result.commit})` : ''}; ` +
          "the next 'mailctl apply' renders the cluster file again.\n",
      );
  });
}
