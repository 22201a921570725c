/** The nftables table the guard lives in; PostDown removes exactly this table. */
export const VPN_GUARD_TABLE = 'mailctl_vpn_guard';

/**
 * wg-quick PostUp/PostDown commands for the VPN guard. Linux answers for any local address
 * on any interface (the weak host model), so without the guard a neighbour on the public
 * link could reach VPN-only services (IMAP, PostgreSQL, ...) by routing the VPN subnet to
 * our public address. Only the tunnel (`%i`, which wg-quick replaces with the interface
 * name) and loopback (the host talking to its own VPN address) may carry such traffic.
 *
 * The guard matches only the family of `vpnSubnet`: an IPv4-only VPN has no IPv6 addresses
 * to protect, so there is nothing to drop for IPv6.
 *
 * wg-quick evals each hook with bash after cutting everything from a `#`, so the commands
 * are single-quoted for the shell and contain no `#`.
 */
export function vpnGuardHooks(vpnSubnet: string): { postUp: string; postDown: string } {
  const daddr = vpnSubnet.includes(':') ? 'ip6 daddr' : 'ip daddr';
  // `add` then `delete` in the same transaction makes both commands idempotent on any nft
  // version: a table left over from an interrupted `wg-quick down` is replaced, not doubled.
  const reset = `add table inet ${VPN_GUARD_TABLE}; delete table inet ${VPN_GUARD_TABLE}`;
  const table =
    `table inet ${VPN_GUARD_TABLE} { chain input { type filter hook input priority -10; ` +
    `iifname != { "%i", "lo" } ${daddr} ${vpnSubnet} drop; }; }`;
  return { postUp: `nft '${reset}; ${table}'`, postDown: `nft '${reset}'` };
}
