import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { isIpv6 } from '../wireguard/addresses.js';

export const LOOPBACK_V4 = '127.0.0.1';

/** Which local addresses each kind of Postfix listener binds. */
export interface PostfixListenAddresses {
  /** Port 25: the internet's MX traffic, the VPN side, and local tools on loopback. */
  mx: readonly string[];
  /** Ports 587 and 465: mail clients on the internet and on the VPN. */
  submission: readonly string[];
}

export function postfixListenAddresses(
  ctx: Pick<MailHostContext, 'publicAddresses' | 'vpnAddress'>,
): PostfixListenAddresses {
  const publicAndVpn = unique([...ctx.publicAddresses, ctx.vpnAddress]).map((a) =>
    configToken(a, 'listen address'),
  );
  return { mx: unique([...publicAndVpn, LOOPBACK_V4]), submission: publicAndVpn };
}

/** A master.cf service name `address:port`; IPv6 addresses go in brackets. */
export function masterServiceName(address: string, port: number): string {
  return `${isIpv6(address) ? `[${address}]` : address}:${port}`;
}

/** inet_protocols: only the families some listener or the SMTP client actually uses. */
export function inetProtocols(addresses: readonly string[]): string {
  const v6 = addresses.some(isIpv6);
  const v4 = addresses.some((a) => !isIpv6(a));
  return v4 && v6 ? 'all' : v6 ? 'ipv6' : 'ipv4';
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
