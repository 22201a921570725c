import { UserError } from '../util/errors.js';

/**
 * Where one lab's pieces live and how they are named. Every name on the machine (network
 * namespaces, interfaces created in the root namespace, the WireGuard socket, directories)
 * carries the lab's name, so two labs never collide; addresses repeat freely because each
 * lab's networks live in its own namespaces.
 */
export interface LabLayout {
  name: string;
  fqdn: string;
  netns: { host: string; internet: string; vpn: string };
  /** Temporary names of the veth ends while they are still in the root namespace. */
  vethTemp: { hostPub: string; inetPub: string; inetVpn: string; vpnWan: string };
  /** The VPN client's wireguard-go interface: its control socket lives in the shared /var/run/wireguard. */
  vpnClientInterface: string;
  net: typeof LAB_NET;
  dirs: {
    /** Per-lab state: state.json, keys, console log, the overlay's upper and work dirs. */
    state: string;
    upper: string;
    work: string;
    /** Mount point of the lab's root inside its own mount namespace. */
    root: string;
    /** /etc/netns/<ns>: files `ip netns exec` binds over /etc (hosts, resolv.conf). */
    etcNetns: (ns: string) => string;
  };
}

/** Documentation address ranges (RFC 5737, RFC 3849) and the plan's VPN. */
export const LAB_NET = {
  publicPrefix: 24,
  hostPublic4: '198.51.100.10',
  internetRouter4: '198.51.100.1',
  hostPublic6: '2001:db8:100::10',
  internetRouter6: '2001:db8:100::1',
  publicPrefix6: 64,
  vpnClientWan4: '203.0.113.10',
  vpnClientRouter4: '203.0.113.1',
  vpnClientWan6: '2001:db8:203::10',
  vpnClientRouter6: '2001:db8:203::1',
  vpnSubnet: '10.100.0.0/24',
  hostVpn4: '10.100.0.1',
  vpnClient4: '10.100.0.2',
  vpnPort: 51820,
} as const;

export const LAB_STATE_ROOT = '/var/lib/mailctl/lab';
export const LAB_CACHE_ROOT = '/var/cache/mailctl/lab';
/** Names of the roots in LAB_CACHE_ROOT: rootfs-<key> (the lab's), checker-<key> (the unit tests'). */
export const ROOTFS_PREFIX = 'rootfs-';
export const CHECKER_ROOT_PREFIX = 'checker-';
/** In a cached root once it is whole: a build that died half way leaves none. */
export const ROOT_COMPLETE_MARKER = '.mailctl-complete';

const NAME_RE = /^[a-z][a-z0-9]{0,7}$/;

/** Lab names end up in interface names, which Linux limits to 15 characters. */
export function validateLabName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UserError(
      'E_LAB_NAME',
      `lab name '${name}' is invalid: use 1-8 lower-case letters or digits, starting with a letter`,
    );
  }
  return name;
}

export function labLayout(name: string, fqdn = 'mail.example.com'): LabLayout {
  validateLabName(name);
  const state = `${LAB_STATE_ROOT}/${name}`;
  return {
    name,
    fqdn,
    netns: {
      host: `mailctl-${name}-host`,
      internet: `mailctl-${name}-inet`,
      vpn: `mailctl-${name}-vpn`,
    },
    vethTemp: {
      hostPub: `mc${name}hp`,
      inetPub: `mc${name}ip`,
      inetVpn: `mc${name}iv`,
      vpnWan: `mc${name}vw`,
    },
    vpnClientInterface: `mc${name}wg`,
    net: LAB_NET,
    dirs: {
      state,
      upper: `${state}/upper`,
      work: `${state}/work`,
      root: `${state}/root`,
      etcNetns: (ns) => `/etc/netns/${ns}`,
    },
  };
}
