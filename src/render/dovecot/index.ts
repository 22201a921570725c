export { dovecotComponent, DOVECOT_CHECK_SCRIPT } from './component.js';
export { DOVECOT_CONF_PATH, dovecotListenAddresses } from './dovecot-conf.js';
export { renderDovecot } from './render-dovecot.js';
export {
  DOVECOT_DB_PASSWORD_SECRET,
  DOVECOT_DEFAULT_PASSWORD_SCHEME,
  DOVECOT_SQL_CONF_PATH,
} from './sql-conf.js';
export { DOVECOT_SERVICE_DROPIN_PATH, DOVECOT_SOCKET_DROPIN_PATH } from './systemd-dropins.js';
