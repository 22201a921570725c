import type { DnsRecord } from '../render/dns/index.js';
import type { Spec } from '../spec/index.js';
import { inNetwork } from '../util/ip-networks.js';
import { provisionError } from './errors.js';

// RFC 5737 and RFC 3849: addresses that stand for "not known yet" in a cluster file.
const DOCUMENTATION_NETWORKS = [
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '2001:db8::/32',
];

/**
 * What makes a module unusable, refused before anything is written: a host that could never
 * be reached by its administrator, or that has no single IPv4 address to reserve.
 */
export function checkProvisionable(spec: Spec): void {
  if (spec.provision.ssh_keys.length === 0)
    throw provisionError(
      'E_PROVISION_NO_SSH_KEY',
      'provision.ssh_keys is empty: a host made without a key can only be logged into with the ' +
        'root password Vultr mails, which the hardened sshd refuses; add your OpenSSH public key',
    );
  if (spec.ssh.admin_allow.length === 0 && spec.vpn.peers.length === 0)
    throw provisionError(
      'E_PROVISION_NO_ADMIN_PATH',
      'ssh.admin_allow is empty and vpn.peers declares no device: the firewall would let SSH in ' +
        'from nowhere, and no VPN peer could reach it either; add your network to ssh.admin_allow ' +
        '(e.g. 203.0.113.7/32) or your device to vpn.peers',
    );
  spec.hosts.forEach((h, i) => {
    const v4 = h.public_addresses.filter((a) => !a.includes(':'));
    const v6 = h.public_addresses.filter((a) => a.includes(':'));
    if (v4.length !== 1)
      throw provisionError(
        'E_PROVISION_ADDRESSES',
        `hosts[${i}].public_addresses: ${h.name} needs exactly one IPv4 address (the reserved ` +
          `one; a placeholder such as 198.51.100.10 until Vultr has given it), not ${v4.length}`,
      );
    if (v6.length > 1)
      throw provisionError(
        'E_PROVISION_ADDRESSES',
        `hosts[${i}].public_addresses: ${h.name} gets one IPv6 address from Vultr, not ${v6.length}`,
      );
  });
}

/** What the administrator must still do, one line each (printed, never an error). */
export function provisionNotes(spec: Spec, dnsRecords: readonly DnsRecord[]): string[] {
  const notes: string[] = [];
  spec.hosts.forEach((h, i) => {
    const placeholders = h.public_addresses.filter((a) =>
      DOCUMENTATION_NETWORKS.some((n) => inNetwork(a, n)),
    );
    if (placeholders.length > 0)
      notes.push(
        `${h.name}: ${placeholders.join(', ')} ${placeholders.length === 1 ? 'is a documentation address' : 'are documentation addresses'}: ` +
          `run terraform apply -target=vultr_reserved_ip.${h.name}_ipv4, put the ${h.name}_ipv4 ` +
          `output in hosts[${i}].public_addresses in place of the IPv4 one (leave IPv6 out until ` +
          `the instance exists: then add the ${h.name}_ipv6 output) and run mailctl provision terraform again`,
      );
  });
  if (
    spec.provision.provider_dns === 'vultr' &&
    !dnsRecords.some((r) => r.name.includes('._domainkey.'))
  )
    notes.push(
      'dns: no DKIM record yet (the keys are made on the host at the first apply): run ' +
        "'mailctl dns --json > dns.json' on the host, then mailctl provision terraform --dns-records dns.json",
    );
  return notes;
}
