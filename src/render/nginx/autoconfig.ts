import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';

/** Where Thunderbird and the clients that share its format look for a domain's settings. */
export const AUTOCONFIG_PATHS = [
  '/.well-known/autoconfig/mail/config-v1.1.xml',
  '/mail/config-v1.1.xml',
];

/**
 * Who asks: a device in the VPN reaches IMAP and POP3; one on the internet reaches only
 * submission, and is offered nothing else (a client that took IMAP from the public answer
 * would fail to connect, with no hint why).
 */
export type AutoconfigSide = 'vpn' | 'public';

/**
 * Mail client autoconfiguration (the clientConfig 1.1 format), one document for every
 * domain of the host: submission on 465 and 587 for everyone, IMAP and POP3 over implicit
 * TLS for VPN devices (the VPN's resolver leads them to the VPN address for the host's
 * name), the full address as the user name. Nothing in it is secret.
 */
export function renderAutoconfig(ctx: MailHostContext, side: AutoconfigSide): string {
  const host = configToken(ctx.fqdn, 'fqdn');
  const server = (tag: string, type: string, port: number, socket: string) =>
    `<${tag} type="${type}"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></${tag}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `<emailProvider id="${host}">`,
    ...ctx.domains.map((d) => `<domain>${configToken(d, 'domain')}</domain>`),
    `<displayName>${host}</displayName>`,
    ...(side === 'vpn'
      ? [server('incomingServer', 'imap', 993, 'SSL'), server('incomingServer', 'pop3', 995, 'SSL')]
      : [
          // Thunderbird asks for the settings by hand when no incoming server is offered.
          `<documentation url="https://${host}/"><descr lang="en">IMAP and POP3 answer only inside the VPN: join it, then add the account again.</descr></documentation>`,
        ]),
    server('outgoingServer', 'smtp', 465, 'SSL'),
    server('outgoingServer', 'smtp', 587, 'STARTTLS'),
    '</emailProvider>',
    '</clientConfig>',
  ].join('');
}
