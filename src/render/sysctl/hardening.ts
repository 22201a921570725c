import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const SYSCTL_PATH = '/etc/sysctl.d/90-mailctl-hardening.conf';

/**
 * Per network namespace: these hold wherever the host's network stack is its own (a VPS,
 * and the lab host too).
 */
const NETWORK: readonly [string, string, string][] = [
  ['net.ipv4.conf.all.rp_filter', '1', 'drop packets whose source would not route back'],
  ['net.ipv4.conf.default.rp_filter', '1', ''],
  ['net.ipv4.conf.all.accept_redirects', '0', 'no ICMP redirects: routes do not change'],
  ['net.ipv4.conf.default.accept_redirects', '0', ''],
  ['net.ipv4.conf.all.secure_redirects', '0', ''],
  ['net.ipv4.conf.default.secure_redirects', '0', ''],
  ['net.ipv6.conf.all.accept_redirects', '0', ''],
  ['net.ipv6.conf.default.accept_redirects', '0', ''],
  ['net.ipv4.conf.all.send_redirects', '0', 'a mail host is not a router'],
  ['net.ipv4.conf.default.send_redirects', '0', ''],
  ['net.ipv4.ip_forward', '0', ''],
  ['net.ipv4.conf.all.accept_source_route', '0', 'no source-routed packets'],
  ['net.ipv4.conf.default.accept_source_route', '0', ''],
  ['net.ipv6.conf.all.accept_source_route', '0', ''],
  ['net.ipv6.conf.default.accept_source_route', '0', ''],
  ['net.ipv4.conf.all.log_martians', '1', 'log impossible source addresses'],
  ['net.ipv4.conf.default.log_martians', '1', ''],
  ['net.ipv4.tcp_syncookies', '1', 'keep accepting connections under a SYN flood'],
  ['net.ipv4.icmp_echo_ignore_broadcasts', '1', ''],
  ['net.ipv4.icmp_ignore_bogus_error_responses', '1', ''],
];

/**
 * Machine-wide: the kernel's own settings. In a container or the lab, where the kernel
 * belongs to the machine rather than to this host, /proc/sys is read-only outside net/
 * and systemd-sysctl skips them (it treats EROFS as "not ours to set", by design).
 */
const KERNEL: readonly [string, string, string][] = [
  ['kernel.kptr_restrict', '2', 'no kernel addresses for anyone'],
  ['kernel.dmesg_restrict', '1', 'the kernel log is for root'],
  ['kernel.yama.ptrace_scope', '1', 'only parents may trace their children'],
  ['kernel.unprivileged_bpf_disabled', '1', ''],
  ['net.core.bpf_jit_harden', '2', ''],
  ['kernel.sysrq', '0', ''],
  ['kernel.perf_event_paranoid', '3', ''],
  ['fs.protected_hardlinks', '1', ''],
  ['fs.protected_symlinks', '1', ''],
  ['fs.protected_fifos', '2', ''],
  ['fs.protected_regular', '2', ''],
  ['fs.suid_dumpable', '0', 'no core dumps of setuid programs'],
  ['dev.tty.ldisc_autoload', '0', ''],
];

/** The network keys: what `mailctl audit` and the tests can read back on any host. */
export const NETWORK_SYSCTLS: ReadonlyMap<string, string> = new Map(
  NETWORK.map(([k, v]) => [k, v]),
);

export function renderSysctlHardening(): string {
  const lines = (entries: readonly [string, string, string][], prefix: string) =>
    entries.flatMap(([k, v, why]) => [...(why ? [`# ${why}`] : []), `${prefix}${k} = ${v}`]);
  return [
    generatedHeader().trimEnd(),
    '',
    '# Network stack (per network namespace).',
    ...lines(NETWORK, ''),
    '',
    // A leading '-' tells systemd-sysctl a key may be missing on this kernel (Yama, say).
    '# Kernel (machine-wide; skipped where /proc/sys is read-only, as in a container).',
    ...lines(KERNEL, '-'),
    '',
  ].join('\n');
}

export function renderSysctl(): RenderedFile[] {
  return [
    {
      path: SYSCTL_PATH,
      content: renderSysctlHardening(),
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'sysctl',
    },
  ];
}

/**
 * Every network key must exist on this kernel: a misspelt key would otherwise be skipped
 * silently by systemd-sysctl. (sysctl itself has no dry run.)
 */
const CHECK_SCRIPT =
  `sed -n 's/^\\([a-z0-9_.]*\\) = .*/\\1/p' ${SYSCTL_PATH} | ` +
  `while read -r k; do [ -e "/proc/sys/$(echo "$k" | tr . /)" ] || { echo "unknown sysctl $k" >&2; exit 1; }; done`;

export const sysctlComponent: ComponentDescriptor = {
  name: 'sysctl',
  packages: ['procps'],
  // systemd-sysctl applies every /etc/sysctl.d file at boot; a restart applies them now.
  units: ['systemd-sysctl.service'],
  onChange: 'restart',
  check: ['sh', '-c', CHECK_SCRIPT],
};
