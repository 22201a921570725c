import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { generatedHeader } from '../types.js';

/**
 * Renewals run from Debian's certbot.timer, outside any shell: a private ACME server's CA
 * reaches certbot through the environment, as REQUESTS_CA_BUNDLE (certbot's HTTP client
 * trusts exactly that bundle then). Rendered without it for a public CA, so that a CA
 * file dropped from the cluster file is dropped here too.
 */
export function renderCertbotDropin(ctx: MailHostContext): string {
  const caFile = ctx.tls.acme?.caFile;
  return `${generatedHeader()}${
    caFile
      ? `[Service]\nEnvironment=REQUESTS_CA_BUNDLE=${configToken(caFile, 'tls.acme.ca_file')}\n`
      : '# (the ACME directory is served with a publicly trusted certificate)\n'
  }`;
}
