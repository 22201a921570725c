/**
 * certbot runs every executable in this directory after it obtained or renewed a
 * certificate (`certbot renew`, and so certbot.timer), with RENEWED_LINEAGE set.
 */
export const CERTBOT_DEPLOY_HOOK_PATH =
  '/etc/letsencrypt/renewal-hooks/deploy/mailctl-install-certificate';

/** Debian's certbot.service (run by certbot.timer) gets the environment renewals need. */
export const CERTBOT_DROPIN_PATH = '/etc/systemd/system/certbot.service.d/mailctl.conf';

/** Where certbot keeps a certificate's current files: /etc/letsencrypt/live/<name>/. */
export const certbotLineage = (name: string) => `/etc/letsencrypt/live/${name}`;
export const certbotRenewalConf = (name: string) => `/etc/letsencrypt/renewal/${name}.conf`;

/** The services that read the host's certificate, reloaded when it changes. */
export const CERTIFICATE_READERS = ['postfix.service', 'dovecot.service', 'nginx.service'];
