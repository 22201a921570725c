import { z } from 'zod';

/**
 * The cluster file's schema. Keys are snake_case, as YAML files in this field are; every
 * default lives here, so `mailctl validate` and apply see the same values.
 */

const dnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case DNS name such as mail.example.com',
  );

const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' });

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([KMGT]?)B?$/i;
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Sizes as people write them (500M, 2G, 0 for unlimited), parsed to bytes. */
export const size = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = SIZE_RE.exec(v.trim());
  if (!m?.[1]) {
    ctx.addIssue({
      code: 'custom',
      message: `'${v}' is not a size (use e.g. 500M, 2G, or 0 for unlimited)`,
    });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1));
});

const DURATION_RE = /^(\d+)\s*([smhdw]?)$/;
const SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Durations as people write them (90, 10m, 1h, 1d, 1w), parsed to whole seconds. */
export const duration = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = DURATION_RE.exec(v.trim());
  const seconds = m?.[1] ? Number(m[1]) * (SECONDS[m[2] ?? ''] ?? 1) : 0;
  if (seconds <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `'${v}' is not a duration (use seconds, or e.g. 10m, 1h, 1d, 1w)`,
    });
    return z.NEVER;
  }
  return seconds;
});

const wgKey = z
  .string()
  .regex(
    /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/,
    'must be a WireGuard public key (base64 of 32 bytes)',
  );

const localPart = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/,
    'must be a lower-case local part such as demo or first.last',
  );

const address = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?@[a-z0-9.-]+\.[a-z]{2,63}$/,
    'must be a lower-case mail address',
  );

/** The ACME directories that have a short name; any other is given by its URL. */
export const ACME_DIRECTORIES = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

const DIRECTORY_ERROR =
  'must be letsencrypt, letsencrypt-staging, or the https:// URL of an ACME directory';

/** RFC 8555 section 6.1: ACME is spoken over HTTPS only. */
function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

const acmeSchema = z.strictObject(
  {
    directory: z
      .string({ error: DIRECTORY_ERROR })
      .refine((v) => Object.hasOwn(ACME_DIRECTORIES, v) || isHttpsUrl(v), DIRECTORY_ERROR),
    email: z.email({ error: 'must be a mail address (the CA writes to it about the account)' }),
    // A private ACME server's CA (PEM, a path on the host): certbot trusts it, and only it,
    // for the directory's https. Public CAs need none.
    ca_file: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, 'must be an absolute path on the host')
      .optional(),
  },
  {
    error: (issue) =>
      issue.input === undefined
        ? 'mode acme needs an acme section with directory and email'
        : undefined,
  },
);

export const hostSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a short lower-case name such as mx1'),
  fqdn: dnsName,
  public_addresses: z.array(ipAddress).min(1, 'a host needs at least one public address'),
  vpn_address: z.ipv4({ error: 'must be an IPv4 address inside vpn.subnet' }),
  roles: z.array(z.enum(['mail'])).default(['mail']),
  // The machine's size (issue 14): process counts and memory settings are derived from it,
  // so a bigger VPS gets a bigger configuration. The default is the seed's 2 CPU / 4 GB.
  size: z
    .strictObject({
      cpus: z.number().int().min(1).max(256).default(2),
      memory: size.default(4 * 1024 ** 3),
    })
    .prefault({}),
});

/** A Wazuh frequency rule's threshold: `count` events within `within`. */
const wazuhBurst = (count: number, within: number) =>
  z
    .strictObject({
      count: z.number().int().min(2).max(9999).default(count),
      within: duration.default(within),
    })
    .prefault({});

/**
 * The Wazuh agent (monitoring.wazuh, docs/monitoring.md): when present, apply installs it
 * from Wazuh's apt repository and it reports to the manager over the VPN.
 */
const wazuhSchema = z.strictObject({
  // The manager's address inside the VPN (a VPN peer): events and enrollment use the tunnel.
  manager: z.ipv4({ error: 'must be the IPv4 address of the Wazuh manager inside vpn.subnet' }),
  port: z.number().int().min(1).max(65535).default(1514),
  enrollment_port: z.number().int().min(1).max(65535).default(1515),
  // The agent's name on the manager; the host's name by default.
  agent_name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{2,64}$/, 'must be 2-64 letters, digits, dots, dashes or underscores')
    .optional(),
  groups: z
    .array(z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be a Wazuh agent group name'))
    .default([]),
  // Wazuh's repository for 4.x agents, or a mirror of it (https, ending in /).
  repository: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL' })
    .refine((u) => u.endsWith('/'), 'must end in /')
    .default('https://packages.wazuh.com/4.x/apt/'),
  // The frequency rules given to the manager (local_rules.xml).
  thresholds: z
    .strictObject({
      // Failed logins from one address (IMAP, POP3, SMTP AUTH and SOGo together).
      auth_failures: wazuhBurst(8, 120),
      // Failed logins as one user, from any address.
      user_auth_failures: wazuhBurst(20, 600),
      relay_denied: wazuhBurst(5, 600),
      // Fail2ban bans, all jails together.
      bans: wazuhBurst(10, 600),
      deferred: wazuhBurst(50, 900),
    })
    .prefault({}),
});

