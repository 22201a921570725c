import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsmasqConfig, LAB_DMARC_DOMAINS } from './dns.js';
import { labLayout } from './layout.js';

const l = labLayout('t1');
// `lab build` installs dnsmasq on this machine; where that ran (MAILCTL_DEBIAN13_ROOT is set),
// a missing dnsmasq is a failure, not a skip.
const noDnsmasq = !existsSync('/usr/sbin/dnsmasq') && !process.env.MAILCTL_DEBIAN13_ROOT;

describe("the lab world's DNS", () => {
  const conf = dnsmasqConfig(l, [
    {
      domain: 'example.com',
      name: 'mta-sts.example.com',
      type: 'CNAME',
      value: 'mail.example.com',
    },
    {
      domain: 'example.com',
      name: '_25._tcp.mail.example.com',
      type: 'TLSA',
      value: `3 1 1 ${'ab'.repeat(32)}`,
    },
    { domain: 'example.com', name: '_mta-sts.example.com', type: 'TXT', value: 'v=STSv1; id=1' },
  ]);

  it('publishes what mailctl dns lists: CNAME, TLSA as raw RDATA, TXT', () => {
    expect(conf).toContain('cname=mta-sts.example.com,mail.example.com\n');
    expect(conf).toContain(`dns-rr=_25._tcp.mail.example.com,52,030101${'ab'.repeat(32)}\n`);
    expect(conf).toContain('txt-record=_mta-sts.example.com,"v=STSv1; id=1"\n');
  });

  it.skipIf(noDnsmasq)('is a configuration dnsmasq itself accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailctl-dnsmasq-'));
    try {
      writeFileSync(join(dir, 'c.conf'), conf);
      const out = execFileSync('dnsmasq', ['--test', '-C', join(dir, 'c.conf')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes one outside name per DMARC policy, each with an MX and an SPF that passes nothing', () => {
    const conf = dnsmasqConfig(labLayout('t1'), []);
    for (const [policy, name] of Object.entries(LAB_DMARC_DOMAINS)) {
      expect(name).toBe(`${policy}.example.org`);
      expect(conf).toContain(`mx-host=${name},mx.example.org,10\n`);
      expect(conf).toContain(`txt-record=${name},"v=spf1 -all"\n`);
      expect(conf).toContain(`txt-record=_dmarc.${name},"v=DMARC1; p=${policy}"\n`);
    }
  });
});
