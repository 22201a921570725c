import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { AUTOCONFIG_PATHS, renderAutoconfig } from './autoconfig.js';
import { listenLine } from './listen.js';
import { NGINX_PUBLIC_HEADERS_PATH } from './paths.js';

/**
 * Port 443 on the public addresses: only what the internet needs to see, a small landing
 * page naming the host and mail client autoconfiguration; every other path is 404,
 * whatever Host or SNI a client sends.
 */
export function renderPublicServer(ctx: MailHostContext): string {
  const fqdn = configToken(ctx.fqdn, 'fqdn');
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${fqdn}</title></head><body><h1>${fqdn}</h1><p>This is a mail server. Mail clients connect with the settings their administrator gave them.</p></body></html>`;
  return `${generatedHeader()}server {
${ctx.publicAddresses.map((a) => listenLine(a, 443, 'ssl default_server')).join('\n')}
    http2 on;
    server_name ${fqdn};
    include ${NGINX_PUBLIC_HEADERS_PATH};

    location = / {
        default_type text/html;
        return 200 '${page}';
    }

${AUTOCONFIG_PATHS.map(
  // No default_type: mime.types gives .xml its type (text/xml).
  (p) => `    location = ${p} {
        return 200 '${renderAutoconfig(ctx)}';
    }
`,
).join('\n')}
    location / {
        return 404;
    }
}
`;
}