export const clusterSchema = z.strictObject({
  hosts: z.array(hostSchema).min(1, 'the cluster needs at least one host'),
  vpn: z
    .strictObject({
      subnet: z
        .cidrv4({ error: 'must be an IPv4 network such as 10.100.0.0/24' })
        .default('10.100.0.0/24'),
      port: z.number().int().min(1).max(65535).default(51820),
      peers: z
        .array(
          z.strictObject({
            name: z
              .string()
              .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and -'),
            public_key: wgKey,
            address: z.ipv4(),
          }),
        )
        .default([]),
    })
    .prefault({}),
  domains: z
    .array(
      z.strictObject({
        name: dnsName,
        mailboxes: z
          .array(
            z.strictObject({
              local_part: localPart,
              quota: size.optional(),
              // Send-as grants (issue 16): further envelope and From: addresses this
              // mailbox may send as once logged in, an address or @domain for all of a
              // domain, in one of this file's domains. Only this file grants them.
              send_as: z
                .array(
                  z
                    .string()
                    .regex(
                      /^([a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?)?@[a-z0-9.-]+\.[a-z]{2,63}$/,
                      'must be an address, or @domain for every address of a domain',
                    ),
                )
                .optional(),
            }),
          )
          .default([]),
        aliases: z
          .array(
            z.strictObject({
              source: z
                .string()
                .regex(
                  /^([a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?)?@[a-z0-9.-]+\.[a-z]{2,63}$/,
                  'must be an address, or @domain for a catch-all',
                ),
              destinations: z.array(address).min(1, 'an alias needs at least one destination'),
            }),
          )
          .default([]),
      }),
    )
    .min(1, 'the cluster needs at least one mail domain'),
  postgres: z
    .strictObject({
      mode: z.enum(['native', 'container']).default('native'),
      database: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/)
        .default('mailctl'),
      port: z.number().int().min(1).max(65535).default(5432),
      data_dir: z.string().startsWith('/').default('/opt/postgres/data'),
      wal_archive_dir: z.string().startsWith('/').default('/opt/postgres/wal_archive'),
      // Container mode: the image podman runs, by default the official
      // docker.io/library/postgres:17-alpine. Any image with its environment contract
      // (POSTGRES_PASSWORD_FILE, POSTGRES_DB, PGDATA) and the postgres user as uid 70 will do,
      // such as the one the lab builds from Debian's packages (docs/install.md).
      image: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9._:/-]*(@sha256:[a-f0-9]{64})?$/,
          'must be an image reference such as docker.io/library/postgres:17-alpine',
        )
        .optional(),
    })
    .prefault({}),
  mail: z
    .strictObject({
      default_quota: size.default(2 * 1024 ** 3),
      spam: z
        .strictObject({
          greylist: z.number().default(4),
          add_header: z.number().default(6),
          reject: z.number().default(15),
        })
        .prefault({}),
      // Per authenticated user (Rspamd's ratelimit `user` bucket): a stolen password can
      // send at most `burst` messages at once, then `per_hour` an hour; beyond that the
      // user gets a temporary failure (4xx) and the mail stays with the client.
      submission_limit: z
        .strictObject({
          burst: z.number().int().min(1).max(1_000_000).default(100),
          per_hour: z.number().int().min(1).max(1_000_000).default(100),
        })
        .prefault({}),
      // postscreen(8) on port 25 (issue 16): a client that talks before the banner is
      // refused, and one whose address the DNS blocklists below list, weighted, to at
      // least `dnsbl_threshold` too. Sites in postscreen_dnsbl_sites syntax,
      // zone[=reply filter][*weight]; a negative weight is an allow list. The filters
      // count real listings only: Spamhaus answers 127.255.255.x to queries through
      // public resolvers, which would otherwise list every client. [] turns DNSBLs off
      // (the lab, which has none).
      postscreen: z
        .strictObject({
          dnsbl_sites: z
            .array(
              z
                .string()
                .regex(
                  /^[a-z0-9-]+(\.[a-z0-9-]+)+(=[0-9.;[\]]+)?(\*-?[0-9]{1,2})?$/,
                  'must be zone[=reply filter][*weight], e.g. zen.spamhaus.org=127.0.0.[2..11]*3',
                ),
            )
            .default([
              'zen.spamhaus.org=127.0.0.[2..11]*3',
              'bl.spamcop.net=127.0.0.2*2',
              'list.dnswl.org=127.0.[0..255].[1..3]*-2',
            ]),
          dnsbl_threshold: z.number().int().min(1).max(100).default(3),
        })
        .prefault({}),
      // ClamAV through Rspamd's antivirus module (issue 16): a message carrying a virus is
      // refused at SMTP time, inbound and submitted alike. clamd holds every signature in
      // memory, about 1 GB with the full set (twice that while it reloads them), which a
      // 4 GB host feels: hence off by default. none removes ClamAV again.
      antivirus: z.enum(['none', 'clamav']).default('none'),
      // MTA-STS (RFC 8461): the policy served at https://mta-sts.<domain>/.well-known/mta-sts.txt.
      // testing: senders report failures (TLS-RPT) but deliver anyway; enforce: senders that
      // honour it deliver only over TLS with a valid certificate for the MX; none: withdraws
      // a policy senders have cached. Published only with a CA-issued certificate (tls.mode acme).
      mta_sts: z
        .strictObject({
          mode: z.enum(['testing', 'enforce', 'none']).default('testing'),
          // How long senders cache the policy (RFC 8461 section 3.2: at most a year).
          max_age_days: z.number().int().min(1).max(365).default(7),
        })
        .prefault({}),
    })
    .prefault({}),
  tls: z
    .discriminatedUnion(
      'mode',
      [
        // A certificate for the host name, made on the host at the first apply.
        z.strictObject({ mode: z.literal('self-signed') }),
        // A certificate from an ACME CA, obtained and renewed by certbot over HTTP-01.
        z.strictObject({ mode: z.literal('acme'), acme: acmeSchema }),
      ],
      { error: "mode must be 'self-signed' or 'acme'" },
    )
    .default({ mode: 'self-signed' }),
  ssh: z
    .strictObject({
      // Networks (besides the VPN) allowed to reach SSH through the firewall, for
      // bootstrapping a host before the administrator is on the VPN; never banned by Fail2ban.
      admin_allow: z
        .array(
          z.union([z.cidrv4(), z.cidrv6()], {
            error: 'must be a network such as 192.0.2.0/24 or 2001:db8::/48',
          }),
        )
        .default([]),
    })
    .prefault({}),
  // Where `mailctl provision terraform` creates the hosts; apply on a host never reads it.
  provision: z
    .strictObject({
      provider: z
        .enum(['vultr'], { error: "must be 'vultr' (the only provider so far)" })
        .default('vultr'),
      // Vultr's plan id: 2 vCPU, 4 GB, 80 GB (the size the stack was measured on).
      plan: z
        .string()
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)+$/, 'must be a Vultr plan id such as vc2-2c-4gb')
        .default('vc2-2c-4gb'),
      region: z
        .string()
        .regex(
          /^[a-z]{3}$/,
          'must be a Vultr region id: three lower-case letters such as fra or ewr',
        )
        .default('fra'),
      // OpenSSH public keys (one line each) put in root's authorized_keys at creation.
      ssh_keys: z
        .array(
          z
            .string()
            .regex(
              /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: [^\n]*)?$/,
              'must be one OpenSSH public key line such as ssh-ed25519 AAAA... you@laptop',
            ),
        )
        .default([]),
      // vultr: the module also publishes every record `mailctl dns` prints in Vultr's DNS.
      provider_dns: z.enum(['none', 'vultr']).default('none'),
    })
    .prefault({}),
  fail2ban: z
    .strictObject({
      // A client that fails `maxretry` logins within `findtime` is banned for `bantime`
      // (Fail2ban's own parameter names); repeat offenders get the recidive jail's week.
      bantime: duration.default(3600),
      findtime: duration.default(600),
      maxretry: z.number().int().min(1).max(100).default(5),
      // VPN devices are users too: wrong passwords from a VPN address on IMAP, POP3,
      // ManageSieve or SOGo ban that address from those services for a short time. Looser
      // than the internet's, since a phone with a stale password retries on its own.
      vpn: z
        .strictObject({
          bantime: duration.default(600),
          findtime: duration.default(600),
          maxretry: z.number().int().min(1).max(100).default(10),
        })
        .prefault({}),
      // The administrator's own addresses (VPN devices or public networks), which no jail
      // ever bans, so that a mistyped password cannot lock the administrator out.
      admin_addresses: z
        .array(
          z.union([z.cidrv4(), z.cidrv6()], {
            error: 'must be a network such as 10.100.0.2/32 or 2001:db8::/48',
          }),
        )
        .default([]),
    })
    .prefault({}),
  // Backups (issue 11): how many restic snapshots and pgBackRest backups are kept.
  backup: z
    .strictObject({
      retention: z
        .strictObject({
          // restic --keep-daily/--keep-weekly/--keep-monthly; pgBackRest keeps `daily`
          // differential backups (repo-retention-diff) and `weekly` full ones
          // (repo-retention-full: a full backup runs once a week).
          daily: z.number().int().min(1).max(366).default(7),
          weekly: z.number().int().min(1).max(520).default(4),
          monthly: z.number().int().min(0).max(240).default(6),
        })
        .prefault({}),
      // An off-site copy over SFTP (restic's sftp backend and pgBackRest's repo2), with the
      // server's host key, so that the first connection is already checked.
      offsite: z
        .strictObject({
          sftp: z
            .string()
            .regex(
              /^[a-z_][a-z0-9_-]{0,31}@[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?:\/[A-Za-z0-9._/-]*$/,
              'must be user@host:/path, e.g. mailbackup@backup.example.org:/repo',
            ),
          port: z.number().int().min(1).max(65535).default(22),
          host_key: z
            .string()
            .regex(
              /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/,
              "must be the server's public host key, e.g. ssh-ed25519 AAAAC3Nz... (its .pub file without the comment)",
            ),
        })
        .optional(),
    })
    .prefault({}),
  // Metrics and alerts (docs/monitoring.md). The exporters are on by default and answer on
  // loopback only; Prometheus and Alertmanager on the host are optional.
  monitoring: z
    .strictObject({
      wazuh: wazuhSchema.optional(),
      exporters: z.boolean().default(true),
      prometheus: z.boolean().default(false),
      // How long Prometheus keeps samples (its --storage.tsdb.retention.time).
      retention: duration.default(15 * 86_400),
      // Alertmanager mails this address through the host's own Postfix; by default the
      // postmaster of the first domain, who already gets root's mail.
      alert_email: address.optional(),
      // Also POSTed to this URL (Alertmanager's webhook_config), if given.
      webhook_url: z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
        .optional(),
      // `mailctl health` connects to port 25 of this domain's MX (greeting, then QUIT, as any
      // sending MTA does) to find out whether outbound SMTP is blocked on the way: Vultr
      // drops it on new accounts, and the host then receives mail but cannot send. `false`
      // leaves the check out (a host that relays through a smarthost).
      outbound_probe: z.union([dnsName, z.literal(false)]).default('gmail.com'),
      alerts: z
        .strictObject({
          service_down_for: duration.default(120),
          queue_deferred_max: z.number().int().min(1).default(50),
          queue_deferred_for: duration.default(900),
          queue_oldest_age: duration.default(86_400),
          disk_warning_percent: z.number().min(1).max(99).default(80),
          disk_critical_percent: z.number().min(1).max(100).default(90),
          certificate_days: z.number().int().min(1).max(365).default(14),
          backup_max_age: duration.default(26 * 3600),
          auth_failures_per_5m: z.number().int().min(1).default(50),
          fail2ban_bans_per_10m: z.number().int().min(1).default(20),
          memory_percent: z.number().min(1).max(100).default(85),
          // A `mailctl health` check critical in consecutive runs (the timer runs every 5
          // minutes) for this long fires HealthCheckCritical.
          health_critical_for: duration.default(600),
          // A VPN peer whose last WireGuard handshake is older than this: a warning in
          // `mailctl health` and WireguardHandshakeStale. A peer that never connected is not
          // aged (a device not set up yet); its detail says "never".
          wireguard_handshake_age: duration.default(86_400),
        })
        .prefault({}),
    })
    .prefault({}),
  // The host's own validating recursive resolver (unbound on 127.0.0.1), which Rspamd asks:
  // DNS blocklists refuse queries that come through public resolvers. By default it
  // resolves from the root servers and validates DNSSEC. `forward_to` sends every query to
  // these resolvers instead (a network without outside DNS, such as the lab's world);
  // `dnssec: false` stops validating from the root, for a world whose root is not signed
  // (the lab). `trust_anchor_file`: a file on the host of DS or DNSKEY records (unbound's
  // trust-anchor-file) for zones validated without a chain from the root; with `dnssec:
  // false` only these are validated (the lab world's signed zone, for outbound DANE).
  resolver: z
    .strictObject({
      forward_to: z.array(ipAddress).default([]),
      dnssec: z.boolean().default(true),
      trust_anchor_file: z
        .string()
        .regex(/^\/[A-Za-z0-9._/-]+$/, 'must be an absolute path on the host')
        .optional(),
    })
    .prefault({}),
});

export type Spec = z.output<typeof clusterSchema>;
