import { expandIpv6, isIpv6 } from '../render/dns/ip-addresses.js';

/** An address as bits, most significant first (IPv4-mapped IPv6 addresses as IPv4). */
function bits(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped?.[1] ?? address;
  try {
    if (isIpv6(a))
      return expandIpv6(a)
        .map((g) => parseInt(g, 16).toString(2).padStart(16, '0'))
        .join('');
    const octets = a.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
      return undefined;
    return octets.map((o) => o.toString(2).padStart(8, '0')).join('');
  } catch {
    return undefined;
  }
}

export function inNetwork(address: string, cidr: string): boolean {
  const [net = '', len = ''] = cidr.split('/');
  const a = bits(address);
  const n = bits(net);
  if (!a || !n || a.length !== n.length) return false;
  const prefix = len === '' ? n.length : Number(len);
  return a.slice(0, prefix) === n.slice(0, prefix);
}

/**
 * Whether applying would cut off the SSH client this apply runs under (pure). The firewall
 * lets SSH in only from the VPN and ssh.admin_allow: an administrator bootstrapping over a
 * public address keeps the session they are in (established connections pass) but could not
 * log in again. Returns the problem to report, or undefined when the client stays allowed or
 * the apply does not run over SSH.
 */
export function sshLockoutProblem(
  sshClient: string | undefined,
  vpnSubnet: string,
  adminAllow: readonly string[],
): string | undefined {
  if (!sshClient) return undefined;
  if ([vpnSubnet, ...adminAllow].some((cidr) => inNetwork(sshClient, cidr))) return undefined;
  return (
    `this apply runs over SSH from ${sshClient}, which the firewall would no longer let log in ` +
    `(SSH is open to the VPN ${vpnSubnet}${adminAllow.length ? ` and ${adminAllow.join(', ')}` : ''} only): ` +
    "add your network to ssh.admin_allow, or join the VPN ('mailctl vpn peer add') and apply from there"
  );
}
