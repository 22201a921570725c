import ipaddr from 'ipaddr.js';

// Address arithmetic for the spec's rules, the planner and the DNS records (pure). ipaddr.js
// parses every textual form (`::`, IPv4-embedded IPv6 such as ::ffff:192.0.2.0) the same way
// the kernel and nftables do, which three hand-written parsers here did not.

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The address, with an IPv4-mapped IPv6 address (::ffff:a.b.c.d) taken as the IPv4 it is. */
function parseAddress(address: string): Address | undefined {
  return ipaddr.isValid(address) ? ipaddr.process(address) : undefined;
}

function parseNetwork(cidr: string): [Address, number] | undefined {
  return ipaddr.isValidCIDR(cidr) ? ipaddr.parseCIDR(cidr) : undefined;
}

/**
 * An IPv4 network written in IPv6 notation (::ffff:192.0.2.0/120) as the IPv4 network it
 * means (192.0.2.0/24); any other network as it is.
 */
function unmapNetwork(network: [Address, number]): [Address, number] {
  const [base, bits] = network;
  if (base.kind() === 'ipv6' && bits >= 96 && (base as ipaddr.IPv6).isIPv4MappedAddress())
    return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return network;
}

/** Whether `s` is an IPv6 address in any of its textual forms. */
export function isIpv6Address(s: string): boolean {
  return ipaddr.IPv6.isValid(s);
}

/** Whether `address` lies in the network `cidr` (a bare address counts as one host). */
export function inNetwork(address: string, cidr: string): boolean {
  const a = parseAddress(address);
  const n = parseNetwork(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
  if (!a || !n) return false;
  // An IPv4 network written in IPv6 notation matches IPv4 clients, which parseAddress has
  // already unmapped.
  const [base, bits] = unmapNetwork(n);
  return a.kind() === base.kind() && a.match(base, bits);
}

/**
 * Whether `address` may be a host in `cidr`: inside it, and for IPv4 neither its network
 * nor its broadcast address (which no WireGuard peer can use).
 */
export function isHostInNetwork(address: string, cidr: string): boolean {
  if (!inNetwork(address, cidr)) return false;
  const a = parseAddress(address);
  if (a?.kind() !== 'ipv4' || !ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return true;
  return (
    a.toString() !== ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() &&
    a.toString() !== ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString()
  );
}

/** The prefix length and family of a CIDR network, or undefined if it is not one. */
export function networkInfo(cidr: string): { family: 4 | 6; bits: number } | undefined {
  const n = parseNetwork(cidr);
  return n && { family: n[0].kind() === 'ipv4' ? 4 : 6, bits: n[1] };
}

/** Whether the network has bits set beyond its prefix (nftables refuses such a prefix). */
export function hasHostBits(cidr: string): boolean {
  const n = parseNetwork(cidr);
  if (!n) return false;
  const [base, bits] = n;
  const bytes = base.toByteArray();
  return bytes.some((byte, i) => {
    const keep = Math.min(Math.max(bits - i * 8, 0), 8);
    return (byte & (0xff >> keep)) !== 0;
  });
}

/** The 8 groups of an IPv6 address as 4 hex digits each. Throws on anything else. */
export function expandIpv6(address: string): string[] {
  if (!isIpv6Address(address)) throw new Error(`not an IPv6 address: ${address}`);
  return ipaddr.IPv6.parse(address)
    .toNormalizedString()
    .split(':')
    .map((g) => g.padStart(4, '0'));
}

/**
 * The network as the kernel sees its packets: an IPv4 network written in IPv6 notation
 * (::ffff:192.0.2.0/120) becomes 192.0.2.0/24, because IPv4 clients arrive as IPv4 and
 * would never match an `ip6 saddr` rule or an IPv6 ignoreip entry.
 */
export function canonicalNetwork(cidr: string): string {
  const n = parseNetwork(cidr);
  if (!n) return cidr;
  const unmapped = unmapNetwork(n);
  return unmapped === n ? cidr : `${unmapped[0].toString()}/${unmapped[1]}`;
}
