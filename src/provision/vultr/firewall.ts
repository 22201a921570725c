import type { Spec } from '../../spec/index.js';
import { canonicalNetwork } from '../../util/ip-networks.js';
import { expr, literal, type TfValue } from '../tf-json.js';

/** The mail ports the host's own nftables ruleset opens to everyone (render/firewall). */
export const PUBLIC_TCP_PORTS = [25, 80, 443, 465, 587] as const;

const ANYWHERE = { v4: { subnet: '0.0.0.0', size: 0 }, v6: { subnet: '::', size: 0 } } as const;

interface Rule {
  name: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  ipType: 'v4' | 'v6';
  subnet: string;
  size: number;
  port?: number;
  notes: string;
}

/**
 * Vultr's firewall group in front of the hosts, with the same intent as the host's own
 * nftables ruleset: mail and web ports and WireGuard from anywhere, SSH only from
 * ssh.admin_allow (after the first apply, administrators come in over the VPN). ICMP is let
 * through so that path MTU discovery works; the host's ruleset picks the types it accepts.
 */
export function firewallResources(spec: Spec): Record<string, Record<string, TfValue>> {
  const rules: Rule[] = [];
  for (const ipType of ['v4', 'v6'] as const) {
    const any = ANYWHERE[ipType];
    for (const port of PUBLIC_TCP_PORTS)
      rules.push({
        name: `tcp_${port}_${ipType}`,
        protocol: 'tcp',
        ipType,
        ...any,
        port,
        notes: `mail/web ${port}`,
      });
    rules.push({
      name: `wireguard_${ipType}`,
      protocol: 'udp',
      ipType,
      ...any,
      port: spec.vpn.port,
      notes: 'WireGuard (vpn.port)',
    });
    rules.push({ name: `icmp_${ipType}`, protocol: 'icmp', ipType, ...any, notes: 'ICMP' });
  }
  spec.ssh.admin_allow.forEach((cidr, i) => {
    const [subnet = '', bits = '0'] = canonicalNetwork(cidr).split('/');
    const ipType = subnet.includes(':') ? 'v6' : 'v4';
    rules.push({
      name: `ssh_admin_${i + 1}`,
      protocol: 'tcp',
      ipType,
      subnet,
      size: Number(bits),
      port: 22,
      notes: `SSH from ssh.admin_allow[${i}]`,
    });
  });
  const ruleResources: Record<string, TfValue> = {};
  for (const r of rules) {
    ruleResources[r.name] = {
      firewall_group_id: expr('vultr_firewall_group.mail.id'),
      protocol: r.protocol,
      ip_type: r.ipType,
      subnet: literal(r.subnet),
      subnet_size: r.size,
      ...(r.port === undefined ? {} : { port: String(r.port) }),
      notes: literal(r.notes),
    };
  }
  return {
    vultr_firewall_group: {
      mail: {
        description: literal(`mailctl: ${spec.hosts.map((h) => h.fqdn).join(', ')}`),
      },
    },
    vultr_firewall_rule: ruleResources,
  };
}
