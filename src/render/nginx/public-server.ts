import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { MTA_STS_POLICY_PATH } from '../mta-sts/index.js';
import { clientSettingsLocations } from './client-settings.js';
import { listenLine } from './listen.js';
import { NGINX_MTA_STS_POLICY_FILE, NGINX_PUBLIC_HEADERS_PATH } from './paths.js';

/**
 * Port 443 on the public addresses: only what the internet needs to see, a small landing
 * page naming the host and mail client autoconfiguration (Thunderbird's on any name,
 * Outlook's autodiscover); every other path is 404, whatever Host or SNI a client sends.
 * A second server answers for mta-sts.<any domain> with the MTA-STS policy alone.
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

${clientSettingsLocations(ctx, 'public')}
    location / {
        return 404;
    }
}

server {
${ctx.publicAddresses.map((a) => listenLine(a, 443, 'ssl')).join('\n')}
    http2 on;
    # Every domain's policy host (RFC 8461 section 3.3), those added with 'mailctl domain
    # add' too: the policy is the same for all of them.
    server_name ~^mta-sts\\.;
    include ${NGINX_PUBLIC_HEADERS_PATH};

    location = ${MTA_STS_POLICY_PATH} {
        # Senders accept text/plain only (RFC 8461 section 3.3).
        types { }
        default_type text/plain;
        alias ${NGINX_MTA_STS_POLICY_FILE};
    }

    location / {
        return 404;
    }
}
`;
}
