import { generatedHeader } from '../types.js';
import { NGINX_VPN_INCLUDE_DIR } from './paths.js';

export const NGINX_RSPAMD_LOCATION_PATH = `${NGINX_VPN_INCLUDE_DIR}/rspamd.conf`;

/**
 * The Rspamd controller (worker-controller.inc binds 127.0.0.1:11334) at /rspamd/ on the
 * VPN side. X-Real-IP (set for every proxied request in nginx.conf) makes the controller
 * judge the VPN client's address, not nginx's loopback one, against its secure_ip list.
 */
export function renderRspamdLocation(): string {
  return `${generatedHeader()}location = /rspamd {
    return 301 /rspamd/;
}

location /rspamd/ {
    proxy_pass http://127.0.0.1:11334/;
}
`;
}
