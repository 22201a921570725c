import { mailHostComponents, mailHostPackages } from '../plan/mail-host.js';

/**
 * What goes into the lab's Debian 13 root file system. Both lists are part of the cache
 * key: changing either rebuilds the root.
 */

/** Installed by debootstrap: enough to boot with systemd, join the VPN and run mailctl. */
export const BASE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'iproute2',
  'iputils-ping',
  'nftables',
  'ca-certificates',
  'openssl',
  'procps',
  'less',
  'wireguard-tools',
  'wireguard-go',
  // mailctl itself runs on the host with Debian's nodejs, from a single bundled file.
  'nodejs',
  // apply records every change to the managed configuration in a git repository.
  'git',
] as const;

/**
 * Checkers the unit tests run on rendered files that no component installs on the host:
 * named-checkzone (bind9-utils) parses the zone fragments `mailctl dns` prints, as the
 * administrator's DNS server will; `cloud-init schema` checks the user data that
 * `mailctl provision terraform` writes (prefetched, it also lets a bare lab host boot it).
 */
export const CHECKER_TOOLS = ['bind9-utils', 'cloud-init'] as const;

/**
 * Downloaded (not installed) into the root's apt cache, so that `mailctl apply` inside the
 * lab installs the mail stack with no network, as it would from a mirror on a real VPS.
 * Derived from the components apply installs, so the two cannot drift apart; the rest is
 * what the next issues (TLS, groupware, hardening, backups) will install.
 */
export const PREFETCH_PACKAGES: readonly string[] = [
  ...new Set([
    ...mailHostPackages(),
    'nginx',
    'sogo',
    'sogo-activesync',
    'memcached',
    'certbot',
    'fail2ban',
    'python3-systemd',
    'restic',
    'openssh-server',
    'unattended-upgrades',
    'lynis',
    'sudo',
    // Optional on a real host, so not in the components above: ClamAV for Rspamd's antivirus
    // module (`antivirus: clamav`), and podman with buildah for `postgres.mode: container`,
    // whose image the lab builds offline from the prefetched postgresql-17 packages.
    'clamav-daemon',
    'clamav-freshclam',
    'podman',
    'buildah',
    // The checker root installs from this cache only.
    ...CHECKER_TOOLS,
  ]),
].sort();

/**
 * Installed, from the prefetched packages above, into the checker root: a copy of the lab
 * root in which unit tests run each component's own configuration check on the rendered
 * files, as apply does on a host. Every component brings its packages, so a new component's
 * checker is there without touching this list; those without a check of their own are here
 * too, because a check stages the whole host's files, owned by the users and groups their
 * packages create (redis.conf is root:redis).
 */
export const CHECKER_PACKAGES: readonly string[] = [
  ...new Set([...mailHostComponents().flatMap((c) => c.packages), ...CHECKER_TOOLS]),
].sort();

/** Tools the machine running the lab needs itself (it is Debian 12 here). */
export const HOST_PACKAGES = [
  'debootstrap',
  // the lab world's DNS, in the internet namespace
  'dnsmasq-base',
  // the lab world's ACME CA (Let's Encrypt's test server), in the internet namespace; its
  // own https certificate is made with openssl, and its readiness checked with curl
  'pebble',
  'openssl',
  'curl',
  'wireguard-go',
  'wireguard-tools',
  'iproute2',
  'iputils-ping',
  'procps',
  'util-linux',
  // pcre2grep: the tests run the Wazuh decoders' PCRE2 expressions with the real engine
  'pcre2-utils',
  // ssh-keygen: the host key of the lab world's off-site backup server (sshd runs from the
  // lab root, not from this machine)
  'openssh-client',
  // the lab world's DNSSEC-signed zone for outbound DANE: signed with ldns-signzone, served
  // by nsd behind dnsmasq, in the internet namespace
  'ldnsutils',
  'nsd',
] as const;
