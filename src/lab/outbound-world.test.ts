import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dnsmasqConfig } from './dns.js';
import { labLayout } from './layout.js';
import {
  LAB_DANE_ZONE,
  LAB_OUTBOUND_ADDRESSES,
  LAB_RECEIVERS,
  labDaneZone,
  labMtaStsPolicy,
  labNsdConfig,
  tlsa311,
} from './outbound-world.js';

const l = labLayout('t1');

describe("the lab world's outbound receivers", () => {
  it('computes the 3 1 1 TLSA data as openssl does (SHA-256 of the SubjectPublicKeyInfo)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: pem });
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der })
      .toString()
      .split(' ')[0];
    expect(tlsa311(pem)).toBe(hex);
  });

  it('signs MX, address and TLSA of each DANE receiver in one zone, nothing of the others', () => {
    const zone = labDaneZone(l, { good: 'aa'.repeat(32), bad: 'bb'.repeat(32) });
    const { daneGood, daneBad, stsGood } = LAB_RECEIVERS;
    expect(zone).toContain(`${daneGood.domain}. IN MX 10 ${daneGood.mx}.\n`);
    expect(zone).toContain(`_25._tcp.${daneGood.mx}. IN TLSA 3 1 1 ${'aa'.repeat(32)}\n`);
    expect(zone).toContain(`_25._tcp.${daneBad.mx}. IN TLSA 3 1 1 ${'bb'.repeat(32)}\n`);
    expect(zone).not.toContain(stsGood.domain);
    expect(labNsdConfig(l)).toContain(`  name: ${LAB_DANE_ZONE}\n`);
  });

  it('publishes the MTA-STS receivers unsigned, with their policy and its TXT record', () => {
    const conf = dnsmasqConfig(l, []);
    for (const r of [LAB_RECEIVERS.stsGood, LAB_RECEIVERS.stsBad]) {
      expect(conf).toContain(`mx-host=${r.domain},${r.mx},10\n`);
      expect(conf).toContain(`txt-record=_mta-sts.${r.domain},"v=STSv1; id=1"\n`);
      expect(labMtaStsPolicy(r)).toBe(
        `version: STSv1\r\nmode: enforce\r\nmx: ${r.mx}\r\nmax_age: 86400\r\n`,
      );
    }
    expect(conf).toContain(`server=/${LAB_DANE_ZONE}/${l.net.internetRouter4}#5301\n`);
  });

  it('gives every receiver an address of its own beside the lab host and the router', () => {
    expect(new Set(LAB_OUTBOUND_ADDRESSES).size).toBe(LAB_OUTBOUND_ADDRESSES.length);
    for (const a of LAB_OUTBOUND_ADDRESSES) {
      expect(a).toMatch(/^198\.51\.100\.\d+$/);
      expect([l.net.hostPublic4, l.net.internetRouter4]).not.toContain(a);
    }
  });
});
