import { Argument, Command, Option } from 'commander';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRootfs } from '../lab/build.js';
import { buildCheckerRoot } from '../lab/checker-root.js';
import { labDown } from '../lab/down.js';
import { LAB_NAMESPACES, labExec, type LabNamespace } from '../lab/exec.js';
import { LAB_ACME_CA_ON_HOST, LAB_ACME_DIRECTORY } from '../lab/acme.js';
import { labLayout } from '../lab/layout.js';
import { labStatus, type LabStatus } from '../lab/status.js';
import { buildLabPostgresImage } from '../lab/postgres-image/build-image.js';
import { LAB_CLUSTER_PATH, labUp } from '../lab/up.js';
import { publishLabDns } from '../lab/dns-server.js';
import { stderrProgress } from '../util/progress.js';

const nameOption = () =>
  new Option('--name <name>', 'lab name (several labs can run side by side)').default('lab');

export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description(
      'a Debian 13 test host booted with systemd on this machine, with an internet and a VPN side',
    );

  lab
    .command('build')
    .description('build (or reuse from the cache) the Debian 13 root file system')
    .option('--force', 'rebuild even when a cached root matches (with --checker-root: that one)')
    .option(
      '--checker-root',
      'also build a copy with every checked component installed, for the unit tests; prints only its path',
    )
    .action(async (opts: { force?: boolean; checkerRoot?: boolean }) => {
      if (opts.checkerRoot) {
        // The path alone, so that `MAILCTL_DEBIAN13_ROOT=$(mailctl lab build --checker-root)`
        // works; whether it was cached is on the progress lines.
        const r = await buildCheckerRoot(stderrProgress('lab build'), opts);
        process.stdout.write(`${r.dir}\n`);
        return;
      }
      const r = await buildRootfs(stderrProgress('lab build'), opts);
      process.stdout.write(`${r.dir}${r.cached ? ' (cached)' : ''}\n`);
    });

  lab
    .command('up')
    .description(
      'boot a fresh lab host and its internet and VPN client namespaces, then apply the cluster file',
    )
    .addOption(nameOption())
    .option('--fqdn <name>', 'host name of the lab host', 'mail.example.com')
    .option('--cluster <file>', 'cluster file to apply on the lab host', defaultClusterFile())
    .option('--bare', 'boot a bare Debian 13 host: no cluster file, no apply')
    .action(async (opts: { name: string; fqdn: string; cluster: string; bare?: boolean }) => {
      await labUp(
        {
          name: opts.name,
          fqdn: opts.fqdn,
          bundlePath: fileURLToPath(import.meta.url),
          clusterFile: opts.bare ? undefined : opts.cluster,
          apply: !opts.bare,
          postgresEntrypoint: postgresEntrypointFile(),
        },
        stderrProgress('lab up'),
      );
      process.stdout.write(reachText(await labStatus(opts.name), !opts.bare));
    });

  lab
    .command('image')
    .description(
      'build an image on the lab host with buildah from its prefetched Debian 13 packages, no registry (postgres: PostgreSQL 17 for postgres.mode: container, tagged localhost/mailctl/postgres:17)',
    )
    .addArgument(new Argument('<image>', 'which image').choices(['postgres']))
    .addOption(nameOption())
    .action(async (_image: string, opts: { name: string }) => {
      const built = await buildLabPostgresImage(
        opts.name,
        postgresEntrypointFile(),
        stderrProgress('lab image'),
      );
      process.stdout.write(
        `${built.tag} ${built.id.slice(0, 12)} ${(built.bytes / 1e6).toFixed(0)} MB\n`,
      );
    });

  lab
    .command('down')
    .description(
      'stop the lab and remove its processes, mounts, namespaces, interfaces and sockets',
    )
    .addOption(nameOption())
    .action(async (opts: { name: string }) => {
      await labDown(opts.name, stderrProgress('lab down'));
    });

  lab
    .command('status')
    .description('show whether the lab runs, its system state and addresses')
    .addOption(nameOption())
    .option('--json', 'machine-readable output')
    .action(async (opts: { name: string; json?: boolean }) => {
      const s = await labStatus(opts.name);
      process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : statusText(s));
      if (s.state !== 'running') process.exitCode = 3;
    });

  lab
    .command('dns')
    .description(
      "publish again what 'mailctl dns' prints on the lab host in the lab world's DNS (after 'mailctl domain add' or 'remove' there)",
    )
    .addOption(nameOption())
    .action(async (opts: { name: string }) => {
      const records = await publishLabDns(opts.name, LAB_CLUSTER_PATH);
      const domains = [...new Set(records.map((r) => r.domain))].sort();
      process.stdout.write(
        `published ${records.length} record(s) of ${domains.join(', ')} in the lab world's DNS\n`,
      );
    });

  lab
    .command('exec')
    .description('run a command on the lab host or in its internet or VPN client namespace')
    .addOption(nameOption())
    .addOption(
      new Option('--ns <namespace>', 'where to run it').choices(LAB_NAMESPACES).default('host'),
    )
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .action(async (command: string[], opts: { name: string; ns: LabNamespace }) => {
      process.exitCode = await labExec(opts.name, opts.ns, command);
    });
}

