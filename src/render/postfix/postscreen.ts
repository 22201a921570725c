import type { MailHostContext } from '../host-context.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { isIpv6 } from '../wireguard/addresses.js';
import type { PostfixSection } from './main-cf-format.js';

/** Clients postscreen(8) lets through untested: the host itself (loopback, its own addresses) and the VPN. */
export const POSTSCREEN_ACCESS_PATH = '/etc/postfix/postscreen_access.cidr';

/**
 * postscreen(8) answers port 25 before any smtpd process is spent on a client. Its
 * pregreet test sends the first line of a multi-line banner (postscreen_greet_banner) and
 * waits postscreen_greet_wait: a client that talks before the banner's end is a spambot
 * that does not speak SMTP; it is refused at RCPT with a 550 (enforce, so the log holds
 * what it tried to send). DNSBL sites are asked at the same time, and a client whose
 * weighted listings reach the threshold is refused the same way. A client that passes
 * is remembered (postscreen_cache_map, postscreen_greet_ttl) and from then on handed to
 * smtpd at once.
 *
 * The deep protocol tests (postscreen_pipelining_enable, postscreen_non_smtp_command_enable,
 * postscreen_bare_newline_enable) stay off: a client that passes them must disconnect and
 * come back before it is handed to smtpd, which delays every new sender's first mail like a
 * second greylisting, beside Rspamd's own. smtpd refuses unauthorised pipelining and bare
 * newlines itself (smtpd_forbid_unauth_pipelining, smtpd_forbid_bare_newline).
 */
export function postscreenSection(ctx: MailHostContext): PostfixSection {
  const sites = ctx.postscreen.dnsblSites;
  return {
    title: 'postscreen on port 25',
    parameters: [
      {
        name: 'postscreen_access_list',
        value: `cidr:${POSTSCREEN_ACCESS_PATH}`,
        why: [
          "The host's own connections (its tools, the health probe, Alertmanager) and the VPN",
          "skip the tests, not smtpd's restrictions: mynetworks stays empty.",
        ],
      },
      {
        name: 'postscreen_cache_map',
        value: 'proxy:btree:$data_directory/postscreen_cache',
        why: [
          'One postscreen per listening address, sharing one cache of passed clients through',
          'proxywrite (in proxy_write_maps by default); btree files opened by several',
          'processes directly would be corrupted.',
        ],
      },
      { name: 'postscreen_greet_action', value: 'enforce' },
      {
        name: 'postscreen_dnsbl_sites',
        value: sites.length ? sites : '',
        why: sites.length
          ? ['zone=reply filter*weight; the filters count real listings only.']
          : ['None: mail.postscreen.dnsbl_sites is empty.'],
      },
      { name: 'postscreen_dnsbl_threshold', value: String(ctx.postscreen.dnsblThreshold) },
      { name: 'postscreen_dnsbl_action', value: 'enforce' },
      {
        name: 'postscreen_pipelining_enable',
        value: 'no',
        why: [
          'No deep protocol tests: each would make a new client reconnect (see postscreen.ts).',
        ],
      },
      { name: 'postscreen_non_smtp_command_enable', value: 'no' },
      { name: 'postscreen_bare_newline_enable', value: 'no' },
    ],
  };
}

/** postscreen_access_list's table: loopback, the host's public addresses and the VPN subnet, permitted. */
export function renderPostscreenAccess(ctx: MailHostContext): RenderedFile {
  const own = ctx.publicAddresses.map((a) => `${a}/${isIpv6(a) ? 128 : 32}`);
  const networks = ['127.0.0.0/8', '::1/128', ...own, ctx.vpnSubnet];
  return {
    path: POSTSCREEN_ACCESS_PATH,
    content: `${generatedHeader()}${networks.map((n) => `${n} permit\n`).join('')}`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'postfix',
  };
}
