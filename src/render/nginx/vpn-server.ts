import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { clientSettingsLocations } from './client-settings.js';
import { listenLine } from './listen.js';
import { NGINX_VPN_HEADERS_PATH, NGINX_VPN_INCLUDE_DIR } from './paths.js';

/**
 * Port 443 on the VPN address only: everything internal (SOGo, the Rspamd controller,
 * administration) and the mail client settings that offer IMAP and POP3. It is unreachable from the internet because it listens on no public
 * address; the allow-list is the second line, should a listener or route ever change.
 * Other components add their `location` blocks as files in vpn.d/.
 */
export function renderVpnServer(ctx: MailHostContext): string {
  const subnet = configToken(ctx.vpnSubnet, 'vpnSubnet');
  return `${generatedHeader()}server {
${listenLine(ctx.vpnAddress, 443, 'ssl default_server')}
    http2 on;
    server_name ${configToken(ctx.fqdn, 'fqdn')};
    include ${NGINX_VPN_HEADERS_PATH};

    allow ${subnet};
    deny all;

    # The settings with IMAP and POP3: VPN devices reach this server by the host's name and
    # by autoconfig./autodiscover.<domain> (the VPN's resolver leads them all here).
${clientSettingsLocations(ctx, 'vpn')}
    # A location that sets its own add_header must include ${NGINX_VPN_HEADERS_PATH} again.
    include ${NGINX_VPN_INCLUDE_DIR}/*.conf;
}
`;
}