function statusText(s: LabStatus): string {
  if (s.state !== 'running') {
    return `lab '${s.name}': ${s.state}${s.state === 'stale' ? " (leftovers of a lab that died; 'mailctl lab down' clears them)" : ''}\n`;
  }
  return [
    `lab '${s.name}': running, ${s.fqdn}`,
    `  systemd: ${s.systemState}${s.failedUnits?.length ? ` (failed: ${s.failedUnits.join(', ')})` : ''}`,
    `  VPN handshake: ${s.vpnHandshake ? 'yes' : 'no'}`,
    `  public: ${s.addresses.public4}, ${s.addresses.public6}   VPN: ${s.addresses.vpn}`,
    '',
    `The lab world's ACME CA (pebble) is ${LAB_ACME_DIRECTORY}; to use it, set in the cluster file`,
    `  tls: { mode: acme, acme: { directory: ${LAB_ACME_DIRECTORY}, email: postmaster@example.com, ca_file: ${LAB_ACME_CA_ON_HOST} } }`,
    '',
  ].join('\n');
}

/** The example cluster file of the checkout the running CLI was built from. */
function defaultClusterFile(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'cluster.yaml');
}

/** The entrypoint the lab's PostgreSQL image carries, from the checkout the CLI was built from. */
function postgresEntrypointFile(): string {
  return resolve(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'src',
    'lab',
    'postgres-image',
    'entrypoint.sh',
  );
}

function reachText(s: LabStatus, applied: boolean): string {
  const l = labLayout(s.name);
  const flag = s.name === 'lab' ? '' : ` --name ${s.name}`;
  return [
    `The lab host ${s.fqdn} is up (systemd: ${s.systemState}).`,
    '',
    `  public address (the internet side): ${s.addresses.public4} and ${s.addresses.public6}`,
    `  VPN address (WireGuard, ${l.net.vpnSubnet}): ${s.addresses.vpn}`,
    '',
    'Reach it:',
    `  a shell on the host:            mailctl lab exec${flag} -- bash`,
    `  as the internet:                mailctl lab exec${flag} --ns internet -- CMD   (network namespace ${l.netns.internet})`,
    `  as a VPN client (${s.addresses.vpnClient}):   mailctl lab exec${flag} --ns vpn -- CMD        (network namespace ${l.netns.vpn})`,
    `  ${s.fqdn} resolves to the public address from the internet side and to ${s.addresses.vpn} from the VPN side.`,
    `  stop it:                        mailctl lab down${flag}`,
    ...(applied
      ? [
          '',
          'The mail system from the cluster file is applied (Postfix, Dovecot, PostgreSQL, Rspamd, nginx):',
          `  internet side: SMTP ${s.addresses.public4}:25, submission :587 (STARTTLS) and :465 (TLS), HTTP :80 (ACME, redirect), HTTPS :443`,
          `  VPN side only: IMAP ${s.addresses.vpn}:143/993, POP3 :110/995, ManageSieve :4190, PostgreSQL :5432, HTTPS :443 (/rspamd/)`,
          `  SOGo (VPN side): https://${s.fqdn}/SOGo/ (webmail), CalDAV/CardDAV https://${s.fqdn}/, ActiveSync /Microsoft-Server-ActiveSync`,
          `  the demo mailbox's password: mailctl lab exec${flag} -- cat /etc/mailctl/secrets/mailbox-demo@example.com`,
          `  accounts: mailctl lab exec${flag} -- mailctl mailbox list   (and domain, alias; --help on each)`,
          `  DNS records to publish: mailctl lab exec${flag} -- mailctl dns`,
        ]
      : []),
    '',
    `The lab world's ACME CA (pebble) is ${LAB_ACME_DIRECTORY}; to use it, set in the cluster file`,
    `  tls: { mode: acme, acme: { directory: ${LAB_ACME_DIRECTORY}, email: postmaster@example.com, ca_file: ${LAB_ACME_CA_ON_HOST} } }`,
    '',
  ].join('\n');
}
