export { renderWireguardClientConfig, type WireguardClientConfigInput } from './client-config.js';
export { wireguardComponent } from './component.js';
export {
  renderWireguard,
  VPN_INTERFACE,
  WIREGUARD_CONFIG_PATH,
  WIREGUARD_DROPIN_PATH,
  WIREGUARD_PRIVATE_KEY_SECRET,
  type WireguardPeer,
} from './server-config.js';
export { VPN_GUARD_TABLE, vpnGuardHooks } from './vpn-guard.js';
