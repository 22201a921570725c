import ipaddr from 'ipaddr.js';

/** What a lookup of one record found, compared with what `mailctl dns` says to publish. */
export type CheckState = 'present' | 'missing' | 'different';

export interface CheckRow {
  name: string;
  type: string;
  state: CheckState;
  expected: string;
  /** The values published under that name and type (TXT strings joined). */
  found: string[];
  /** Why it counts as different, or how it was found when not as written. */
  note?: string;
}

/** What the resolver answered for one name: values of the record's type, and, for a CNAME, addresses. */
export interface Found {
  values: string[];
  /** The addresses the name resolves to (only looked up for a CNAME that is not there). */
  addresses?: string[];
}

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
  } catch {
    return false;
  }
}

/** The `v=...` tag a TXT record starts with (v=spf1, v=DKIM1 ...), lower-case; '' if none. */
const txtTag = (v: string) => /^v=([A-Za-z0-9]+)/.exec(v.trim())?.[1]?.toLowerCase() ?? '';

/** The canonical form of one value of a record type, for comparison. */
function canonical(type: string, value: string): string {
  switch (type) {
    case 'MX': {
      const [pref, host] = value.trim().split(/\s+/);
      return `${Number(pref)} ${bare(host ?? '')}`;
    }
    case 'CNAME':
      return bare(value);
    case 'TLSA':
      return value.trim().toLowerCase().replace(/\s+/g, ' ');
    default:
      return value;
  }
}

/**
 * Compares one record with what was found (pure). A TXT record is "different" when the
 * name has a record of the same kind (the same v= tag: SPF, DKIM, DMARC ...) with another
 * value, and "missing" when it has none; other names may share the TXT name harmlessly.
 * A CNAME that is not there but whose name leads to the host's addresses counts as present.
 */
export function compareRecord(
  expected: { name: string; type: string; value: string },
  found: Found,
  hostAddresses: readonly string[],
): CheckRow {
  const row = (state: CheckState, note?: string): CheckRow => ({
    name: expected.name,
    type: expected.type,
    state,
    expected: expected.value,
    found: found.values,
    ...(note ? { note } : {}),
  });
  const want = canonical(expected.type, expected.value);
  if (expected.type === 'A' || expected.type === 'AAAA') {
    if (found.values.some((v) => sameAddress(v, expected.value))) return row('present');
    return found.values.length ? row('different') : row('missing');
  }
  if (found.values.some((v) => canonical(expected.type, v) === want)) return row('present');
  if (expected.type === 'TXT') {
    const same = found.values.filter((v) => txtTag(v) === txtTag(expected.value));
    return same.length ? row('different') : row('missing');
  }
  if (expected.type === 'CNAME' && found.values.length === 0 && found.addresses?.length) {
    const ours = found.addresses.every((a) => hostAddresses.some((h) => sameAddress(a, h)));
    return ours
      ? row('present', 'as address records of the host, not a CNAME')
      : row('different', `resolves to ${found.addresses.join(', ')}, not to the host`);
  }
  return found.values.length ? row('different') : row('missing');
}
