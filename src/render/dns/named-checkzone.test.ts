/**
 * The rendered zone fragments through BIND's own zone parser. Skipped where
 * named-checkzone (Debian: bind9-utils) is missing; it is not a project dependency.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DKIM_RSA2048 } from './test-keys.js';
import { renderDnsRecords } from './zone-file.js';

const hasChecker = spawnSync('sh', ['-c', 'command -v named-checkzone']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'mailctl-dns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasChecker)('zone fragments and named-checkzone', () => {
  it('load into a zone, with the DKIM key as two strings that join back to it', () => {
    const [zone] = renderDnsRecords({
      domains: ['example.com'],
      fqdn: 'mail.example.com',
      publicAddresses: ['203.0.113.10', '2001:db8::10'],
      dkim: { 'example.com': { selector: 'dkim', publicKey: DKIM_RSA2048 } },
      dmarcRua: 'postmaster@example.com',
    });
    // The fragment goes below the zone's own SOA and NS, as an administrator would paste it.
    const file = join(dir, 'example.com.db');
    writeFileSync(
      file,
      '$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n' +
        (zone?.text ?? ''),
    );
    const r = spawnSync('named-checkzone', ['-D', '-o', '-', 'example.com', file], {
      encoding: 'utf8',
    });
    // No warnings: only the load message (-o - sends the zone to stdout, messages to stderr).
    expect(r.stderr).toBe('zone example.com/IN: loaded serial 1\nOK\n');
    expect(r.status).toBe(0);
    const dkim = /^dkim\._domainkey\.example\.com\.\s+3600\s+IN\s+TXT\s+(.*)$/m.exec(r.stdout);
    const strings = [...(dkim?.[1] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(strings).toHaveLength(2);
    expect(strings.join('')).toBe(`v=DKIM1; k=rsa; p=${DKIM_RSA2048}`);
    for (const type of ['A', 'AAAA', 'MX'])
      expect(r.stdout).toMatch(new RegExp(`\\sIN\\s${type}\\s`));
  });
});
