/** Address helpers for DNS records (pure: node:net is off limits in render/). */

export function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** The 8 groups of an IPv6 address as 4 hex digits each, `::` and dotted tails expanded. */
export function expandIpv6(address: string): string[] {
  let a = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number) as [number, number, number, number];
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    a = `${a.slice(0, dotted.index)}${hex(b0, b1)}:${hex(b2, b3)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${address}`);
  const [head = '', tail] = halves;
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(zeros, 0)).fill('0'), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) {
    throw new Error(`not an IPv6 address: ${address}`);
  }
  return groups.map((g) => g.padStart(4, '0'));
}

/** The reverse-DNS name of an address, where its PTR record lives (without trailing dot). */
export function reverseName(address: string): string {
  if (isIpv6(address)) {
    return `${[...expandIpv6(address).join('')].reverse().join('.')}.ip6.arpa`;
  }
  return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
}
