import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { isIpv6 } from '../wireguard/addresses.js';
import { VPN_INTERFACE } from '../wireguard/server-config.js';

/** The table mailctl owns; the ruleset replaces exactly this table and nothing else. */
export const FIREWALL_TABLE = 'mailctl_firewall';

/**
 * TCP ports the internet may reach: SMTP (MX), submission with implicit TLS and with
 * STARTTLS, and HTTP/HTTPS for nginx (ACME's HTTP-01 challenge and the public web paths).
 */
export const PUBLIC_TCP_PORTS = [25, 80, 443, 465, 587] as const;

export const SSH_PORT = 22;

/**
 * The host's nftables ruleset (pure): drop whatever is not allowed, in both address
 * families (an `inet` table).
 *
 * - The internet reaches only PUBLIC_TCP_PORTS and the WireGuard port (UDP).
 * - SSH only from the VPN and from the cluster file's ssh.admin_allow networks.
 * - Everything else only through the tunnel, and only from the VPN subnet.
 *
 * The WireGuard port and the tunnel are accepted unconditionally, whatever the cluster
 * file says, so no ruleset mailctl renders can lock the administrator out of the VPN path.
 * `nft -f` loads the file as one transaction: the old table stays in force until the new
 * one is complete, so a broken file changes nothing (and `nft -c` refuses it before apply
 * installs it). The table is replaced on its own, never `flush ruleset`: wg-quick's VPN
 * guard table and Fail2ban's ban table live beside it and must survive a reload.
 */
export function renderFirewallRuleset(
  ctx: Pick<MailHostContext, 'vpnSubnet' | 'vpnPort' | 'adminAllow'>,
): string {
  const vpnSaddr = `${isIpv6(ctx.vpnSubnet) ? 'ip6' : 'ip'} saddr ${configToken(ctx.vpnSubnet, 'VPN subnet')}`;
  const admin4 = ctx.adminAllow
    .filter((c) => !isIpv6(c))
    .map((c) => configToken(c, 'admin network'));
  const admin6 = ctx.adminAllow.filter(isIpv6).map((c) => configToken(c, 'admin network'));
  const set = (name: string, type: string, elements: string[]) =>
    elements.length
      ? [
          `  set ${name} {`,
          `    type ${type}`,
          '    flags interval',
          `    elements = { ${elements.join(', ')} }`,
          '  }',
          '',
        ]
      : [];
  const sshFromAdmins = [
    ...(admin4.length ? [`    tcp dport ${SSH_PORT} ip saddr @admin_allow_v4 accept`] : []),
    ...(admin6.length ? [`    tcp dport ${SSH_PORT} ip6 saddr @admin_allow_v6 accept`] : []),
  ];
  return [
    '#!/usr/sbin/nft -f',
    generatedHeader().trimEnd(),
    '',
    // Declaring the table, deleting it and defining it again in one file is one atomic
    // transaction that works whether or not the table exists yet.
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    '',
    `table inet ${FIREWALL_TABLE} {`,
    ...set('admin_allow_v4', 'ipv4_addr', admin4),
    ...set('admin_allow_v6', 'ipv6_addr', admin6),
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '',
    '    iifname "lo" accept',
    '    ct state established,related accept',
    '    ct state invalid drop',
    '',
    // Path MTU discovery and error reporting need these; IPv6 cannot work without
    // neighbour discovery (which must come from the link: hop limit 255).
    '    icmp type { destination-unreachable, time-exceeded, parameter-problem } accept',
    '    icmp type echo-request limit rate 10/second accept',
    '    icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept',
    '    icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
    '    icmpv6 type echo-request limit rate 10/second accept',
    // A provider that hands out IPv6 by DHCPv6 answers from a link-local server port.
    '    ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept',
    '',
    '    # The VPN path: never conditional, so an apply cannot lock the administrator out.',
    `    udp dport ${ctx.vpnPort} accept`,
    `    iifname "${VPN_INTERFACE}" ${vpnSaddr} accept`,
    '',
    `    tcp dport { ${PUBLIC_TCP_PORTS.join(', ')} } accept`,
    ...(sshFromAdmins.length ? ['', ...sshFromAdmins] : []),
    '  }',
    '',
    // The host routes nothing; the VPN's members talk to the host, not through it.
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '  }',
    '}',
    '',
  ].join('\n');
}
