import { describe, expect, it } from 'vitest';
import { type DnsRecordsInput, listDnsRecords } from './dns-records.js';
import { DKIM_RSA2048 } from './test-keys.js';
import { renderDnsRecords } from './zone-file.js';

const input: DnsRecordsInput = {
  domains: ['example.com', 'example.org'],
  fqdn: 'mail.example.com',
  publicAddresses: ['203.0.113.10', '2001:db8::10'],
  dkim: {
    'example.com': { selector: 'dkim', publicKey: DKIM_RSA2048 },
    'example.org': { selector: 'dkim', publicKey: `p=${DKIM_RSA2048}` },
  },
  dmarcRua: 'dmarc-reports@example.com',
  mtaStsPolicyId: '0123456789abcdef0123',
  tlsaSpkiSha256: 'a'.repeat(64),
};

describe('renderDnsRecords', () => {
  it('renders one commented zone fragment per domain as in the golden files', async () => {
    const zones = renderDnsRecords(input);
    expect(zones.map((z) => z.domain)).toEqual(['example.com', 'example.org']);
    for (const z of zones) await expect(z.text).toMatchFileSnapshot(`golden/${z.domain}.zone`);
  });

  it('lists the same records as JSON, as in the golden file', async () => {
    const json = `${JSON.stringify(listDnsRecords(input), null, 2)}\n`;
    await expect(json).toMatchFileSnapshot('golden/records.json');
  });

  it('writes the DKIM key as 255-byte strings that join back to the key', () => {
    const text = renderDnsRecords(input)[0]?.text ?? '';
    const record = /^dkim\._domainkey\.example\.com\. .*?\)$/ms.exec(text)?.[0] ?? '';
    const strings = [...record.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(strings.map((s) => s.length)).toEqual([255, 155]);
    expect(strings.join('')).toBe(`v=DKIM1; k=rsa; p=${DKIM_RSA2048}`);
  });

  it('puts a host outside the mail domains in its own zone, and says what is missing', async () => {
    const zones = renderDnsRecords({
      domains: ['example.net'],
      fqdn: 'mx1.hosting.test',
      publicAddresses: ['198.51.100.7'],
      dkim: {},
      dmarcRua: 'reports@elsewhere.test',
      ttl: 300,
    });
    expect(zones.map((z) => z.domain)).toEqual(['hosting.test', 'example.net']);
    await expect(zones.map((z) => z.text).join('\n')).toMatchFileSnapshot(
      'golden/host-elsewhere.zone',
    );
  });

  it('publishes one SPF record when the host name is itself a mail domain', () => {
    const recs = listDnsRecords({ ...input, fqdn: 'example.org' });
    expect(recs.filter((r) => r.name === 'example.org' && r.type === 'TXT')).toHaveLength(1);
    expect(recs.find((r) => r.type === 'A')?.domain).toBe('example.org');
  });

  it('authorizes the report mailbox domain to receive the other domains reports', () => {
    const auth = listDnsRecords(input).filter((r) => r.name.includes('._report._dmarc.'));
    expect(auth.map((r) => [r.domain, r.name, r.value])).toEqual([
      ['example.com', 'example.org._report._dmarc.example.com', 'v=DMARC1'],
    ]);
  });
});
