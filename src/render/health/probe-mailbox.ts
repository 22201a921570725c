import type { MailHostContext } from '../host-context.js';

/**
 * The mailbox `mailctl health` logs in as over IMAP and POP3, so that a probe takes the
 * path a user's login takes (Dovecot's SQL passdb and userdb in PostgreSQL, the mail
 * store). apply creates it with a password of its own; Postfix refuses it as a recipient on
 * every port (main.cf), so it never holds mail from outside.
 */
export const HEALTH_PROBE_LOCAL_PART = 'health-probe';
/** Its password, made at apply, kept in /etc/mailctl/secrets (0600) and nowhere else. */
export const HEALTH_PROBE_SECRET = 'health-probe-password';

export const healthProbeAddress = (ctx: Pick<MailHostContext, 'domains' | 'fqdn'>): string =>
  `${HEALTH_PROBE_LOCAL_PART}@${ctx.domains[0] ?? ctx.fqdn}`;
