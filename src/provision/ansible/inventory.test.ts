import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleClusterText } from '../../../test/support/provision-input.js';
import { parseClusterFile } from '../../spec/index.js';
import { renderAnsibleInventory } from './inventory.js';

const twoHosts = exampleClusterText((d) =>
  d.addIn(
    ['hosts'],
    d.createNode({
      name: 'mx2',
      fqdn: 'mx2.example.com',
      public_addresses: ['198.51.100.11'],
      vpn_address: '10.100.0.2',
      roles: [],
    }),
  ),
);
const input = (text = exampleClusterText()) => ({
  spec: parseClusterFile(text, 'cluster.yaml'),
  clusterFile: '/srv/mail/cluster.yaml',
  bundle: '/srv/mail/mailctl.mjs',
});

describe('the Ansible inventory for a cluster file', () => {
  it('is the golden file for examples/cluster.yaml', async () => {
    const file = renderAnsibleInventory(input());
    expect(file.path).toBe('inventory.yml');
    await expect(file.content).toMatchFileSnapshot('golden/inventory.yml');
  });

  it('has every host of the file, each at its VPN address, and what the playbook installs', () => {
    const inv = parse(
      renderAnsibleInventory({ ...input(twoHosts), sshKey: '/root/.ssh/mail' }).content,
    ) as { mailctl: { hosts: Record<string, unknown>; vars: Record<string, unknown> } };
    expect(inv.mailctl.hosts).toEqual({
      mx1: { ansible_host: '10.100.0.1' },
      mx2: { ansible_host: '10.100.0.2' },
    });
    expect(inv.mailctl.vars).toMatchObject({
      ansible_user: 'root',
      ansible_ssh_private_key_file: '/root/.ssh/mail',
      mailctl_cluster_file: '/srv/mail/cluster.yaml',
      mailctl_bundle: '/srv/mail/mailctl.mjs',
    });
  });
});
