import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';
import { CERTIFICATE_READERS } from './paths.js';

/**
 * certbot's deploy hook: copies a new certificate of the host's name to the paths Postfix
 * (smtpd_tls_chain_files), Dovecot (ssl_server_cert_file, ssl_server_key_file) and nginx
 * (ssl_certificate, ssl_certificate_key) read, then reloads them. Copies, not symlinks
 * into /etc/letsencrypt: the services' configuration never changes between the
 * self-signed certificate and the ACME one, so switching cannot break them.
 */
export function renderDeployHook(ctx: MailHostContext): string {
  const name = configToken(ctx.fqdn, 'fqdn');
  const cert = configToken(ctx.tls.certFile, 'tls.certFile');
  const key = configToken(ctx.tls.keyFile, 'tls.keyFile');
  return `#!/bin/sh
${generatedHeader()}# certbot runs this after it obtained or renewed a certificate, with
# RENEWED_LINEAGE=/etc/letsencrypt/live/<name>; mailctl apply runs it too when the
# installed copy differs from certbot's.
set -eu
lineage=\${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE}
# Other certificates on this host are not mailctl's.
[ "\${lineage##*/}" = "${name}" ] || exit 0

umask 077
# Written beside the live files and renamed into place: a daemon that starts meanwhile
# (Postfix starts smtpd processes all the time) reads a whole file, never half of one.
cp "$lineage/privkey.pem" "${key}.new"
chmod 0600 "${key}.new"
cp "$lineage/fullchain.pem" "${cert}.new"
chmod 0644 "${cert}.new"
# A key that does not match the certificate would stop every TLS listener: refuse it.
[ "$(openssl x509 -noout -pubkey -in "${cert}.new")" = "$(openssl pkey -pubout -in "${key}.new")" ] || {
  rm -f "${cert}.new" "${key}.new"
  echo "mailctl: $lineage: the key does not match the certificate; nothing installed" >&2
  exit 1
}
mv -f "${key}.new" "${key}"
mv -f "${cert}.new" "${cert}"

# A reload, not a restart: sessions in progress go on, new ones get the new certificate.
for unit in ${CERTIFICATE_READERS.join(' ')}; do
  if systemctl is-active --quiet "$unit"; then systemctl reload "$unit"; fi
done
`;
}
