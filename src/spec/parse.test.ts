import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostContextFromSpec, parseClusterFile } from './index.js';
import { clusterProblems as problems, minimalCluster } from '../../test/support/cluster-text.js';

const example = readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8');

describe('parseClusterFile', () => {
  it('accepts the example the lab uses, with defaults filled in', () => {
    const spec = parseClusterFile(example, 'examples/cluster.yaml');
    expect(spec.domains.map((d) => d.name)).toEqual(['example.com', 'example.net']);
    expect(spec.vpn.port).toBe(51820);
    expect(spec.mail.default_quota).toBe(2 * 1024 ** 3);
    expect(spec.domains[1]?.mailboxes[0]?.quota).toBe(500 * 1024 ** 2);
  });

  it('applies defaults to a minimal file', () => {
    const spec = parseClusterFile(minimalCluster(), 't.yaml');
    expect(spec.postgres).toMatchObject({
      mode: 'native',
      port: 5432,
      data_dir: '/opt/postgres/data',
    });
    expect(spec.tls).toEqual({ mode: 'self-signed' });
    expect(spec.vpn.subnet).toBe('10.100.0.0/24');
  });

  it('reports every schema problem at once, each with its path and line', () => {
    const found = problems(`hosts:
  - name: mx1
    fqdn: Mail.Example
    public_addresses: [1.2.3]
    vpn_address: 10.100.0.1
domains:
  - name: example.com
    mailboxes: [{ local_part: demo, quota: lots }]
bogus: 1
`);
    expect(found).toHaveLength(4);
    expect(found).toContain(
      'hosts[0].fqdn: must be a lower-case DNS name such as mail.example.com (line 3:11)',
    );
    expect(
      found.some((f) =>
        f.startsWith('hosts[0].public_addresses[0]: must be an IPv4 or IPv6 address (line 4:24)'),
      ),
    ).toBe(true);
    expect(
      found.some((f) => f.startsWith("domains[0].mailboxes[0].quota: 'lots' is not a size")),
    ).toBe(true);
    expect(found.some((f) => f.includes('bogus'))).toBe(true);
  });

  it('locates YAML syntax errors and duplicate keys', () => {
    expect(problems('hosts: [\n')[0]).toMatch(/^\(yaml\): .*line/);
    expect(problems(`${minimalCluster()}domains: []\n`)[0]).toMatch(
      /^\(yaml\): Map keys must be unique/,
    );
  });

  it('enforces the cross-field rules with their paths', () => {
    const found = problems(`hosts:
  - name: mx1
    fqdn: mail.example.com
    public_addresses: [198.51.100.10]
    vpn_address: 10.200.0.1
vpn:
  peers:
    - { name: a, public_key: "${'A'.repeat(43)}=", address: 10.100.0.1 }
    - { name: a, public_key: "${'E'.repeat(43)}=", address: 10.100.0.1 }
domains:
  - name: example.com
    mailboxes: [{ local_part: demo }]
    aliases:
      - { source: demo@example.com, destinations: [x@example.org] }
      - { source: info@example.net, destinations: [demo@example.com] }
  - name: example.com
mail:
  spam: { greylist: 9, add_header: 6, reject: 15 }
`);
    const paths = found.map((f) => f.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'hosts[0].vpn_address',
        'vpn.peers[1].address',
        'vpn.peers[1].name',
        'domains[1].name',
        'domains[0].aliases[0].source',
        'domains[0].aliases[1].source',
        'mail.spam',
      ]),
    );
    expect(found.find((f) => f.startsWith('hosts[0].vpn_address'))).toMatch(
      /not a host address inside vpn.subnet 10.100.0.0\/24 \(line 5/,
    );
  });
});

describe('declared aliases', () => {
  it('refuses aliases that loop, once per loop, at the line of the first', () => {
    const found = problems(
      minimalCluster(`    mailboxes: [{ local_part: demo }]
    aliases:
      - { source: a@example.com, destinations: [demo@example.com, b@example.com] }
      - { source: b@example.com, destinations: [a@example.com] }
      - { source: c@example.com, destinations: [a@example.com] }
`),
    );
    expect(found).toEqual([
      'domains[0].aliases[0].destinations: the aliases form a loop (a@example.com → b@example.com → a@example.com); Postfix could never deliver it (line 10:48)',
    ]);
  });
});

