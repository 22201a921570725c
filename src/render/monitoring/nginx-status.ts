import { generatedHeader, rootFile, type RenderedFile } from '../types.js';
import { NGINX_STATUS_ENDPOINT } from './endpoints.js';

/** Included by nginx.conf when the exporters are on (renderNginxConf). */
export const NGINX_STATUS_CONF_PATH = '/etc/nginx/mailctl/status.conf';

/**
 * nginx's stub_status (ngx_http_stub_status_module, built into Debian's nginx) for
 * prometheus-nginx-exporter, on a server of its own on loopback: neither the public nor
 * the VPN server has it, so no client outside the host can read it.
 */
export function renderNginxStatus(): RenderedFile {
  const content = `${generatedHeader()}server {
    listen ${NGINX_STATUS_ENDPOINT};
    # The exporter scrapes every 15 s; its requests are no one's business in access.log.
    access_log off;
    location = /stub_status {
        stub_status;
    }
    location / {
        return 404;
    }
}
`;
  return rootFile('nginx', NGINX_STATUS_CONF_PATH, content);
}
