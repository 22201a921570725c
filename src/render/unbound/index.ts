export {
  renderUnbound,
  renderUnboundConf,
  renderUnboundRootAnchorConf,
  renderResolvConf,
  RESOLV_CONF_PATH,
  UNBOUND_ROOT_ANCHOR_CONF_PATH,
  UNBOUND_ADDRESS,
  UNBOUND_CONF_PATH,
  UNBOUND_PORT,
  unboundComponent,
} from './unbound-conf.js';
