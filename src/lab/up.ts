import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mustRun, run, sleep, spawnDetached } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { buildRootfs } from './build.js';
import { enterLabCgroup } from './cgroup.js';
import { bootScript, labSeedFiles } from './host-files.js';
import { labDown } from './down.js';
import { labLayout, type LabLayout } from './layout.js';
import { createNetworks } from './network.js';
import { publishLabDns, startLabDns } from './dns-server.js';
import { LAB_ACME_CA_ON_HOST, LAB_ACME_DIRECTORY } from './acme.js';
import { prepareLabAcme, startLabAcme } from './acme-server.js';
import { LAB_BACKUP_HOST, resetLabOffsite, startLabSftp } from './sftp-server.js';
import { LAB_CA_ON_HOST, LAB_TRUST_ANCHOR_ON_HOST } from './outbound-world.js';
import { addLabOutboundAddresses, prepareLabOutbound, startLabNsd } from './outbound-server.js';
import { writeLabState, type LabState } from './state.js';
import { generateWgKeyPair } from './wg-keys.js';
import { hostExecArgv } from './exec.js';
import { parseClusterFile } from '../spec/index.js';
import { buildLabPostgresImage } from './postgres-image/build-image.js';
import { LAB_POSTGRES_IMAGE } from './postgres-image/build-script.js';

/** Where the lab host keeps its cluster file, as an administrator would on a VPS. */
export const LAB_CLUSTER_PATH = '/etc/mailctl/cluster.yaml';

export interface UpOptions {
  name: string;
  fqdn?: string;
  /** The mailctl bundle to install as /usr/local/bin/mailctl in the lab (the running one). */
  bundlePath?: string;
  /** A cluster file to place at /etc/mailctl/cluster.yaml on the lab host. */
  clusterFile?: string;
  /** Run `mailctl apply` on the lab host with that cluster file once it is up. */
  apply?: boolean;
  bootTimeoutMs?: number;
  /**
   * The entrypoint of the lab's PostgreSQL image: built on the host before apply when the
   * cluster file runs PostgreSQL in a container from that image (LAB_POSTGRES_IMAGE).
   */
  postgresEntrypoint?: string;
}

