import { describe, expect, it } from 'vitest';
import { LAB_ACME_DIRECTORY, LAB_ACME_HOST, pebbleCertExtensions, pebbleConfig } from './acme.js';
import { dnsmasqConfig } from './dns.js';
import { labLayout } from './layout.js';

const l = labLayout('t1');

describe("the lab world's ACME server", () => {
  it('listens on the internet router, validates on port 80, and keeps its management API local', () => {
    const c = JSON.parse(pebbleConfig(l)) as { pebble: Record<string, unknown> };
    expect(c.pebble.listenAddress).toBe('198.51.100.1:14000');
    expect(c.pebble.managementListenAddress).toBe('127.0.0.1:15000');
    expect(c.pebble.httpPort).toBe(80);
    expect(c.pebble.certificate).toBe('/var/lib/mailctl/lab/t1/acme/pebble.pem');
    expect(LAB_ACME_DIRECTORY).toBe('https://acme.example.org:14000/dir');
  });

  it('is named in the lab world’s DNS, and its certificate covers that name', () => {
    expect(dnsmasqConfig(l, [])).toContain(`host-record=${LAB_ACME_HOST},198.51.100.1\n`);
    expect(pebbleCertExtensions(l)).toContain(
      `subjectAltName = DNS:${LAB_ACME_HOST}, IP:198.51.100.1`,
    );
  });
});
