import { resolveSecretRefs } from '../render/host-context.js';
import { VPN_PEER_REGISTRY_DIR } from '../ops/vpn/peer-registry.js';
import { SECRETS_DIR } from '../apply/secrets.js';
import {
  renderWireguard,
  WIREGUARD_PRIVATE_KEY_SECRET,
  type WireguardPeer,
} from '../render/wireguard/index.js';
import type { LabLayout } from './layout.js';
import { CLAMAV_DATABASE_DIR } from '../render/clamav/index.js';

/**
 * The lab's stand-in for freshclam's signatures (no internet here): ClamAV's own hash
 * signature of the EICAR test file (md5:size:name, as in its main database), so that clamd
 * starts and names the test file as on a real host. Lab only: apply never writes it, and
 * turning the antivirus off leaves it (only freshclam's files are removed).
 */
export const LAB_CLAMAV_DATABASE = {
  path: `${CLAMAV_DATABASE_DIR}/mailctl-lab-eicar.hdb`,
  content: '44d88612fea8a8f36de82e1278abb02f:68:Win.Test.EICAR_HDB-1\n',
  mode: 0o644,
};

export const LAB_CLIENT_PEER_NAME = 'lab-vpn-client';

export function labClientPeer(l: LabLayout, publicKey: string): WireguardPeer {
  return { name: LAB_CLIENT_PEER_NAME, publicKey, address: l.net.vpnClient4 };
}

/** A file to place in the lab root's upper layer before boot. */
export interface SeedFile {
  path: string;
  content: string;
  mode: number;
  /** Symlink target instead of content. */
  symlinkTo?: string;
}

/**
 * What makes the freshly built root a networked host on first boot (pure): its name, and
 * its membership of the VPN, as the provider's cloud-init and the VPN's bootstrap would
 * do on a real VPS. Everything else is mailctl apply's job.
 */
export function labSeedFiles(
  l: LabLayout,
  hostPrivateKey: string,
  clientPublicKey: string,
): SeedFile[] {
  const n = l.net;
  const short = l.fqdn.split('.')[0] ?? l.fqdn;
  return [
    { path: '/etc/hostname', content: `${l.fqdn}\n`, mode: 0o644 },
    {
      // The lab world's DNS (dnsmasq in the internet namespace), as a VPS uses its
      // provider's resolver.
      path: '/etc/resolv.conf',
      content: `# mailctl lab: the lab world's DNS\nnameserver ${n.internetRouter4}\n`,
      mode: 0o644,
    },
    {
      path: '/etc/hosts',
      content: [
        '127.0.0.1 localhost',
        `127.0.1.1 ${l.fqdn} ${short}`,
        '::1 localhost ip6-localhost ip6-loopback',
        '',
      ].join('\n'),
      mode: 0o644,
    },
    // The VPN as a VPS would have it before mailctl's first apply, rendered by the same
    // renderer apply uses, so that apply takes the interface over without a seam. The lab's
    // VPN client is registered as a host-side peer, which apply keeps.
    ...renderWireguard({ vpnAddress: n.hostVpn4, vpnSubnet: n.vpnSubnet, vpnPort: n.vpnPort }, [
      labClientPeer(l, clientPublicKey),
    ]).map((f) => ({
      path: f.path,
      content: resolveSecretRefs(f.content, () => hostPrivateKey),
      mode: f.mode,
    })),
    {
      // apply keeps the host's WireGuard key in its secret store; seeding it there means
      // apply reuses the key the VPN client already trusts instead of making a new one.
      path: `${SECRETS_DIR}/${WIREGUARD_PRIVATE_KEY_SECRET}`,
      content: `${hostPrivateKey}\n`,
      mode: 0o600,
    },
    {
      path: `${VPN_PEER_REGISTRY_DIR}/${LAB_CLIENT_PEER_NAME}.json`,
      content: `${JSON.stringify(labClientPeer(l, clientPublicKey), null, 2)}\n`,
      mode: 0o644,
    },
    // The lab has no terminals (`lab exec` is its login); a getty on the machine's console
    // would only fail and respawn.
    ...['console-getty.service', 'getty@tty1.service'].map((unit) => ({
      path: `/etc/systemd/system/${unit}`,
      content: '',
      mode: 0o777,
      symlinkTo: '/dev/null',
    })),
    LAB_CLAMAV_DATABASE,
    {
      path: '/etc/systemd/system/multi-user.target.wants/wg-quick@wg0.service',
      content: '',
      mode: 0o777,
      symlinkTo: '/lib/systemd/system/wg-quick@.service',
    },
  ];
}

/** Script run as PID 1 of the lab's new PID namespace: mounts the root, then becomes systemd. */
export function bootScript(l: LabLayout, rootfsDir: string): string {
  const r = l.dirs.root;
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    // Nothing mounted below may propagate back to the machine's own mount namespace.
    'mount --make-rprivate /',
    `mount -t overlay overlay -o lowerdir=${rootfsDir},upperdir=${l.dirs.upper},workdir=${l.dirs.work} ${r}`,
    `mount -t proc proc ${r}/proc`,
    // The lab shares this machine's kernel: kernel.*, fs.* and the like written inside it
    // would change the machine itself. /proc/sys is read-only but for net/, which belongs
    // to the lab's own network namespace (systemd-sysctl skips read-only keys by design).
    `mount --bind ${r}/proc/sys ${r}/proc/sys`,
    `mount --bind ${r}/proc/sys/net ${r}/proc/sys/net`,
    `mount -o remount,bind,ro ${r}/proc/sys`,
    `mount -t sysfs sysfs ${r}/sys`,
    // systemd 257 needs the unified cgroup hierarchy even where the machine runs cgroup v1.
    `mount -t cgroup2 cgroup2 ${r}/sys/fs/cgroup`,
    `mount --rbind /dev ${r}/dev`,
    // A /dev/shm of its own: the machine's is shared by every lab, and PostgreSQL's dynamic
    // shared memory segments (/dev/shm/PostgreSQL.*) of all labs vanished at once when
    // something cleaned it ("could not open shared memory segment" on every new backend).
    `mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs ${r}/dev/shm`,
    `mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs ${r}/run`,
    `mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs ${r}/tmp`,
    `hostname ${l.fqdn}`,
    // pivot_root rather than chroot: the kernel refuses user namespaces to a chrooted
    // process, and systemd units with PrivateUsers= (redis-server, among others) need them.
    `mkdir -p ${r}/run/mailctl-oldroot`,
    `cd ${r}`,
    'pivot_root . run/mailctl-oldroot',
    'cd /',
    'umount -l /run/mailctl-oldroot',
    'rmdir /run/mailctl-oldroot',
    'exec /usr/bin/env -i container=mailctl-lab TERM=dumb /lib/systemd/systemd --system --log-target=console',
    '',
  ].join('\n');
}