describe('hardening settings', () => {
  it('defaults: no admin networks, one-hour bans after 5 failures, 100 messages an hour', () => {
    const spec = parseClusterFile(minimalCluster(), 't.yaml');
    expect(spec.ssh.admin_allow).toEqual([]);
    expect(spec.fail2ban).toEqual({
      bantime: 3600,
      findtime: 600,
      maxretry: 5,
      vpn: { bantime: 600, findtime: 600, maxretry: 10 },
      admin_addresses: [],
    });
    expect(spec.mail.submission_limit).toEqual({ burst: 100, per_hour: 100 });
  });

  it('reads durations as people write them', () => {
    const spec = parseClusterFile(
      minimalCluster('fail2ban: { bantime: 1d, findtime: 10m, maxretry: 3 }\n'),
      't.yaml',
    );
    expect(spec.fail2ban).toMatchObject({ bantime: 86_400, findtime: 600, maxretry: 3 });
  });

  it('takes the VPN limits and the admin addresses, and refuses a bad admin address', () => {
    const spec = parseClusterFile(
      minimalCluster(
        'fail2ban: { vpn: { bantime: 5m, maxretry: 4 }, admin_addresses: [10.100.0.2/32] }\n',
      ),
      't.yaml',
    );
    expect(spec.fail2ban.vpn).toEqual({ bantime: 300, findtime: 600, maxretry: 4 });
    expect(spec.fail2ban.admin_addresses).toEqual(['10.100.0.2/32']);
    expect(
      problems(minimalCluster('fail2ban: { admin_addresses: [10.100.0.2/24, not-a-net] }\n')),
    ).toEqual([expect.stringMatching(/^fail2ban\.admin_addresses\[1\]: must be a network/)]);
    expect(problems(minimalCluster('fail2ban: { admin_addresses: [10.100.0.2/24] }\n'))).toEqual([
      expect.stringMatching(/^fail2ban\.admin_addresses\[0\]: 10\.100\.0\.2\/24 has host bits set/),
    ]);
  });

  it('refuses a bad admin network, a duration and a limit, each with its path', () => {
    const found = problems(
      minimalCluster(`ssh:
  admin_allow: [192.0.2.0/24, 192.0.2.1/24, 0.0.0.0/0, '2001:db8::1/48', not-a-net]
fail2ban: { bantime: soon }
mail:
  submission_limit: { burst: 0 }
`),
    );
    // Schema problems first: the cross-field rules only run on a file that parsed.
    expect(found.map((f) => f.split(':')[0])).toEqual(
      expect.arrayContaining([
        'ssh.admin_allow[4]',
        'fail2ban.bantime',
        'mail.submission_limit.burst',
      ]),
    );
    const rules = problems(
      minimalCluster(
        `ssh:\n  admin_allow: [192.0.2.0/24, 192.0.2.1/24, 0.0.0.0/0, '2001:db8::1/48', '::ffff:192.0.2.0/120', '::ffff:192.0.2.1/120']\n`,
      ),
    );
    // An IPv4 network written inside IPv6 (::ffff:192.0.2.0/120) is judged by its IPv4 bits.
    expect(rules).toEqual([
      expect.stringMatching(/^ssh\.admin_allow\[1\]: 192\.0\.2\.1\/24 has host bits set/),
      expect.stringMatching(/^ssh\.admin_allow\[2\]: 0\.0\.0\.0\/0 is too wide/),
      expect.stringMatching(/^ssh\.admin_allow\[3\]: 2001:db8::1\/48 has host bits set/),
      expect.stringMatching(/^ssh\.admin_allow\[5\]: ::ffff:192\.0\.2\.1\/120 has host bits set/),
    ]);
  });
});

describe('hostContextFromSpec', () => {
  it('gives the mail host view the renderers take', () => {
    const ctx = hostContextFromSpec(parseClusterFile(example, 'x'));
    expect(ctx).toMatchObject({
      fqdn: 'mail.example.com',
      vpnAddress: '10.100.0.1',
      publicAddresses: ['198.51.100.10', '2001:db8:100::10'],
      domains: ['example.com', 'example.net'],
      spam: { greylistScore: 4, addHeaderScore: 6, rejectScore: 15 },
      tls: { certFile: '/etc/mailctl/tls/mail.example.com.crt' },
    });
  });

  it('takes an IPv4 admin network written in IPv6 notation as IPv4, as packets arrive', () => {
    const ctx = hostContextFromSpec(
      parseClusterFile(
        minimalCluster(`ssh:\n  admin_allow: ['::ffff:192.0.2.0/120', '2001:db8:beef::/48']\n`),
        't.yaml',
      ),
    );
    expect(ctx.adminAllow).toEqual(['192.0.2.0/24', '2001:db8:beef::/48']);
  });
});
