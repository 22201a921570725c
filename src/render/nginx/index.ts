export { nginxComponent } from './component.js';
export {
  ACME_WEBROOT,
  NGINX_CONF_PATH,
  NGINX_DROPIN_PATH,
  NGINX_MAILCTL_DIR,
  NGINX_PUBLIC_HEADERS_PATH,
  NGINX_VPN_HEADERS_PATH,
  NGINX_VPN_INCLUDE_DIR,
} from './paths.js';
export { renderNginx } from './render-nginx.js';
export { NGINX_RSPAMD_LOCATION_PATH } from './rspamd-location.js';
