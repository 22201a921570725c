import { hostRoute, isIpv6, prefixLength } from './addresses.js';

export interface WireguardClientConfigInput {
  /** The new peer's private key: generated where `mailctl vpn peer add` runs, printed once. */
  clientPrivateKey: string;
  /** The peer's address inside the VPN, without a prefix. */
  clientAddress: string;
  /** The mail host's WireGuard public key. */
  serverPublicKey: string;
  /** Where the mail host listens on the internet: its FQDN or public address, and vpnPort. */
  endpoint: { host: string; port: number };
  /** The VPN network in CIDR form; the only traffic routed through the tunnel. */
  vpnSubnet: string;
  /** Resolvers for the client while the tunnel is up; omitted, the client keeps its own. */
  dns?: readonly string[];
}

/** The wg-quick config a user imports on a laptop or phone to join the VPN. */
export function renderWireguardClientConfig(input: WireguardClientConfigInput): string {
  prefixLength(input.vpnSubnet); // throws on a bare address: AllowedIPs must be a network
  const host = isIpv6(input.endpoint.host) ? `[${input.endpoint.host}]` : input.endpoint.host;
  const lines = [
    '# WireGuard client configuration made by mailctl (wg-quick format).',
    "# It holds this device's private key: import it, then delete this copy.",
    '[Interface]',
    `PrivateKey = ${input.clientPrivateKey}`,
    `Address = ${hostRoute(input.clientAddress)}`,
  ];
  // wg-quick would point the whole system's resolver at these while the tunnel is up, which
  // only makes sense when they answer for everything (e.g. a resolver on the mail host).
  if (input.dns && input.dns.length > 0) lines.push(`DNS = ${input.dns.join(', ')}`);
  lines.push(
    '',
    '[Peer]',
    `PublicKey = ${input.serverPublicKey}`,
    `Endpoint = ${host}:${input.endpoint.port}`,
    // Split tunnel: only the VPN subnet goes through the tunnel, the device's other traffic
    // keeps its usual route. A full tunnel (0.0.0.0/0) would make the mail host a router.
    `AllowedIPs = ${input.vpnSubnet}`,
    // Keeps the NAT mapping of a phone or home router open so the server can reach the
    // client (and IMAP IDLE keeps working) after minutes of silence.
    'PersistentKeepalive = 25',
  );
  return `${lines.join('\n')}\n`;
}
