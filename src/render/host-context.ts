import type { MonitoringContext } from './monitoring/context.js';
import type { WazuhContext } from './wazuh/context.js';

/**
 * Everything a renderer needs to know about one mail host, derived from the validated
 * cluster spec (see spec/) by `hostContextFromSpec`. Renderers take this narrow view
 * rather than the whole spec so that each one can be read and tested on its own.
 *
 * Secrets are never part of it: a rendered file that needs one (a database password in
 * PostgreSQL container mode, say) carries a `secretRef('name')` token, which apply/
 * replaces with the value kept on the host in /etc/mailctl/secrets/<name> (mode 0600).
 * The config history in git records the token, never the value.
 */
export interface MailHostContext {
  /** Short name of the host in the cluster file, e.g. `mx1`. */
  name: string;
  /** Fully qualified host name: Postfix myhostname, the TLS certificate's name, HELO. */
  fqdn: string;
  /** Public addresses (IPv4 and/or IPv6) where SMTP, submission and HTTPS listen. */
  publicAddresses: readonly string[];
  /** This host's address inside the VPN, e.g. 10.100.0.1: IMAP, POP3, PostgreSQL listen here. */
  vpnAddress: string;
  /** The machine (hosts[].size): process counts and memory settings are derived from it. */
  size: { cpus: number; memoryBytes: number };
  /** The VPN network in CIDR form, e.g. 10.100.0.0/24. */
  vpnSubnet: string;
  /** WireGuard listen port (UDP). */
  vpnPort: number;
  /** Mail domains served by the cluster, lower-case, sorted. */
  domains: readonly string[];
  postgres: {
    mode: 'native' | 'container';
    /** Database name holding domains, mailboxes, aliases and settings. */
    database: string;
    port: number;
    dataDir: string;
    walArchiveDir: string;
    /** Container mode: the image podman runs (POSTGRES_IMAGE unless the cluster file names one). */
    image?: string;
  };
  /** Networks besides the VPN that may reach SSH (ssh.admin_allow); never banned. */
  adminAllow: readonly string[];
  /** Fail2ban's ban parameters, in seconds and attempts. */
  fail2ban: FailBanLimits & {
    /** For VPN addresses on the services only the VPN reaches (IMAP, POP3, SOGo). */
    vpn: FailBanLimits;
    /** The administrator's own networks (fail2ban.admin_addresses); never banned. */
    adminAddresses: readonly string[];
  };
  /** Messages an authenticated user may submit: `burst` at once, refilled at `perHour`. */
  submissionLimit: { burst: number; perHour: number };
  /** Default mailbox quota in bytes (0 means unlimited). */
  defaultQuotaBytes: number;
  spam: {
    /** Rspamd action thresholds (scores). */
    rejectScore: number;
    addHeaderScore: number;
    greylistScore: number;
  };
  /** mail.antivirus: ClamAV scans through Rspamd; absent with `none`. */
  antivirus?: 'clamav';
  /** postscreen(8) on port 25 (mail.postscreen): DNSBL sites as Postfix writes them. */
  postscreen: { dnsblSites: readonly string[]; dnsblThreshold: number };
  /** The MTA-STS policy (mail.mta_sts) every domain publishes. */
  mtaSts: { mode: 'testing' | 'enforce' | 'none'; maxAgeSeconds: number };
  tls: {
    /** The certificate (leaf and chain) and key every TLS service uses, whoever issued them. */
    certFile: string;
    keyFile: string;
    /** Present when certbot obtains the certificate from an ACME CA (tls.mode: acme). */
    acme?: AcmeContext;
  };
  paths: {
    vmail: string;
    queue: string;
    backups: string;
  };
  /** The system user and group that own the mail store. */
  vmail: { user: string; group: string; uid: number; gid: number };
  /** Exporters, Prometheus and Alertmanager (render/monitoring). */
  monitoring: MonitoringContext;
  /** Backups (cluster file `backup`). */
  backup: BackupContext;
  /** The Wazuh agent, when the cluster file asks for one (monitoring.wazuh). */
  wazuh?: WazuhContext;
  /** The host's own resolver (cluster file `resolver`): unbound on loopback. */
  resolver: {
    /** Resolvers every query goes to; none: unbound resolves from the root itself. */
    forwardTo: readonly string[];
    /** Whether unbound validates DNSSEC (off only where the root is not signed). */
    dnssec: boolean;
    /** Trust anchors for zones validated without a chain from the root (the lab's). */
    trustAnchorFile?: string | undefined;
  };
}

export interface BackupContext {
  /** How many daily, weekly and monthly backups are kept. */
  retention: { daily: number; weekly: number; monthly: number };
  /** The off-site repository server (cluster file backup.offsite), when there is one. */
  offsite?: OffsiteContext;
}

export interface OffsiteContext {
  /** The SFTP account, host and port, and the directory both repositories go under. */
  user: string;
  host: string;
  port: number;
  path: string;
  /** The server's public host key (`ssh-ed25519 AAAA...`): checked on every connection. */
  hostKey: string;
}

export interface AcmeContext {
  /** The ACME directory URL (shorthands resolved). */
  directoryUrl: string;
  /** The account's contact address. */
  email: string;
  /** A private CA's certificate (PEM) that certbot alone trusts for the directory's https. */
  caFile?: string;
}

const SECRET_TOKEN = /@@secret:([a-z0-9_-]+)@@/g;

/** A placeholder for a host-side secret inside rendered content. */
export function secretRef(name: string): string {
  return `@@secret:${name}@@`;
}

/** Names of the secrets a piece of rendered content refers to. */
export function secretRefsIn(content: string): string[] {
  return [...new Set([...content.matchAll(SECRET_TOKEN)].map((m) => m[1] ?? ''))].sort();
}

/** Replaces every secret token using `lookup` (which the I/O layer backs with the host's files). */
export function resolveSecretRefs(content: string, lookup: (name: string) => string): string {
  return content.replace(SECRET_TOKEN, (_all, name: string) => lookup(name));
}

/** Fail2ban's own parameters: `maxretry` failures within `findtime` seconds ban for `bantime`. */
export interface FailBanLimits {
  bantime: number;
  findtime: number;
  maxretry: number;
}
