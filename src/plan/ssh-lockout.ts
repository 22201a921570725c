import { inNetwork } from '../util/ip-networks.js';

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
