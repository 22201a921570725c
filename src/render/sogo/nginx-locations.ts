import { NGINX_VPN_INCLUDE_DIR } from '../nginx/paths.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { SOGO_LISTEN } from './sogo-conf.js';

/**
 * The contract with the nginx renderer: its server on the VPN address, port 443, includes
 * every file in vpn.d/ inside its `server` block (with the VPN allow-list and the security
 * headers). Nothing here is reachable from a public address.
 */
export const SOGO_NGINX_PATH = `${NGINX_VPN_INCLUDE_DIR}/sogo.conf`;

/** Debian's sogo package keeps the web interface's static files here. */
export const SOGO_WEB_RESOURCES = '/usr/share/GNUstep/SOGo/WebServerResources/';

const upstream = `http://${SOGO_LISTEN.host}:${SOGO_LISTEN.port}`;

/**
 * What sogod needs from its proxy: the x-webobjects-* headers tell it the URL the client
 * used (for the links and redirects it writes) and the client's address, which it logs on
 * a failed login (the Fail2ban filter matches that line).
 */
function proxyTo(target: string, readTimeout: string): string[] {
  return [
    `    proxy_pass ${target};`,
    '    proxy_http_version 1.1;',
    '    proxy_set_header Host $host;',
    '    proxy_set_header x-webobjects-server-protocol HTTP/1.0;',
    '    proxy_set_header x-webobjects-remote-host $remote_addr;',
    '    proxy_set_header x-webobjects-server-name $host;',
    '    proxy_set_header x-webobjects-server-port $server_port;',
    '    proxy_set_header x-webobjects-server-url $scheme://$host;',
    '    proxy_set_header X-Forwarded-For $remote_addr;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_connect_timeout 10s;',
    `    proxy_read_timeout ${readTimeout};`,
    '    # Attachments in webmail and ActiveSync; Postfix limits the message itself.',
    '    client_max_body_size 50m;',
  ];
}

/** /etc/nginx/mailctl/vpn.d/sogo.conf: SOGo's locations, checked by `nginx -t`. */
export function renderSogoNginx(): RenderedFile {
  const lines = [
    generatedHeader().trimEnd(),
    '# SOGo (webmail, CalDAV, CardDAV, ActiveSync), inside the VPN-only HTTPS server.',
    '',
    '# The web interface and DAV (/SOGo/dav/<user>/).',
    'location ^~ /SOGo {',
    ...proxyTo(upstream, '120s'),
    "    # sogod's cookies (the session, the XSRF token) lack Secure and SameSite: this",
    '    # server speaks only HTTPS, and no other site may send them along.',
    '    proxy_cookie_flags ~ secure samesite=lax;',
    '}',
    '',
    "# Static files straight from disk, under both names SOGo's pages use.",
    'location ^~ /SOGo.woa/WebServerResources/ {',
    `    alias ${SOGO_WEB_RESOURCES};`,
    '    expires 1d;',
    '}',
    'location ^~ /SOGo/WebServerResources/ {',
    `    alias ${SOGO_WEB_RESOURCES};`,
    '    expires 1d;',
    '}',
    '',
    '# ActiveSync, where phones look for it. SOGo answers Ping and Sync within its',
    '# SOGoMaximumPingInterval/SOGoMaximumSyncInterval (seconds), far below this timeout.',
    'location ^~ /Microsoft-Server-ActiveSync {',
    ...proxyTo(`${upstream}/SOGo/Microsoft-Server-ActiveSync`, '360s'),
    '}',
    '',
    '# CalDAV and CardDAV service discovery (RFC 6764).',
    'location = /.well-known/caldav {',
    '    return 301 $scheme://$host/SOGo/dav/;',
    '}',
    'location = /.well-known/carddav {',
    '    return 301 $scheme://$host/SOGo/dav/;',
    '}',
  ];
  return {
    path: SOGO_NGINX_PATH,
    content: `${lines.join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'nginx',
  };
}
