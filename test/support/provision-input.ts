/**
 * The example cluster file as an administrator would take it to Vultr: examples/cluster.yaml
 * with an SSH key, an admin network and Vultr's DNS added (the lab's copy needs none of them).
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { listDnsRecords } from '../../src/render/dns/index.js';
import { DKIM_RSA2048 } from '../../src/render/dns/test-keys.js';
import { hostContextFromSpec, parseClusterFile } from '../../src/spec/index.js';
import type { ProvisionInput } from '../../src/provision/index.js';

export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA8peCPG003ccZUw1yK3rfppBlIEv/QdG+8SPM1oAT3M admin@laptop';
export const TEST_BUNDLE_URL = 'https://downloads.example.org/mailctl/0.1.0/mailctl.mjs';
export const TEST_BUNDLE_SHA256 = 'ab'.repeat(32);

const example = readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8');

/** The example with `edit` applied to its YAML document (comments kept). */
export function exampleClusterText(
  edit: (doc: ReturnType<typeof parseDocument>) => void = () => {},
): string {
  const doc = parseDocument(example);
  doc.setIn(['ssh'], doc.createNode({ admin_allow: ['192.0.2.0/28', '2001:db8:beef::/48'] }));
  doc.setIn(
    ['provision'],
    doc.createNode({ region: 'fra', ssh_keys: [TEST_SSH_KEY], provider_dns: 'vultr' }),
  );
  edit(doc);
  return doc.toString();
}

/** What the CLI would hand the renderer, with the DKIM records a host's `mailctl dns --json` has. */
export function exampleProvisionInput(text = exampleClusterText()): ProvisionInput {
  const spec = parseClusterFile(text, 'cluster.yaml');
  const ctx = hostContextFromSpec(spec);
  const dkim = Object.fromEntries(
    ctx.domains.map((d) => [d, { selector: 'dkim', publicKey: DKIM_RSA2048 }]),
  );
  return {
    spec,
    clusterFileText: text,
    bundleUrl: TEST_BUNDLE_URL,
    bundleSha256: TEST_BUNDLE_SHA256,
    dnsRecords: listDnsRecords({
      domains: ctx.domains,
      fqdn: ctx.fqdn,
      publicAddresses: ctx.publicAddresses,
      dkim,
    }),
  };
}
