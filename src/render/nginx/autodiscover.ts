import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import type { AutoconfigSide } from './autoconfig.js';

/** Where Outlook posts its request, on autodiscover.<domain> (and on the domain itself). */
export const AUTODISCOVER_PATH = '/autodiscover/autodiscover.xml';

/**
 * Microsoft's POX autodiscover answer (the Outlook response schema of 2006a): the same
 * servers as the Thunderbird document (autoconfig.ts), IMAP only for VPN devices. nginx answers every request with
 * it, whatever the posted address, so it names no login: Outlook then logs in with the
 * full address, which is the login here.
 */
export function renderAutodiscover(ctx: MailHostContext, side: AutoconfigSide): string {
  const host = configToken(ctx.fqdn, 'fqdn');
  const protocol = (type: string, port: number) =>
    `<Protocol><Type>${type}</Type><Server>${host}</Server><Port>${port}</Port><DomainRequired>off</DomainRequired><SPA>off</SPA><SSL>on</SSL><AuthRequired>on</AuthRequired></Protocol>`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
    '<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">',
    '<Account><AccountType>email</AccountType><Action>settings</Action>',
    ...(side === 'vpn' ? [protocol('IMAP', 993)] : []),
    protocol('SMTP', 465),
    '</Account></Response></Autodiscover>',
  ].join('');
}
