/** Where mailctl's nginx configuration lives; other components write into these too. */
export const NGINX_CONF_PATH = '/etc/nginx/nginx.conf';
export const NGINX_MAILCTL_DIR = '/etc/nginx/mailctl';

/**
 * The contract with every component that serves something on the VPN side (SOGo, the
 * Rspamd controller, the admin API): it renders `location` blocks into a file in this
 * directory, owned by the `nginx` component, and the VPN-only server includes them all.
 */
export const NGINX_VPN_INCLUDE_DIR = `${NGINX_MAILCTL_DIR}/vpn.d`;

/** The security headers of the VPN-side server, for a `location` that sets its own add_header. */
export const NGINX_VPN_HEADERS_PATH = `${NGINX_MAILCTL_DIR}/headers-vpn.conf`;
export const NGINX_PUBLIC_HEADERS_PATH = `${NGINX_MAILCTL_DIR}/headers-public.conf`;

export const NGINX_DROPIN_PATH = '/etc/systemd/system/nginx.service.d/mailctl.conf';

/**
 * certbot's HTTP-01 webroot (`certbot certonly --webroot -w`): certbot writes
 * `.well-known/acme-challenge/<token>` below it and nginx serves exactly that path on port 80.
 */
export const ACME_WEBROOT = '/var/lib/mailctl/acme-webroot';

/** The MTA-STS policy file the mta-sts.<domain> server serves. */
export const NGINX_MTA_STS_POLICY_FILE = `${NGINX_MAILCTL_DIR}/mta-sts.txt`;
