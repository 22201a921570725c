import { describe, expect, it } from 'vitest';
import type { DnsRecordsInput } from '../../render/dns/index.js';
import { listDnsRecords } from '../../render/dns/index.js';
import { checkDns, renderCheckTable } from './check.js';
import { compareRecord } from './compare.js';
import type { Answer, Lookups } from './lookup.js';
import { spfLookupCount, spfSyntaxProblems } from './spf.js';

const HOST = ['198.51.100.10', '2001:db8::10'];

describe('compareRecord', () => {
  const txt = { name: 'example.com', type: 'TXT', value: 'v=spf1 ip4:198.51.100.10 -all' };

  it('finds a TXT record among others at the same name', () => {
    const r = compareRecord(txt, { values: ['google-site-verification=x', txt.value] }, HOST);
    expect(r.state).toBe('present');
  });

  it('calls a TXT record of the same kind with another value different, and none missing', () => {
    expect(compareRecord(txt, { values: ['v=spf1 mx ~all'] }, HOST).state).toBe('different');
    expect(compareRecord(txt, { values: ['other=1'] }, HOST).state).toBe('missing');
    expect(compareRecord(txt, { values: [] }, HOST).state).toBe('missing');
  });

  it('compares MX hosts without case or trailing dot, and addresses in any notation', () => {
    const mx = { name: 'example.com', type: 'MX', value: '10 mail.example.com' };
    expect(compareRecord(mx, { values: ['10 Mail.Example.com.'] }, HOST).state).toBe('present');
    expect(compareRecord(mx, { values: ['10 other.example.net'] }, HOST).state).toBe('different');
    const aaaa = { name: 'mail.example.com', type: 'AAAA', value: '2001:db8::10' };
    expect(compareRecord(aaaa, { values: ['2001:0db8:0:0:0:0:0:10'] }, HOST).state).toBe('present');
  });

  it('takes address records of the host for a CNAME, and others as different', () => {
    const cname = { name: 'mta-sts.example.com', type: 'CNAME', value: 'mail.example.com' };
    const asA = compareRecord(cname, { values: [], addresses: ['198.51.100.10'] }, HOST);
    expect(asA.state).toBe('present');
    expect(asA.note).toMatch(/not a CNAME/);
    expect(compareRecord(cname, { values: [], addresses: ['192.0.2.9'] }, HOST).state).toBe(
      'different',
    );
    expect(compareRecord(cname, { values: [], addresses: [] }, HOST).state).toBe('missing');
  });
});

describe('SPF checks', () => {
  it('names unknown terms and a missing version', () => {
    expect(spfSyntaxProblems('v=spf1 ip4:192.0.2.1 include:_spf.example.net ~all')).toEqual([]);
    expect(spfSyntaxProblems('v=spf1 ipv4:192.0.2.1 -all')).toEqual([
      'unknown term "ipv4:192.0.2.1"',
    ]);
    expect(spfSyntaxProblems('spf1 -all')).toEqual(['does not start with v=spf1']);
  });

  it('counts lookups through nested includes, as receivers do', async () => {
    const zone: Record<string, string> = {
      'a.test': 'v=spf1 include:b.test mx a -all',
      'b.test': 'v=spf1 include:c.test ip4:192.0.2.1 -all',
      'c.test': 'v=spf1 a mx exists:%{i}.x.test -all',
    };
    const fetch = (d: string) => Promise.resolve(zone[d]);
    expect(await spfLookupCount(zone['a.test'] ?? '', fetch)).toBe(7);
    expect(await spfLookupCount('v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all', fetch)).toBe(0);
    // A loop stops once over the limit instead of recursing for ever.
    const loop = (d: string) => Promise.resolve(`v=spf1 include:${d} -all`);
    expect(await spfLookupCount('v=spf1 include:x.test -all', loop)).toBeGreaterThan(10);
  });
});

describe('checkDns', () => {
  const input: DnsRecordsInput = {
    domains: ['example.com'],
    fqdn: 'mail.example.com',
    publicAddresses: HOST,
    dkim: {},
    tlsaSpkiSha256: 'ab'.repeat(32),
  };
  /** A resolver that serves exactly these records. */
  function zone(records: { name: string; type: string; value: string }[], ptr: string[]): Lookups {
    return {
      values: (name, type): Promise<Answer> =>
        Promise.resolve({
          values: records.filter((r) => r.name === name && r.type === type).map((r) => r.value),
        }),
      reverse: () => Promise.resolve({ values: ptr }),
    };
  }

  it('finds everything present when the zone holds what mailctl dns lists', async () => {
    const rows = await checkDns(input, zone(listDnsRecords(input), ['mail.example.com']));
    expect(rows.filter((r) => r.state !== 'present')).toEqual([]);
    expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(['PTR', 'SPF', 'TLSA']));
    expect(renderCheckTable(rows)).toMatch(/all \d+ records are published as they should be\n$/);
  });

  it('names what is missing, different, or over the SPF limit', async () => {
    const published = listDnsRecords(input)
      .filter((r) => r.type !== 'TLSA')
      .map((r) =>
        r.name === 'example.com' && r.type === 'TXT'
          ? {
              ...r,
              value: 'v=spf1 include:a.test include:a.test include:a.test include:a.test -all',
            }
          : r,
      );
    published.push({ ...published[0]!, name: 'a.test', type: 'TXT', value: 'v=spf1 a mx -all' });
    const rows = await checkDns(input, zone(published, ['vps-1.provider.test']));
    const state = (type: string, name: string) =>
      rows.find((r) => r.type === type && r.name === name)?.state;
    expect(state('TLSA', '_25._tcp.mail.example.com')).toBe('missing');
    expect(state('TXT', 'example.com')).toBe('different');
    expect(state('PTR', '198.51.100.10')).toBe('different');
    const spf = rows.find((r) => r.type === 'SPF' && r.name === 'example.com');
    expect(spf?.state).toBe('different');
    expect(spf?.note).toContain('needs 12 DNS lookups, over the limit of 10');
    expect(renderCheckTable(rows)).toMatch(
      /^missing\s+TLSA\s+_25\._tcp\.mail\.example\.com\s+expected 3 1 1 abab/m,
    );
  });
});
