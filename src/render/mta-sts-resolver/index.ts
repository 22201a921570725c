export {
  MTA_STS_DAEMON_CONF_PATH,
  MTA_STS_POLICY_MAP,
  MTA_STS_RESOLVER_ADDRESS,
  mtaStsResolverComponent,
  renderMtaStsDaemonConf,
  renderMtaStsResolver,
} from './daemon-conf.js';