/** Boots a fresh lab host, recovering first from whatever an earlier lab of this name left. */
export async function labUp(opts: UpOptions, progress: Progress): Promise<LabState> {
  const l = labLayout(opts.name, opts.fqdn);
  const rootfs = await buildRootfs(progress);

  progress.step('clearing anything an earlier lab of this name left behind');
  await labDown(opts.name, progress, { quiet: true });

  progress.step('seeding the lab root (host name, WireGuard keys)');
  for (const d of [l.dirs.upper, l.dirs.work, l.dirs.root]) await mkdir(d, { recursive: true });
  await chmod(l.dirs.state, 0o700);
  const hostKeys = generateWgKeyPair();
  const clientKeys = generateWgKeyPair();
  const acmeCa = await prepareLabAcme(l);
  const trustAnchor = await prepareLabOutbound(l);
  const seeds = [
    ...labSeedFiles(l, hostKeys.privateKey, clientKeys.publicKey),
    // What an administrator copies to the host to use a private ACME server.
    { path: LAB_ACME_CA_ON_HOST, content: acmeCa, mode: 0o644 },
    // Lab only: the lab world's signed zone validates from this key (resolver.trust_anchor_file),
    // and the lab's CA, which signed its MTA-STS hosts' certificates, is a trusted CA there.
    { path: LAB_TRUST_ANCHOR_ON_HOST, content: trustAnchor, mode: 0o644 },
    { path: LAB_CA_ON_HOST, content: acmeCa, mode: 0o644 },
  ];
  for (const f of seeds) {
    const target = join(l.dirs.upper, f.path);
    await mkdir(dirname(target), { recursive: true });
    if (f.symlinkTo) await symlink(f.symlinkTo, target);
    else await writeFile(target, f.content, { mode: f.mode });
    // A directory holding a private file is private too (/etc/mailctl/secrets).
    if (f.mode === 0o600) await chmod(dirname(target), 0o700);
  }
  if (opts.bundlePath && existsSync(opts.bundlePath)) {
    const bin = join(l.dirs.upper, 'usr/local/bin/mailctl');
    await mkdir(dirname(bin), { recursive: true });
    await copyFile(opts.bundlePath, bin);
    await chmod(bin, 0o755);
  }
  if (opts.clusterFile) {
    const target = join(l.dirs.upper, LAB_CLUSTER_PATH);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(opts.clusterFile, target);
  }
  const clientKeyFile = join(l.dirs.state, 'vpn-client.key');
  await writeFile(clientKeyFile, `${clientKeys.privateKey}\n`, { mode: 0o600 });

  progress.step('creating the internet, VPN client and lab host networks');
  await createNetworks(l);

  await addLabOutboundAddresses(l);
  await startLabDns(l, []);
  progress.step("starting the lab world's signed zone (nsd) for outbound DANE");
  await startLabNsd(l);
  progress.step(`starting the lab world's ACME server (pebble) at ${LAB_ACME_DIRECTORY}`);
  await startLabAcme(l);
  progress.step(`starting the lab world's off-site backup server (SFTP) at ${LAB_BACKUP_HOST}`);
  await resetLabOffsite(l);
  await startLabSftp(l, rootfs.dir);

  progress.step('booting Debian 13 with systemd in its own namespaces');
  const scriptPath = join(l.dirs.state, 'boot.sh');
  await writeFile(scriptPath, bootScript(l, rootfs.dir), { mode: 0o700 });
  // Into the lab's own cgroup first: `ip netns exec` mounts a /sys of its own, without the
  // machine's cgroup2 mount.
  const argv = [
    ...(await enterLabCgroup(l.name)),
    'ip',
    'netns',
    'exec',
    l.netns.host,
    'unshare',
    '--pid',
    '--fork',
    '--mount',
    '--uts',
    '--ipc',
    '--cgroup',
    '--kill-child',
    'bash',
    scriptPath,
  ];
  const unsharePid = spawnDetached(
    argv[0] ?? 'ip',
    argv.slice(1),
    join(l.dirs.state, 'console.log'),
  );
  const initPid = await waitForInit(unsharePid);

  const state: LabState = {
    name: l.name,
    fqdn: l.fqdn,
    unsharePid,
    initPid,
    rootfsKey: rootfs.key,
    rootfsDir: rootfs.dir,
    startedAt: new Date().toISOString(),
    hostPublicKey: hostKeys.publicKey,
    clientPublicKey: clientKeys.publicKey,
  };
  await writeLabState(state);

  progress.step('waiting for systemd to finish booting');
  await waitForBoot(l, state, opts.bootTimeoutMs ?? 180_000);
  // The lab's CA joins the host's CA bundle (LAB_CA_ON_HOST), as a company's own CA would.
  const trust = hostExecArgv(state, ['update-ca-certificates']);
  await mustRun(trust[0] ?? 'nsenter', trust.slice(1));

  progress.step('joining the VPN client over WireGuard (wireguard-go)');
  state.vpnClientPid = await startVpnClient(l, clientKeyFile, hostKeys.publicKey);
  await writeLabState(state);
  await waitForHandshake(l);
  if (opts.clusterFile && opts.apply) {
    // No registry here: the image apply's unit runs must be on the host before apply.
    if (opts.postgresEntrypoint && (await usesLabPostgresImage(opts.clusterFile))) {
      await buildLabPostgresImage(l.name, opts.postgresEntrypoint, progress);
    }
    progress.step(`mailctl apply on the lab host, as on a fresh VPS (${LAB_CLUSTER_PATH})`);
    const argv = hostExecArgv(state, ['mailctl', 'apply', '--cluster', LAB_CLUSTER_PATH]);
    const r = await run(argv[0] ?? 'nsenter', argv.slice(1), {
      inherit: true,
      timeoutMs: 30 * 60_000,
    });
    if (r.code !== 0) {
      throw new UserError(
        'E_LAB_APPLY',
        `mailctl apply failed on the lab host (exit ${r.code}); the lab stays up for inspection`,
      );
    }
    progress.step("publishing the records of 'mailctl dns' in the lab world's DNS");
    await publishLabDns(l.name, LAB_CLUSTER_PATH);
    // apply took the VPN over; the administrator's way in must have survived it.
    await waitForHandshake(l);
  }
  progress.done(`lab '${l.name}' is up`);
  return state;
}

