export {
  renderUnbound,
  renderUnboundConf,
  UNBOUND_ADDRESS,
  UNBOUND_CONF_PATH,
  UNBOUND_PORT,
  unboundComponent,
} from './unbound-conf.js';
