import type { MailHostContext } from './host-context.js';
import { defaultMonitoring } from './monitoring/context.js';

/** A two-domain host as the example cluster describes it; tests override what they vary. */
export function testHostContext(overrides: Partial<MailHostContext> = {}): MailHostContext {
  return {
    name: 'mx1',
    fqdn: 'mail.example.com',
    publicAddresses: ['192.0.2.10', '2001:db8::10'],
    vpnAddress: '10.100.0.1',
    size: { cpus: 2, memoryBytes: 4 * 1024 ** 3 },
    vpnSubnet: '10.100.0.0/24',
    vpnPort: 51820,
    domains: ['example.com', 'example.org'],
    postgres: {
      mode: 'native',
      database: 'mailctl',
      port: 5432,
      dataDir: '/opt/postgres/data',
      walArchiveDir: '/opt/postgres/wal_archive',
    },
    adminAllow: ['192.0.2.0/28', '2001:db8:beef::/48'],
    fail2ban: {
      bantime: 3600,
      findtime: 600,
      maxretry: 5,
      vpn: { bantime: 600, findtime: 600, maxretry: 10 },
      adminAddresses: ['10.100.0.9/32'],
    },
    submissionLimit: { burst: 100, perHour: 100 },
    defaultQuotaBytes: 1_073_741_824,
    spam: { rejectScore: 15, addHeaderScore: 6, greylistScore: 4 },
    postscreen: {
      dnsblSites: ['zen.spamhaus.org=127.0.0.[2..11]*3', 'list.dnswl.org=127.0.[0..255].[1..3]*-2'],
      dnsblThreshold: 3,
    },
    mtaSts: { mode: 'testing', maxAgeSeconds: 604_800 },
    tls: {
      certFile: '/etc/mailctl/tls/mail.example.com.crt',
      keyFile: '/etc/mailctl/tls/mail.example.com.key',
    },
    paths: { vmail: '/var/mail/vmail', queue: '/var/mail/queue', backups: '/var/mail/backups' },
    vmail: { user: 'vmail', group: 'vmail', uid: 5000, gid: 5000 },
    backup: { retention: { daily: 7, weekly: 4, monthly: 6 } },
    resolver: { forwardTo: [], dnssec: true },
    monitoring: defaultMonitoring(),
    ...overrides,
  };
}