async function usesLabPostgresImage(clusterFile: string): Promise<boolean> {
  try {
    const spec = parseClusterFile(await readFile(clusterFile, 'utf8'), clusterFile);
    return spec.postgres.mode === 'container' && spec.postgres.image === LAB_POSTGRES_IMAGE;
  } catch {
    // apply reports a cluster file it cannot read, with every problem and its path.
    return false;
  }
}

async function waitForInit(unsharePid: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const children = await run('pgrep', ['-P', String(unsharePid)]);
    const pid = Number(children.stdout.trim().split('\n')[0]);
    if (pid > 0) return pid;
    await sleep(100);
  }
  throw new UserError('E_LAB_BOOT', 'the lab host did not start (see its console.log)');
}

async function waitForBoot(l: LabLayout, state: LabState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    // `is-system-running --wait` blocks until boot settles, but needs systemd's bus up first.
    const argv = hostExecArgv(state, ['systemctl', 'is-system-running', '--wait']);
    const r = await run(argv[0] ?? 'nsenter', argv.slice(1), {
      timeoutMs: Math.max(1000, deadline - Date.now()),
    });
    last = r.stdout.trim();
    if (last === 'running' || last === 'degraded') return;
    await sleep(500);
  }
  const console = await readFile(join(l.dirs.state, 'console.log'), 'utf8').catch(() => '');
  throw new UserError(
    'E_LAB_BOOT',
    `the lab host did not finish booting (state '${last}'); last console lines: ${console.split('\n').slice(-5).join(' | ')}`,
  );
}

async function startVpnClient(
  l: LabLayout,
  keyFile: string,
  hostPublicKey: string,
): Promise<number> {
  const n = l.net;
  const ifname = l.vpnClientInterface;
  const wgPid = spawnDetached(
    'ip',
    ['netns', 'exec', l.netns.vpn, 'wireguard-go', '--foreground', ifname],
    join(l.dirs.state, 'wireguard-client.log'),
  );
  for (let i = 0; i < 50 && !existsSync(`/var/run/wireguard/${ifname}.sock`); i++) await sleep(100);
  const ns = (args: string[]) => mustRun('ip', ['netns', 'exec', l.netns.vpn, ...args]);
  await ns([
    'wg',
    'set',
    ifname,
    'private-key',
    keyFile,
    'peer',
    hostPublicKey,
    'endpoint',
    `${n.hostPublic4}:${n.vpnPort}`,
    'allowed-ips',
    n.vpnSubnet,
    'persistent-keepalive',
    '15',
  ]);
  await ns(['ip', 'addr', 'add', `${n.vpnClient4}/24`, 'dev', ifname]);
  await ns(['ip', 'link', 'set', ifname, 'up']);
  return wgPid;
}

async function waitForHandshake(l: LabLayout): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const ping = await run('ip', [
      'netns',
      'exec',
      l.netns.vpn,
      'ping',
      '-c1',
      '-W1',
      l.net.hostVpn4,
    ]);
    if (ping.code === 0) return;
    await sleep(500);
  }
  throw new UserError(
    'E_LAB_VPN',
    `the VPN client could not reach ${l.net.hostVpn4} over WireGuard`,
  );
}
