/** Small address helpers for the WireGuard files (pure: no node:net, see the lint rule). */

/** True for an IPv6 address or CIDR; WireGuard and nftables both need the family spelled out. */
export function isIpv6(addressOrCidr: string): boolean {
  return addressOrCidr.includes(':');
}

/** The prefix length of a CIDR such as 10.100.0.0/24; throws on a bare address. */
export function prefixLength(cidr: string): number {
  const [, bits] = cidr.split('/');
  const n = Number(bits);
  const max = isIpv6(cidr) ? 128 : 32;
  if (bits === undefined || bits === '' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new Error(`not a CIDR network: ${cidr}`);
  }
  return n;
}

/** The single-address network of one host: 10.100.0.2/32 or fd00::2/128. */
export function hostRoute(address: string): string {
  if (address.includes('/')) throw new Error(`expected a bare address, got ${address}`);
  return `${address}/${isIpv6(address) ? 128 : 32}`;
}
