/**
 * The rendered zone fragments through BIND's own zone parser, named-checkzone, in the
 * checker root (bind9-utils is one of its CHECKER_TOOLS): skipped only where there is no
 * checker root, and a failure where MAILCTL_DEBIAN13_ROOT names one without it.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { DKIM_RSA2048 } from './test-keys.js';
import { renderDnsRecords } from './zone-file.js';

const root = debian13Root('usr/bin/named-checkzone');

/** The fragment below the zone's own SOA and NS, as an administrator would paste it. */
function checkZone(fragment: string) {
  const content =
    '$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n' +
    fragment;
  const file = { path: '/tmp/example.com.db', content, mode: 0o644, owner: 'root', group: 'root' };
  // -o - sends the loaded zone to stdout, messages to stderr.
  return runInDebian13Root(
    root ?? '',
    [{ ...file, component: 'dns' }],
    ['named-checkzone', '-D', '-o', '-', 'example.com', file.path],
  );
}

describe.skipIf(!root)('zone fragments and named-checkzone', () => {
  const [zone] = renderDnsRecords({
    domains: ['example.com'],
    fqdn: 'mail.example.com',
    publicAddresses: ['203.0.113.10', '2001:db8::10'],
    dkim: { 'example.com': { selector: 'dkim', publicKey: DKIM_RSA2048 } },
    dmarcRua: 'postmaster@example.com',
    mtaStsPolicyId: '0123456789abcdef0123',
    tlsaSpkiSha256: 'ab'.repeat(32),
  });

  it('load into a zone, with the DKIM key as two strings that join back to it', () => {
    const r = checkZone(zone?.text ?? '');
    // No warnings: only the load message.
    expect(r.stderr).toBe('zone example.com/IN: loaded serial 1\nOK\n');
    expect(r.status).toBe(0);
    const dkim = /^dkim\._domainkey\.example\.com\.\s+3600\s+IN\s+TXT\s+(.*)$/m.exec(r.stdout);
    const strings = [...(dkim?.[1] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(strings).toHaveLength(2);
    expect(strings.join('')).toBe(`v=DKIM1; k=rsa; p=${DKIM_RSA2048}`);
    for (const type of ['A', 'AAAA', 'MX', 'CNAME', 'TLSA'])
      expect(r.stdout).toMatch(new RegExp(`\\sIN\\s${type}\\s`));
    expect(r.stdout).toMatch(/^_25\._tcp\.mail\.example\.com\.\s+3600\s+IN\s+TLSA\s+3 1 1 ABAB/m);
  });

  it('refuses a fragment whose TXT string is over 255 bytes (what the split avoids)', () => {
    const r = checkZone(`x IN TXT "${'a'.repeat(256)}"\n`);
    expect(r.stderr).toMatch(/:5: syntax error/);
    expect(r.status).not.toBe(0);
  });
});
