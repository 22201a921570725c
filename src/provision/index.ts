import { listDnsRecords, type DnsRecord } from '../render/dns/index.js';
import { hostContextFromSpec, type Spec } from '../spec/index.js';
import { checkProvisionable, provisionNotes } from './checks.js';
import { renderVultrModule, type ProvisionFile } from './vultr/module.js';

export { renderAnsibleInventory, type AnsibleInventoryInput } from './ansible/inventory.js';
export { sha256Hex } from './cloud-init.js';
export type { ProvisionFile } from './vultr/module.js';
export { VULTR_PROVIDER } from './vultr/provider.js';

export interface ProvisionInput {
  spec: Spec;
  clusterFileText: string;
  bundleUrl: string;
  bundleSha256: string;
  /** `mailctl dns --json` from the host (with its DKIM keys); else the cluster file's records. */
  dnsRecords?: readonly DnsRecord[];
}

/**
 * The Terraform root module for the cluster file's provider, and what is left for the
 * administrator to do. Throws a UserError, before anything is rendered, for a cluster file
 * whose hosts could not be reached or addressed.
 */
export function renderProvisionModule(input: ProvisionInput): {
  files: ProvisionFile[];
  notes: string[];
} {
  checkProvisionable(input.spec);
  const ctx = hostContextFromSpec(input.spec);
  // Until the host has made its DKIM keys, the records the cluster file alone determines.
  const dnsRecords =
    input.dnsRecords ??
    listDnsRecords({
      domains: ctx.domains,
      fqdn: ctx.fqdn,
      publicAddresses: ctx.publicAddresses,
      dkim: {},
    });
  return {
    files: renderVultrModule({ ...input, dnsRecords }),
    notes: provisionNotes(input.spec, dnsRecords),
  };
}
