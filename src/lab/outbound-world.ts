import { createHash, createPublicKey } from 'node:crypto';
import type { LabLayout } from './layout.js';

/**
 * The lab world's receivers for outbound TLS (issue 15): two domains in a DNSSEC-signed
 * zone with TLSA records (DANE) and two that publish an MTA-STS policy in mode enforce.
 * In each pair one MX presents the certificate its domain vouches for and one does not:
 * mail to the first is delivered over verified TLS, mail to the second is deferred.
 */
export const LAB_DANE_ZONE = 'dane.example.org';

/** dns.ts's LAB_OUTSIDE_DOMAIN (dns.ts imports this file, so not imported from there). */
const LAB_OUTSIDE_DOMAIN = 'example.org';

export interface LabReceiver {
  /** The mail domain the tests send to. */
  domain: string;
  /** Its MX host, whose name the certificate (or the TLSA record) is about. */
  mx: string;
  /** The MX host's address, on the internet namespace's public side. */
  address: string;
  /** How its domain tells senders to authenticate it. */
  kind: 'dane' | 'mta-sts';
  /** Whether the MX presents the certificate its domain vouches for. */
  good: boolean;
}

export const LAB_RECEIVERS = {
  daneGood: {
    domain: LAB_DANE_ZONE,
    mx: `mx.${LAB_DANE_ZONE}`,
    address: '198.51.100.21',
    kind: 'dane',
    good: true,
  },
  // Its TLSA record names the other receiver's key, not the one its server holds.
  daneBad: {
    domain: `bad.${LAB_DANE_ZONE}`,
    mx: `mx.bad.${LAB_DANE_ZONE}`,
    address: '198.51.100.22',
    kind: 'dane',
    good: false,
  },
  // Its certificate chains to the lab's CA, which the lab host trusts.
  stsGood: {
    domain: `sts.${LAB_OUTSIDE_DOMAIN}`,
    mx: `mx.sts.${LAB_OUTSIDE_DOMAIN}`,
    address: '198.51.100.23',
    kind: 'mta-sts',
    good: true,
  },
  // Its certificate is self-signed: nothing the lab host trusts vouches for it.
  stsBad: {
    domain: `badsts.${LAB_OUTSIDE_DOMAIN}`,
    mx: `mx.badsts.${LAB_OUTSIDE_DOMAIN}`,
    address: '198.51.100.24',
    kind: 'mta-sts',
    good: false,
  },
} as const satisfies Record<string, LabReceiver>;

export type LabReceiverName = keyof typeof LAB_RECEIVERS;

/** Where `https://mta-sts.<domain>/.well-known/mta-sts.txt` of both MTA-STS domains is served. */
export const LAB_MTA_STS_POLICY_ADDRESS = '198.51.100.25';

/** Addresses of the lab world's receivers, added to the internet namespace's public side. */
export const LAB_OUTBOUND_ADDRESSES = [
  ...Object.values(LAB_RECEIVERS).map((r) => r.address),
  LAB_MTA_STS_POLICY_ADDRESS,
];

/** nsd serves the signed zone on the internet router, beside dnsmasq (which forwards to it). */
export const LAB_NSD_PORT = 5301;

/** Where `lab up` puts the signed zone's key on the lab host: resolver.trust_anchor_file. */
export const LAB_TRUST_ANCHOR_ON_HOST = '/etc/mailctl/lab-dnssec-trust-anchor';

/**
 * Where `lab up` puts the lab's CA on the lab host for update-ca-certificates: the CA bundle
 * (Postfix's smtp_tls_CAfile, the MTA-STS resolver's https) then trusts the lab world's
 * MTA-STS hosts, as the real world's are trusted through the public CAs.
 */
export const LAB_CA_ON_HOST = '/usr/local/share/ca-certificates/mailctl-lab-ca.crt';

