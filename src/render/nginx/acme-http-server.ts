import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { listenLine } from './listen.js';
import { ACME_WEBROOT } from './paths.js';

/**
 * Port 80 on the public addresses: ACME HTTP-01 challenges from the webroot certbot writes
 * to, and a redirect to https for everything else. Nothing else is served over plain http.
 */
export function renderAcmeHttpServer(ctx: MailHostContext): string {
  const fqdn = configToken(ctx.fqdn, 'fqdn');
  return `${generatedHeader()}server {
${ctx.publicAddresses.map((a) => listenLine(a, 80, 'default_server')).join('\n')}
    server_name _;

    # ^~: no regex location may take the challenge path over. Only the files certbot
    # wrote are served (try_files ... =404: no directory listing, no fallback).
    location ^~ /.well-known/acme-challenge/ {
        root ${ACME_WEBROOT};
        default_type text/plain;
        limit_except GET { deny all; }
        try_files $uri =404;
    }

    # To the host's own name, not the Host header the client sent: the redirect cannot be
    # pointed anywhere else.
    location / {
        return 301 https://${fqdn}$request_uri;
    }
}
`;
}
