import { configToken } from '../config-token.js';
import { isIpv6 } from '../wireguard/addresses.js';

/** One `listen` directive for address:port; IPv6 addresses go in brackets. */
export function listenLine(address: string, port: number, params = ''): string {
  const a = configToken(address, 'listen address');
  return `    listen ${isIpv6(a) ? `[${a}]` : a}:${port}${params ? ` ${params}` : ''};`;
}
