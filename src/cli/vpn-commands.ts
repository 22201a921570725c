import type { Command } from 'commander';
import { applyHost } from '../apply/apply.js';
import { withApplyLock } from '../apply/lock.js';
import { readSecret } from '../apply/secrets.js';
import { generateWgKeyPair } from '../lab/wg-keys.js';
import { readDeclarations } from '../ops/accounts/declarations.js';
import { nextFreeAddress } from '../ops/vpn/allocate.js';
import { registerPeer, validatePeerName } from '../ops/vpn/peer-registry.js';
import { allPeers, peerStatus, removeRegisteredPeer } from '../ops/vpn/peers.js';
import type { MailHostContext } from '../render/host-context.js';
import {
  renderWireguard,
  renderWireguardClientConfig,
  wireguardComponent,
  WIREGUARD_PRIVATE_KEY_SECRET,
} from '../render/wireguard/index.js';
import {
  hostContextFromSpec,
  parseClusterFile,
  refuseIfDeclared,
  type Spec,
} from '../spec/index.js';
import { mustRun } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import { stderrProgress } from '../util/progress.js';
import { DEFAULT_CLUSTER_FILE } from './apply-commands.js';
import { printJson } from './output.js';
import { readClusterFile } from './read-cluster-file.js';

async function loadCluster(path: string): Promise<{ spec: Spec; ctx: MailHostContext }> {
  const spec = parseClusterFile(await readClusterFile(path), path);
  return { spec, ctx: hostContextFromSpec(spec) };
}

/**
 * Converges only the VPN's files, so nothing else the cluster file may have changed goes
 * live as a side effect. wg-quick@wg0's reload is `wg syncconf`: peers come and go, and
 * the others' sessions are not restarted.
 */
async function convergeVpn(spec: Spec, ctx: MailHostContext, what: string): Promise<void> {
  // Read back from the registry, so the order is the one every later apply renders.
  const files = renderWireguard(ctx, await allPeers(spec));
  const vpnOnly = {
    packages: wireguardComponent.packages,
    users: [],
    directories: [],
    permissions: [],
    files,
    components: [wireguardComponent],
  };
  // As every apply: one at a time (apply/lock.ts).
  await withApplyLock(() => applyHost(vpnOnly, {}, stderrProgress(what)));
}

const clusterOption = (c: Command) =>
  c.option('--cluster <file>', 'the cluster file', DEFAULT_CLUSTER_FILE);

/** `mailctl vpn peer add|list|remove`: the WireGuard members of wg0. */
export function registerVpnCommands(program: Command): void {
  const vpn = program
    .command('vpn')
    .description('the WireGuard VPN that carries IMAP, POP3, webmail and admin');
  const peer = vpn.command('peer').description('VPN members');

  clusterOption(
    peer
      .command('add <name>')
      .description('add a device to the VPN and print its WireGuard configuration (once)')
      .option('--json', 'machine-readable output (the configuration is its "config")'),
  ).action(async (name: string, o: { cluster: string; json?: boolean }) => {
    validatePeerName(name);
    const { spec, ctx } = await loadCluster(o.cluster);
    const existing = await allPeers(spec);
    if (existing.some((p) => p.name === name))
      throw new UserError('E_VPN_PEER_EXISTS', `a VPN peer named '${name}' already exists`);
    const address = nextFreeAddress(ctx.vpnSubnet, [
      ctx.vpnAddress,
      ...existing.map((p) => p.address),
    ]);
    const keys = generateWgKeyPair();
    await registerPeer({ name, publicKey: keys.publicKey, address });
    const serverPublicKey = (
      await mustRun('wg', ['pubkey'], { input: `${readSecret(WIREGUARD_PRIVATE_KEY_SECRET)}\n` })
    ).stdout.trim();
    const config = renderWireguardClientConfig({
      clientPrivateKey: keys.privateKey,
      clientAddress: address,
      serverPublicKey,
      endpoint: { host: ctx.fqdn, port: ctx.vpnPort },
      vpnSubnet: ctx.vpnSubnet,
      // The host's unbound answers VPN devices, and tells them the VPN address for the
      // host's name: IMAP, POP3 and webmail then work by name, as the autoconfiguration says.
      dns: [ctx.vpnAddress],
    });
    await convergeVpn(spec, ctx, 'vpn peer add');
    if (o.json) printJson({ name, address, publicKey: keys.publicKey, config });
    else process.stdout.write(config);
    process.stderr.write(`peer ${name} added at ${address}\n`);
  });

  clusterOption(
    peer
      .command('list')
      .description("the VPN's members, who owns each, and their latest handshake")
      .option('--json', 'machine-readable output'),
  ).action(async (o: { cluster: string; json?: boolean }) => {
    const { spec } = await loadCluster(o.cluster);
    const peers = await peerStatus(spec);
    if (o.json) return printJson(peers);
    for (const p of peers)
      process.stdout.write(
        `${p.name}\t${p.address}\t${p.owner}\t${p.latestHandshake ?? 'no handshake yet'}\n`,
      );
  });

  clusterOption(
    peer
      .command('remove <name>')
      .description('take a device out of the VPN at once; the other peers keep their sessions'),
  ).action(async (name: string, o: { cluster: string }) => {
    refuseIfDeclared(
      await readDeclarations(o.cluster),
      'vpn-peer',
      name,
      `remove it there, then run 'mailctl apply'`,
    );
    const { spec, ctx } = await loadCluster(o.cluster);
    const gone = await removeRegisteredPeer(name);
    await convergeVpn(spec, ctx, 'vpn peer remove');
    process.stdout.write(
      `removed VPN peer ${gone.name} (${gone.address}): it can no longer reach anything on the VPN\n`,
    );
  });
}
