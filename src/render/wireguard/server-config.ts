import type { MailHostContext } from '../host-context.js';
import { secretRef } from '../host-context.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { hostRoute, prefixLength } from './addresses.js';
import { vpnGuardHooks } from './vpn-guard.js';

/** One VPN member as the cluster file lists it under the VPN's peers. */
export interface WireguardPeer {
  /** Who the peer is (`alice-laptop`); only a comment in wg0.conf. */
  name: string;
  /** The peer's WireGuard public key (base64 of 32 bytes). */
  publicKey: string;
  /** The peer's single address inside the VPN, without a prefix. */
  address: string;
}

/** The secret holding the host's WireGuard private key (see secretRef). */
export const WIREGUARD_PRIVATE_KEY_SECRET = 'wireguard-private-key';

/** The tunnel interface: wg-quick names it after its config file. */
export const VPN_INTERFACE = 'wg0';

export const WIREGUARD_CONFIG_PATH = `/etc/wireguard/${VPN_INTERFACE}.conf`;
export const WIREGUARD_DROPIN_PATH = '/etc/systemd/system/wg-quick@.service.d/userspace.conf';

/** The host's side of the VPN: wg0.conf and the unit drop-in for kernels without WireGuard. */
export function renderWireguard(
  ctx: Pick<MailHostContext, 'vpnAddress' | 'vpnSubnet' | 'vpnPort'>,
  peers: readonly WireguardPeer[],
): RenderedFile[] {
  const guard = vpnGuardHooks(ctx.vpnSubnet);
  const lines = [
    generatedHeader(),
    '[Interface]',
    `Address = ${ctx.vpnAddress}/${prefixLength(ctx.vpnSubnet)}`,
    `ListenPort = ${ctx.vpnPort}`,
    // apply generates the key on the host (an X25519 key, as `wg genkey` makes) and never
    // lets it leave: the file in git carries only the token.
    `PrivateKey = ${secretRef(WIREGUARD_PRIVATE_KEY_SECRET)}`,
    `PostUp = ${guard.postUp}`,
    `PostDown = ${guard.postDown}`,
  ];
  for (const peer of peers) {
    // A line break in a name would end the comment and inject configuration.
    if (/[\r\n]/.test(peer.name)) throw new Error(`peer name has a line break: ${peer.name}`);
    lines.push(
      '',
      `# ${peer.name}`,
      '[Peer]',
      `PublicKey = ${peer.publicKey}`,
      // Exactly one address per peer: WireGuard's cryptokey routing then also proves which
      // peer a packet came from, which fail2ban and the services' logs rely on.
      `AllowedIPs = ${hostRoute(peer.address)}`,
    );
  }
  return [
    {
      path: WIREGUARD_CONFIG_PATH,
      content: `${lines.join('\n')}\n`,
      // It holds the private key once apply resolves the token; wg-quick warns otherwise.
      mode: 0o600,
      owner: 'root',
      group: 'root',
      component: 'wireguard',
    },
    {
      path: WIREGUARD_DROPIN_PATH,
      // wg-quick tries the kernel module first (`ip link add ... type wireguard`) and only
      // runs WG_QUICK_USERSPACE_IMPLEMENTATION when that fails, so this is harmless where
      // the module exists and makes containers and minimal kernels work.
      content: `${generatedHeader()}[Service]\nEnvironment=WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go\n`,
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'wireguard',
    },
  ];
}
