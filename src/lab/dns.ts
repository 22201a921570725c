import { LAB_ACME_HOST } from './acme.js';
import { LAB_BACKUP_HOST } from './sftp-server.js';
import { labOutboundDnsmasqLines } from './outbound-world.js';
import type { LabLayout } from './layout.js';

/** One record of the lab world's DNS (the shape `mailctl dns --json` prints). */
export interface LabDnsRecord {
  /** The zone it belongs to. */
  domain: string;
  name: string;
  type: string;
  value: string;
}

/** The outside world's mail domain the tests send from; its MX is the internet namespace. */
export const LAB_OUTSIDE_DOMAIN = 'example.org';

/**
 * Names of the outside domain that publish each DMARC policy (p=), for the tests of
 * inbound DMARC enforcement. None of them sends mail from anywhere (SPF -all) or signs it,
 * so a message from the internet that claims one fails DMARC; each has an MX, as a real
 * sender domain does (Postfix's reject_unknown_sender_domain asks for one).
 */
export const LAB_DMARC_DOMAINS = {
  reject: `reject.${LAB_OUTSIDE_DOMAIN}`,
  quarantine: `quarantine.${LAB_OUTSIDE_DOMAIN}`,
  none: `none.${LAB_OUTSIDE_DOMAIN}`,
} as const;

function dmarcPolicyRecords(): string[] {
  return Object.entries(LAB_DMARC_DOMAINS).flatMap(([policy, name]) => [
    `mx-host=${name},mx.${LAB_OUTSIDE_DOMAIN},10`,
    `txt-record=${name},"v=spf1 -all"`,
    `txt-record=_dmarc.${name},"v=DMARC1; p=${policy}"`,
  ]);
}

/**
 * dnsmasq's configuration for the lab world's DNS, served from the internet namespace
 * (pure). It answers for the lab host, the outside domain the tests send from, and the
 * records `mailctl dns` asked to publish; anything else is refused, as an unreachable
 * resolver would be, but at once.
 */
export function dnsmasqConfig(l: LabLayout, published: readonly LabDnsRecord[]): string {
  const n = l.net;
  const lines = [
    '# mailctl lab: the DNS of the lab world',
    'no-resolv',
    'no-hosts',
    'no-poll',
    'bind-interfaces',
    `listen-address=${n.internetRouter4}`,
    `listen-address=${n.vpnClientRouter4}`,
    `host-record=${l.fqdn},${n.hostPublic4},${n.hostPublic6}`,
    `mx-host=${LAB_OUTSIDE_DOMAIN},mx.${LAB_OUTSIDE_DOMAIN},10`,
    `host-record=mx.${LAB_OUTSIDE_DOMAIN},${n.internetRouter4}`,
    // The lab world's ACME CA (pebble), on the internet router.
    `host-record=${LAB_ACME_HOST},${n.internetRouter4}`,
    // The lab world's off-site backup server (sshd, SFTP only), on the internet router.
    `host-record=${LAB_BACKUP_HOST},${n.internetRouter4}`,
    `txt-record=${LAB_OUTSIDE_DOMAIN},"v=spf1 ip4:${n.internetRouter4} ip4:${n.vpnClientWan4} -all"`,
    ...dmarcPolicyRecords(),
    // The receivers of outbound DANE and MTA-STS (outbound-world.ts).
    ...labOutboundDnsmasqLines(l),
  ];
  // The lab world's DNS holds these zones: a name it does not have is NXDOMAIN, as from a
  // real zone, not REFUSED (which a resolver in between turns into SERVFAIL).
  const zones = new Set([LAB_OUTSIDE_DOMAIN, ...published.map((r) => r.domain.replace(/\.$/, ''))]);
  lines.push(...[...zones].map((z) => `local=/${z}/`));
  for (const r of published) {
    const name = r.name.replace(/\.$/, '');
    if (r.type === 'MX') {
      const [pref, host] = r.value.split(/\s+/);
      lines.push(`mx-host=${name},${(host ?? '').replace(/\.$/, '')},${pref}`);
    } else if (r.type === 'CNAME') {
      // dnsmasq answers a cname= only for a target it knows itself (the host's host-record).
      lines.push(`cname=${name},${r.value.replace(/\.$/, '')}`);
    } else if (r.type === 'TLSA') {
      // dnsmasq has no TLSA syntax: the RDATA as hex, usage, selector and type one byte each.
      const [usage, selector, type, hash] = r.value.split(/\s+/);
      const byte = (n: string | undefined) => Number(n).toString(16).padStart(2, '0');
      lines.push(`dns-rr=${name},52,${byte(usage)}${byte(selector)}${byte(type)}${hash ?? ''}`);
    } else if (r.type === 'TXT') {
      // A TXT record is a list of strings of at most 255 bytes each.
      const chunks = r.value.match(/.{1,255}/g) ?? [''];
      lines.push(`txt-record=${name},${chunks.map((c) => `"${c.replace(/"/g, '')}"`).join(',')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
