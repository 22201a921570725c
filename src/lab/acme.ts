import type { LabLayout } from './layout.js';

/**
 * The lab world's ACME CA: pebble (Let's Encrypt's test server) in the internet namespace,
 * under a name of the outside domain. It validates HTTP-01 against the lab host's public
 * address, which it learns from the lab world's DNS, as Let's Encrypt would from the
 * public DNS.
 */
export const LAB_ACME_HOST = 'acme.example.org';
export const LAB_ACME_PORT = 14000;
export const LAB_ACME_DIRECTORY = `https://${LAB_ACME_HOST}:${LAB_ACME_PORT}/dir`;
/** Pebble's management API (its issuing roots), on the internet namespace's loopback only. */
export const LAB_ACME_MANAGEMENT = 'https://127.0.0.1:15000';

/**
 * Where `lab up` puts the CA that signed pebble's own https certificate on the lab host:
 * the cluster file's tls.acme.ca_file for the lab's ACME server.
 */
export const LAB_ACME_CA_ON_HOST = '/etc/mailctl/lab-acme-ca.pem';

/** The files of the lab's ACME server, in the lab's state directory on this machine. */
export function labAcmeFiles(l: LabLayout) {
  const dir = `${l.dirs.state}/acme`;
  return {
    dir,
    caKey: `${dir}/ca.key`,
    caCert: `${dir}/ca.pem`,
    key: `${dir}/pebble.key`,
    csr: `${dir}/pebble.csr`,
    cert: `${dir}/pebble.pem`,
    extensions: `${dir}/pebble.ext`,
    config: `${dir}/pebble.json`,
    log: `${dir}/pebble.log`,
    pid: `${dir}/pebble.pid`,
  };
}

/** pebble's configuration (pure). httpPort 80: HTTP-01 is checked where a real CA checks it. */
export function pebbleConfig(l: LabLayout): string {
  const f = labAcmeFiles(l);
  return `${JSON.stringify(
    {
      pebble: {
        listenAddress: `${l.net.internetRouter4}:${LAB_ACME_PORT}`,
        managementListenAddress: LAB_ACME_MANAGEMENT.replace('https://', ''),
        certificate: f.cert,
        privateKey: f.key,
        httpPort: 80,
        tlsPort: 443,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    },
    null,
    2,
  )}\n`;
}

/** X.509 extensions of pebble's own https certificate (pure). */
export function pebbleCertExtensions(l: LabLayout): string {
  return [
    'basicConstraints = CA:FALSE',
    'keyUsage = digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = DNS:${LAB_ACME_HOST}, IP:${l.net.internetRouter4}`,
    '',
  ].join('\n');
}
