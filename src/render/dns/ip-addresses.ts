/** Address helpers for DNS records (pure: node:net is off limits in render/). */
import { expandIpv6 } from '../../util/ip-networks.js';

export function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** The reverse-DNS name of an address, where its PTR record lives (without trailing dot). */
export function reverseName(address: string): string {
  if (isIpv6(address)) {
    return `${[...expandIpv6(address).join('')].reverse().join('.')}.ip6.arpa`;
  }
  return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
}
