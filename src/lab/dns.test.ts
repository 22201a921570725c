import { describe, expect, it } from 'vitest';
import { dnsmasqConfig, LAB_DMARC_DOMAINS } from './dns.js';
import { labLayout } from './layout.js';

describe("the lab world's DNS", () => {
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
