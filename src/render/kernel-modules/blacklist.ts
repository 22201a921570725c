import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const MODPROBE_BLACKLIST_PATH = '/etc/modprobe.d/mailctl-blacklist.conf';

/**
 * Kernel modules a mail server never needs and that have carried remotely or locally
 * exploitable bugs: rarely used network protocols, and removable storage buses (a VPS has
 * none; on hardware they are a way to carry data off). `blacklist` stops automatic
 * loading by alias; `install ... /bin/false` stops an explicit load as well.
 */
const MODULES: readonly [string, string][] = [
  ['dccp', 'Datagram Congestion Control Protocol'],
  ['sctp', 'Stream Control Transmission Protocol'],
  ['rds', 'Reliable Datagram Sockets'],
  ['tipc', 'Transparent Inter-Process Communication'],
  ['usb-storage', 'USB mass storage'],
  ['firewire-core', 'FireWire'],
];

export function renderModprobeBlacklist(): RenderedFile[] {
  const lines = MODULES.flatMap(([m, what]) => [
    `# ${what}`,
    `blacklist ${m}`,
    `install ${m} /bin/false`,
  ]);
  return [
    {
      path: MODPROBE_BLACKLIST_PATH,
      content: `${generatedHeader()}\n${lines.join('\n')}\n`,
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'kernel-modules',
    },
  ];
}

export const kernelModulesComponent: ComponentDescriptor = {
  name: 'kernel-modules',
  packages: ['kmod'],
  // Read by modprobe at the next load: nothing to reload.
  units: [],
  onChange: 'restart',
  // modprobe's own reading of every modprobe.d file. It skips a line it cannot parse with
  // "ERROR: ... ignoring bad line" on stderr and exits 0, which would silently drop a
  // blacklist entry: a complaint about our file fails the check (others' files are theirs).
  check: [
    'sh',
    '-c',
    `w=$(modprobe --showconfig 2>&1 >/dev/null | grep -F '${MODPROBE_BLACKLIST_PATH}'); ` +
      '[ -z "$w" ] || { printf "%s\\n" "$w" >&2; exit 1; }',
  ],
};
