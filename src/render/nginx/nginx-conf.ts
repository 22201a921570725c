import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import {
  MOZILLA_INTERMEDIATE_MIN_PROTOCOL,
  MOZILLA_INTERMEDIATE_TLS12_CIPHERS,
} from '../mozilla-tls.js';
import { NGINX_STATUS_CONF_PATH } from '../monitoring/nginx-status.js';
import { generatedHeader } from '../types.js';
import { NGINX_MAILCTL_DIR } from './paths.js';

/** The server files nginx.conf includes, in this order (the port 80 one first). */
export const NGINX_SERVER_FILES = ['acme-http.conf', 'public-https.conf', 'vpn-https.conf'];

/**
 * nginx.conf itself, so that nothing but mailctl's servers is loaded: Debian's
 * sites-enabled/default (port 80 on every address) and conf.d are not included.
 */
export function renderNginxConf(ctx: MailHostContext): string {
  const cert = configToken(ctx.tls.certFile, 'tls.certFile');
  const key = configToken(ctx.tls.keyFile, 'tls.keyFile');
  const tls12 = MOZILLA_INTERMEDIATE_TLS12_CIPHERS;
  const includes = [
    ...NGINX_SERVER_FILES.map((f) => `${NGINX_MAILCTL_DIR}/${f}`),
    // stub_status on loopback, for the nginx exporter (render/monitoring).
    ...(ctx.monitoring.exporters ? [NGINX_STATUS_CONF_PATH] : []),
  ];
  return `${generatedHeader()}user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
# Debian's dynamic modules (libnginx-mod-*), as its own nginx.conf loads them.
include /etc/nginx/modules-enabled/*.conf;

events {
    worker_connections 768;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    access_log /var/log/nginx/access.log;

    # TLS for every https server: Mozilla intermediate, TLS 1.2 and 1.3 only.
    # ssl_prefer_server_ciphers off: every listed suite is strong, so the client's order
    # (which knows whether it has AES hardware) wins. No ssl_dhparam: without one nginx
    # leaves the DHE suites out, and every client of this profile has ECDHE.
    ssl_protocols ${MOZILLA_INTERMEDIATE_MIN_PROTOCOL} TLSv1.3;
    ssl_ciphers ${tls12};
    ssl_prefer_server_ciphers off;
    ssl_session_timeout 1d;
    ssl_session_cache shared:mailctl_tls:10m;
    # Tickets would be encrypted with a key that only a restart rotates.
    ssl_session_tickets off;
    # The host's certificate (self-signed until ACME issues one; certbot's deploy hook
    # replaces both files and reloads nginx).
    ssl_certificate ${cert};
    ssl_certificate_key ${key};

    # Proxied requests keep the client's address for the backend's logs and checks. nginx
    # drops all of these for a location with a proxy_set_header of its own: such a location
    # repeats them.
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;

${includes.map((f) => `    include ${f};`).join('\n')}
}
`;
}
