import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';

/** Where Thunderbird and the clients that share its format look for a domain's settings. */
export const AUTOCONFIG_PATHS = [
  '/.well-known/autoconfig/mail/config-v1.1.xml',
  '/mail/config-v1.1.xml',
];

/**
 * Mail client autoconfiguration (the clientConfig 1.1 format), one document for every
 * domain of the host: IMAP and POP3 over implicit TLS, submission on 465 and 587, the
 * full address as the user name. Nothing in it is secret; IMAP and POP3 are reached over
 * the VPN, where the host name resolves to the VPN address.
 */
export function renderAutoconfig(ctx: MailHostContext): string {
  const host = configToken(ctx.fqdn, 'fqdn');
  const server = (tag: string, type: string, port: number, socket: string) =>
    `<${tag} type="${type}"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></${tag}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `<emailProvider id="${host}">`,
    ...ctx.domains.map((d) => `<domain>${configToken(d, 'domain')}</domain>`),
    `<displayName>${host}</displayName>`,
    server('incomingServer', 'imap', 993, 'SSL'),
    server('incomingServer', 'pop3', 995, 'SSL'),
    server('outgoingServer', 'smtp', 465, 'SSL'),
    server('outgoingServer', 'smtp', 587, 'STARTTLS'),
    '</emailProvider>',
    '</clientConfig>',
  ].join('');
}