/** The files of the lab world's outbound receivers, in the lab's state directory. */
export function labOutboundFiles(l: LabLayout) {
  const dir = `${l.dirs.state}/outbound`;
  return {
    dir,
    key: (r: LabReceiverName | 'policy') => `${dir}/${r}.key`,
    cert: (r: LabReceiverName | 'policy') => `${dir}/${r}.pem`,
    extensions: `${dir}/cert.ext`,
    zoneKeyPrefix: `${dir}/zone-key`,
    zone: `${dir}/dane.zone`,
    nsdConf: `${dir}/nsd.conf`,
    nsdPid: `${dir}/nsd.pid`,
    nsdLog: `${dir}/nsd.log`,
  };
}

/** The `3 1 1` TLSA data of a key: SHA-256 of its SubjectPublicKeyInfo (pure). */
export function tlsa311(keyPem: string): string {
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * The signed zone's records before signing (pure): each DANE receiver's MX, address and
 * TLSA record. `tlsa` maps a receiver to the key data its TLSA record publishes.
 */
export function labDaneZone(l: LabLayout, tlsa: { good: string; bad: string }): string {
  const z = LAB_DANE_ZONE;
  const lines = [
    `$ORIGIN ${z}.`,
    '$TTL 60',
    `@ IN SOA ns.${z}. hostmaster.${z}. 1 3600 600 86400 60`,
    `@ IN NS ns.${z}.`,
    `ns IN A ${l.net.internetRouter4}`,
  ];
  for (const [r, hash] of [
    [LAB_RECEIVERS.daneGood, tlsa.good],
    [LAB_RECEIVERS.daneBad, tlsa.bad],
  ] as const) {
    lines.push(
      `${r.domain}. IN MX 10 ${r.mx}.`,
      `${r.mx}. IN A ${r.address}`,
      `_25._tcp.${r.mx}. IN TLSA 3 1 1 ${hash}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** nsd's configuration (pure): the signed zone only, on the internet router's LAB_NSD_PORT. */
export function labNsdConfig(l: LabLayout): string {
  const f = labOutboundFiles(l);
  return [
    '# mailctl lab: the signed zone of the DANE receivers',
    'server:',
    `  ip-address: ${l.net.internetRouter4}@${LAB_NSD_PORT}`,
    '  username: ""',
    `  zonesdir: "${f.dir}"`,
    `  zonelistfile: "${f.dir}/zone.list"`,
    `  pidfile: "${f.nsdPid}"`,
    `  xfrdfile: "${f.dir}/xfrd.state"`,
    `  xfrdir: "${f.dir}"`,
    `  logfile: "${f.nsdLog}"`,
    '  database: ""',
    '  server-count: 1',
    'remote-control:',
    '  control-enable: no',
    'zone:',
    `  name: ${LAB_DANE_ZONE}`,
    `  zonefile: "${f.zone}.signed"`,
    '',
  ].join('\n');
}

/** The MTA-STS policy each MTA-STS receiver's domain serves (pure; RFC 8461 3.2). */
export function labMtaStsPolicy(r: LabReceiver): string {
  return ['version: STSv1', 'mode: enforce', `mx: ${r.mx}`, 'max_age: 86400', ''].join('\r\n');
}

/** The lab world's DNS lines for the outbound receivers (dnsmasq syntax, pure). */
export function labOutboundDnsmasqLines(l: LabLayout): string[] {
  const sts = [LAB_RECEIVERS.stsGood, LAB_RECEIVERS.stsBad];
  return [
    // The signed zone is nsd's: dnsmasq passes queries and answers, signatures included.
    `server=/${LAB_DANE_ZONE}/${l.net.internetRouter4}#${LAB_NSD_PORT}`,
    ...sts.flatMap((r) => [
      `mx-host=${r.domain},${r.mx},10`,
      `host-record=${r.mx},${r.address}`,
      `host-record=mta-sts.${r.domain},${LAB_MTA_STS_POLICY_ADDRESS}`,
      `txt-record=_mta-sts.${r.domain},"v=STSv1; id=1"`,
    ]),
  ];
}
