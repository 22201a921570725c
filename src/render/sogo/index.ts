export { memcachedComponent, sogoComponent, SOGO_CHECK_SCRIPT } from './component.js';
export { MEMCACHED_CONF_PATH } from './memcached-conf.js';
export { renderSogoNginx, SOGO_NGINX_PATH } from './nginx-locations.js';
export { renderMemcached, renderSogo } from './render-sogo.js';
export {
  MEMCACHED_LISTEN,
  SOGO_CONF_PATH,
  SOGO_DB_PASSWORD_SECRET,
  SOGO_JWT_SECRET,
  SOGO_LISTEN,
  sogoDatabaseUrl,
} from './sogo-conf.js';
export { SOGO_SERVICE_DROPIN_PATH } from './systemd-dropin.js';
export {
  renderSogoFail2banFilter,
  SOGO_FAIL2BAN_FILTER_PATH,
  SOGO_FAILREGEX,
  SOGO_LOG_FILE,
} from './fail2ban-filter.js';
