import type { MailHostContext } from '../host-context.js';
import { rootFile, type RenderedFile } from '../types.js';
import { renderAcmeHttpServer } from './acme-http-server.js';
import { renderMtaStsPolicy } from '../mta-sts/index.js';
import { renderNginxConf } from './nginx-conf.js';
import {
  NGINX_CONF_PATH,
  NGINX_DROPIN_PATH,
  NGINX_MAILCTL_DIR,
  NGINX_MTA_STS_POLICY_FILE,
  NGINX_PUBLIC_HEADERS_PATH,
  NGINX_VPN_HEADERS_PATH,
} from './paths.js';
import { renderPublicServer } from './public-server.js';
import { NGINX_RSPAMD_LOCATION_PATH, renderRspamdLocation } from './rspamd-location.js';
import { renderPublicHeaders, renderVpnHeaders } from './security-headers.js';
import { renderNginxDropin } from './systemd-dropin.js';
import { renderVpnServer } from './vpn-server.js';

const file = (path: string, content: string) => rootFile('nginx', path, content);

/** Nginx 1.26: TLS termination, the ACME webroot on port 80, public and VPN-only servers. */
export function renderNginx(ctx: MailHostContext): RenderedFile[] {
  return [
    file(NGINX_CONF_PATH, renderNginxConf(ctx)),
    file(`${NGINX_MAILCTL_DIR}/acme-http.conf`, renderAcmeHttpServer(ctx)),
    file(`${NGINX_MAILCTL_DIR}/public-https.conf`, renderPublicServer(ctx)),
    file(NGINX_MTA_STS_POLICY_FILE, renderMtaStsPolicy(ctx)),
    file(`${NGINX_MAILCTL_DIR}/vpn-https.conf`, renderVpnServer(ctx)),
    file(NGINX_PUBLIC_HEADERS_PATH, renderPublicHeaders()),
    file(NGINX_VPN_HEADERS_PATH, renderVpnHeaders()),
    file(NGINX_RSPAMD_LOCATION_PATH, renderRspamdLocation()),
    file(NGINX_DROPIN_PATH, renderNginxDropin()),
  ];
}
