export { postfixComponent, POSTFIX_CHECK_SCRIPT } from './component.js';
export { POSTFIX_MAIN_CF_PATH, POSTFIX_MESSAGE_SIZE_LIMIT } from './main-cf.js';
export { POSTFIX_MASTER_CF_PATH } from './master-cf.js';
export { POSTFIX_DB_PASSWORD_SECRET, POSTFIX_PGSQL_DIR, POSTFIX_PGSQL_MAPS } from './pgsql-maps.js';
export { renderPostfix } from './render-postfix.js';
export { POSTFIX_DROPIN_PATH } from './systemd-dropin.js';
