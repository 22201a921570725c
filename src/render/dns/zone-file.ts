import {
  type DnsRecord,
  type DnsRecordsInput,
  DEFAULT_DNS_TTL,
  hostZone,
  listDnsRecords,
} from './dns-records.js';
import { reverseName } from './ip-addresses.js';
import { quoteTxtString, splitTxtValue } from './txt-strings.js';

/** The records of one zone as zone-file text, ready to paste into the zone or its web form. */
export interface DnsZoneText {
  domain: string;
  text: string;
}

const WIDTH = 90;

/** `; `-prefixed comment lines, wrapped at word boundaries. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = ';';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > WIDTH && line !== ';') {
      lines.push(line);
      line = ';';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

function rdata(r: DnsRecord, indent: number): string {
  switch (r.type) {
    case 'CNAME':
      return `${r.value}.`;
    case 'MX': {
      const [pref, host] = r.value.split(' ');
      return `${pref} ${host}.`;
    }
    case 'TXT': {
      const parts = splitTxtValue(r.value).map(quoteTxtString);
      // Several character-strings of one record, continued over lines inside ( ).
      return parts.length === 1
        ? (parts[0] ?? '""')
        : `( ${parts.join(`\n${' '.repeat(indent + 2)}`)} )`;
    }
    default:
      return r.value;
  }
}

function recordLines(records: readonly DnsRecord[]): string[] {
  const nameWidth = Math.max(...records.map((r) => r.name.length + 1));
  return records.flatMap((r) => {
    const head = `${`${r.name}.`.padEnd(nameWidth)} ${r.ttl} IN ${r.type.padEnd(4)} `;
    return [...comment(r.comment), `${head}${rdata(r, head.length)}`, ''];
  });
}

/** Suggestions left commented out: records to publish later, or outside the zone's reach. */
function suggestions(zone: string, input: DnsRecordsInput, isMailDomain: boolean): string[] {
  const ttl = input.ttl ?? DEFAULT_DNS_TTL;
  const out: string[] = [];
  const rua = input.dmarcRua?.toLowerCase();
  const ruaDomain = rua?.slice(rua.lastIndexOf('@') + 1);
  if (isMailDomain && !input.dkim[zone]) {
    out.push(
      ...comment(
        `No DKIM key for ${zone} yet: 'mailctl apply' generates it on the host; run ` +
          "'mailctl dns' again afterwards to get its record.",
      ),
      '',
    );
  }
  if (isMailDomain && ruaDomain && ruaDomain !== zone && !input.domains.includes(ruaDomain)) {
    out.push(
      ...comment(
        `${ruaDomain} is not served here: ask its administrator to publish ` +
          `${zone}._report._dmarc.${ruaDomain}. TXT "v=DMARC1", or receivers will not send ` +
          `${zone}'s DMARC reports there (RFC 7489 section 7.1).`,
      ),
      '',
    );
  }
  if (isMailDomain && !input.mtaStsPolicyId) {
    out.push(
      ...comment(
        'No MTA-STS record: it needs a certificate from a public CA (tls.mode acme). With ' +
          'the self-signed certificate, senders could not verify the policy host, and ' +
          'those that enforce a cached policy would stop delivering.',
      ),
      `; mta-sts.${zone}. ${ttl} IN CNAME ${input.fqdn}.`,
      `; _mta-sts.${zone}. ${ttl} IN TXT "v=STSv1; id=..."`,
      '',
    );
  }
  if (zone === hostZone(input.fqdn, input.domains) && input.publicAddresses.length > 0) {
    out.push(
      ...comment(
        'Reverse DNS is not part of this zone: whoever owns the addresses (the VPS ' +
          `provider's control panel) must point each one back at ${input.fqdn}. Many ` +
          'receivers refuse or penalize mail from an address whose PTR name does not ' +
          'resolve back to it or does not match the HELO name.',
      ),
      ...input.publicAddresses.map((a) => `; ${reverseName(a)}. IN PTR ${input.fqdn}.`),
      '',
    );
  }
  return out;
}

/**
 * The records `listDnsRecords` lists, as one BIND zone-file fragment per zone, each record
 * with a comment above it explaining its purpose and choices. Names are absolute so the
 * lines fit any $ORIGIN. Zones come in input order; a zone holding only the host name (when
 * the host's FQDN is in none of the mail domains) comes first.
 */
export function renderDnsRecords(input: DnsRecordsInput): DnsZoneText[] {
  const records = listDnsRecords(input);
  const zones = [...new Set([hostZone(input.fqdn, input.domains), ...input.domains])];
  const ordered = input.domains.includes(zones[0] ?? '') ? [...input.domains] : zones;
  return ordered.map((zone) => {
    const own = records.filter((r) => r.domain === zone);
    const lines = [
      `; DNS records for ${zone}, made by mailctl (BIND zone-file syntax).`,
      '; Names are absolute (they end in a dot), so the lines fit the zone whatever its $ORIGIN.',
      '',
      ...(own.length > 0 ? recordLines(own) : []),
      ...suggestions(zone, input, input.domains.includes(zone)),
    ];
    while (lines.at(-1) === '') lines.pop();
    return { domain: zone, text: `${lines.join('\n')}\n` };
  });
}
