import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  exampleClusterText,
  exampleProvisionInput,
  TEST_BUNDLE_SHA256,
} from '../../../test/support/provision-input.js';
import { renderProvisionModule } from '../index.js';

const input = exampleProvisionInput();
const { files } = renderProvisionModule(input);
const byPath = (p: string) => files.find((f) => f.path === p)?.content;
const json = (p: string): unknown => JSON.parse(byPath(p) ?? 'null');

describe('the Vultr module for examples/cluster.yaml', () => {
  it('is the files of the golden directory', async () => {
    expect(files.map((f) => f.path)).toEqual([
      'dns.tf.json',
      'firewall.tf.json',
      'mx1.cloud-init.yaml',
      'mx1.tf.json',
      'provider.tf.json',
    ]);
    for (const f of files) await expect(f.content).toMatchFileSnapshot(`golden/${f.path}`);
  });

  it('is the same for the same input, and carries no date or secret', () => {
    expect(renderProvisionModule(exampleProvisionInput()).files).toEqual(files);
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect(all).not.toMatch(/api_key"\s*:\s*"[^$]/);
  });

  it('pins the provider and takes the API key only from a variable or VULTR_API_KEY', () => {
    const p = json('provider.tf.json') as {
      terraform: { required_providers: { vultr: { source: string; version: string } } };
      provider: { vultr: { api_key: string } };
      variable: { vultr_api_key: { sensitive: boolean; default: null } };
    };
    expect(p.terraform.required_providers.vultr).toEqual({
      source: 'vultr/vultr',
      version: '2.32.0',
    });
    expect(p.provider.vultr.api_key).toBe('${var.vultr_api_key}');
    expect(p.variable.vultr_api_key).toMatchObject({ sensitive: true, default: null });
  });

  it('opens the mail ports, WireGuard and ICMP to all and SSH to ssh.admin_allow only', () => {
    const rules = Object.values(
      (json('firewall.tf.json') as { resource: { vultr_firewall_rule: Record<string, unknown> } })
        .resource.vultr_firewall_rule,
    ) as {
      protocol: string;
      ip_type: string;
      subnet: string;
      subnet_size: number;
      port?: string;
    }[];
    const open = (r: (typeof rules)[number]) => r.subnet_size === 0;
    expect(
      rules
        .filter(open)
        .map((r) => `${r.protocol}/${r.port ?? '-'}/${r.ip_type}`)
        .sort(),
    ).toEqual(
      ['tcp/25', 'tcp/80', 'tcp/443', 'tcp/465', 'tcp/587', 'udp/51820', 'icmp/-']
        .flatMap((x) => [`${x}/v4`, `${x}/v6`])
        .sort(),
    );
    expect(rules.filter((r) => r.port === '22')).toEqual([
      expect.objectContaining({ ip_type: 'v4', subnet: '192.0.2.0', subnet_size: 28 }),
      expect.objectContaining({ ip_type: 'v6', subnet: '2001:db8:beef::', subnet_size: 48 }),
    ]);
  });

  it('publishes every record mailctl dns lists, TXT quoted as Vultr demands', () => {
    const records = Object.values(
      (json('dns.tf.json') as { resource: { vultr_dns_record: Record<string, unknown> } }).resource
        .vultr_dns_record,
    ) as { name: string; type: string; data: string; priority?: number }[];
    expect(records).toHaveLength(input.dnsRecords?.length ?? -1);
    for (const r of input.dnsRecords ?? []) {
      const zoneName = r.name === r.domain ? '' : r.name.slice(0, -(r.domain.length + 1));
      const data =
        r.type === 'TXT' ? `"${r.value}"` : r.type === 'MX' ? r.value.split(' ')[1] : r.value;
      expect(records).toContainEqual(
        expect.objectContaining({ name: zoneName, type: r.type, data }),
      );
    }
    expect(records.filter((r) => r.name === 'dkim._domainkey')).toHaveLength(2);
  });

  it('leaves DNS out unless provider_dns is vultr', () => {
    const text = exampleClusterText((d) => d.setIn(['provision', 'provider_dns'], 'none'));
    const paths = renderProvisionModule(exampleProvisionInput(text)).files.map((f) => f.path);
    expect(paths).not.toContain('dns.tf.json');
  });

  it('boots the host with the cluster file as written and the bundle pinned by its sha256', () => {
    const doc = parse(byPath('mx1.cloud-init.yaml') ?? '') as {
      write_files: { path: string; content: string }[];
      runcmd: string[][];
    };
    const file = (p: string) => doc.write_files.find((f) => f.path === p)?.content;
    expect(file('/etc/mailctl/cluster.yaml')).toBe(input.clusterFileText);
    expect(file('/etc/mailctl/first-boot.sha256')).toContain(
      `${TEST_BUNDLE_SHA256}  /usr/local/lib/mailctl/mailctl.mjs.download`,
    );
    expect(doc.runcmd).toEqual([['/usr/local/lib/mailctl/first-boot', input.bundleUrl]]);
  });

  it('never lets a value become a Terraform interpolation', () => {
    const text = exampleClusterText().replace('# The cluster file', '# ${var.x} The cluster file');
    const base = exampleProvisionInput(text);
    const txt = {
      ...(base.dnsRecords?.[0] ?? ({} as never)),
      type: 'TXT' as const,
      value: 'a${b}%{c}',
    };
    const out = renderProvisionModule({ ...base, dnsRecords: [txt] }).files;
    // The user data is read with file(), which does not interpret templates.
    expect(out.find((f) => f.path === 'mx1.cloud-init.yaml')?.content).toContain('# ${var.x} The');
    const dns = out.find((f) => f.path === 'dns.tf.json')?.content ?? '';
    expect(dns).toContain('"data": "\\"a$${b}%%{c}\\""');
  });
});
