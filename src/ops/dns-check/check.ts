import { type DnsRecordsInput, listDnsRecords } from '../../render/dns/index.js';
import { type CheckRow, compareRecord } from './compare.js';
import type { Lookups } from './lookup.js';
import { SPF_LOOKUP_LIMIT, spfLookupCount, spfSyntaxProblems } from './spf.js';

const isSpf = (v: string) => /^v=spf1(\s|$)/i.test(v.trim());

/**
 * Looks up every record `mailctl dns` lists, the PTR of each public address, and the SPF
 * policies actually published (their syntax and RFC 7208's ten-lookup limit). A record
 * found as written is present; the DKIM and TLSA records are written from the host's own
 * key and certificate, so present also means they match them.
 */
export async function checkDns(input: DnsRecordsInput, lookups: Lookups): Promise<CheckRow[]> {
  const records = listDnsRecords(input);
  const rows = await Promise.all(
    records.map(async (r) => {
      const found = await lookups.values(r.name, r.type);
      const addresses =
        r.type === 'CNAME' && found.values.length === 0
          ? [
              ...(await lookups.values(r.name, 'A')).values,
              ...(await lookups.values(r.name, 'AAAA')).values,
            ]
          : undefined;
      const row = compareRecord(r, { values: found.values, addresses }, input.publicAddresses);
      return found.error && row.state !== 'present'
        ? { ...row, note: `lookup failed: ${found.error}` }
        : row;
    }),
  );

  const ptr = await Promise.all(
    input.publicAddresses.map(async (a): Promise<CheckRow> => {
      const found = await lookups.reverse(a);
      const names = found.values.map((n) => n.toLowerCase().replace(/\.$/, ''));
      const state = names.includes(input.fqdn) ? 'present' : names.length ? 'different' : 'missing';
      return {
        name: a,
        type: 'PTR',
        state,
        expected: input.fqdn,
        found: found.values,
        ...(state === 'present'
          ? {}
          : { note: "set it in the address owner's control panel (the VPS provider)" }),
      };
    }),
  );

  const fetchSpf = async (domain: string) =>
    (await lookups.values(domain, 'TXT')).values.find(isSpf);
  const spfNames = [...new Set(records.filter((r) => isSpf(r.value)).map((r) => r.name))];
  const spf = (
    await Promise.all(
      spfNames.map(async (name): Promise<CheckRow | undefined> => {
        const published = await fetchSpf(name);
        if (published === undefined) return undefined; // already reported as missing
        const problems = spfSyntaxProblems(published);
        const count = await spfLookupCount(published, fetchSpf);
        if (count > SPF_LOOKUP_LIMIT)
          problems.push(`needs ${count} DNS lookups, over the limit of ${SPF_LOOKUP_LIMIT}`);
        return {
          name,
          type: 'SPF',
          state: problems.length ? 'different' : 'present',
          expected: `valid, at most ${SPF_LOOKUP_LIMIT} lookups`,
          found: [published],
          ...(problems.length ? { note: problems.join('; ') } : {}),
        };
      }),
    )
  ).filter((r): r is CheckRow => r !== undefined);

  return [...rows, ...ptr, ...spf];
}

/** The table `mailctl dns --check` prints: one line per record, then what differs. */
export function renderCheckTable(rows: readonly CheckRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length), 4);
  const lines = rows.map((r) => {
    const head = `${r.state.padEnd(9)} ${r.type.padEnd(5)} ${r.name.padEnd(w)}`;
    if (r.state === 'present') return `${head}${r.note ? `  (${r.note})` : ''}`.trimEnd();
    const found = r.found.length ? `found ${r.found.join(' | ')}` : 'not found';
    return `${head}  expected ${r.expected}; ${found}${r.note ? ` (${r.note})` : ''}`;
  });
  const bad = rows.filter((r) => r.state !== 'present').length;
  lines.push(
    bad === 0
      ? `all ${rows.length} records are published as they should be`
      : `${bad} of ${rows.length} records are missing or different`,
  );
  return `${lines.join('\n')}\n`;
}
