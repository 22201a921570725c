import type { ComponentDescriptor } from '../types.js';

export const wireguardComponent: ComponentDescriptor = {
  name: 'wireguard',
  // wireguard-go is the userspace fallback for kernels without the module (see the drop-in);
  // nftables provides the `nft` that the VPN guard hooks run.
  packages: ['wireguard-tools', 'wireguard-go', 'nftables'],
  units: ['wg-quick@wg0.service'],
  // The unit's ExecReload is `wg syncconf wg0 <(wg-quick strip wg0)`: peers and keys change
  // without dropping the tunnel, which is how administrators reach SSH while apply runs.
  // It does not re-run Address or PostUp: changing the VPN address or subnet needs a restart.
  onChange: 'reload',
  // wg-quick's own parser on the staged file (file name, section keys, SaveConfig). Its
  // output is the resolved config, private key included, so it must not reach any log.
  check: ['sh', '-c', 'wg-quick strip wg0 >/dev/null'],
};
