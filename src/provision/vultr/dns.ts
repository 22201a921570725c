import type { DnsRecord } from '../../render/dns/index.js';
import { provisionError } from '../errors.js';
import { expr, literal, tfName, type TfValue } from '../tf-json.js';

/** The owner name relative to its zone, as vultr_dns_record's `name` takes it ('' at the apex). */
function relativeName(r: DnsRecord): string {
  if (r.name === r.domain) return '';
  if (!r.name.endsWith(`.${r.domain}`))
    throw provisionError('E_PROVISION_DNS_RECORDS', `${r.name} is not inside the zone ${r.domain}`);
  return r.name.slice(0, -(r.domain.length + 1));
}

/**
 * Vultr's API takes TXT data only enclosed in double quotes and as one string (it joins long
 * values itself), and has no escape for a quote inside: such a value is refused here rather
 * than published broken.
 */
function recordData(r: DnsRecord): { data: string; priority?: number } {
  if (r.type === 'MX') {
    const m = /^(\d+)\s+(\S+)$/.exec(r.value);
    if (!m?.[1] || !m[2])
      throw provisionError(
        'E_PROVISION_DNS_RECORDS',
        `MX ${r.name}: '${r.value}' is not "PREFERENCE HOST"`,
      );
    return { data: m[2], priority: Number(m[1]) };
  }
  if (r.type === 'TXT') {
    if (r.value.includes('"'))
      throw provisionError(
        'E_PROVISION_DNS_RECORDS',
        `TXT ${r.name}: Vultr DNS cannot hold a double quote`,
      );
    return { data: `"${r.value}"` };
  }
  return { data: r.value };
}

/**
 * vultr_dns_domain per zone and vultr_dns_record per record of `mailctl dns`, named after
 * what they hold (zone, owner, type), so that a record added later does not rename the others.
 */
export function dnsResources(
  records: readonly DnsRecord[],
): Record<string, Record<string, TfValue>> {
  const domains: Record<string, TfValue> = {};
  const out: Record<string, TfValue> = {};
  for (const r of records) {
    const zone = tfName(r.domain);
    domains[zone] ??= { domain: literal(r.domain) };
    const rel = relativeName(r);
    const base = tfName(`${r.domain}_${rel === '' ? 'apex' : rel}_${r.type}`);
    let name = base;
    for (let n = 2; name in out; n++) name = `${base}_${n}`;
    const { data, priority } = recordData(r);
    out[name] = {
      '//': literal(r.comment),
      domain: expr(`vultr_dns_domain.${zone}.id`),
      name: literal(rel),
      type: r.type,
      data: literal(data),
      ...(priority === undefined ? {} : { priority }),
      ttl: r.ttl,
    };
  }
  return { vultr_dns_domain: domains, vultr_dns_record: out };
}
