import { isIpv6 } from '../wireguard/addresses.js';
import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

/** Debian's unbound.conf includes every file of this directory (include-toplevel). */
export const UNBOUND_CONF_PATH = '/etc/unbound/unbound.conf.d/mailctl.conf';

/** Where the host's own processes ask. */
export const UNBOUND_ADDRESS = '127.0.0.1';
export const UNBOUND_PORT = 53;

/**
 * unbound as the host's own resolver. Rspamd asks it (options.inc `dns { nameserver }`):
 * DNS blocklists such as Spamhaus refuse queries that arrive through public resolvers,
 * and SPF, DKIM and DMARC answers are only as trustworthy as the resolver that fetched them.
 *
 * Debian's own files stay: remote-control.conf (unbound-control over /run/unbound.ctl) and
 * root-auto-trust-anchor-file.conf (the root key, kept fresh by RFC 5011), which the
 * validator below uses. Without forwarders unbound resolves from the root servers itself.
 */
export function renderUnboundConf(ctx: MailHostContext): string {
  const { forwardTo, dnssec } = ctx.resolver;
  const vpnAddress = configToken(ctx.vpnAddress, 'vpnAddress');
  const vpnSubnet = configToken(ctx.vpnSubnet, 'vpnSubnet');
  const lines = [
    'server:',
    `    interface: ${UNBOUND_ADDRESS}`,
    '    interface: ::1',
    "    # The VPN's resolver: the WireGuard configurations `mailctl vpn peer add` prints name",
    '    # it (DNS =). wg0 may come up after unbound, hence ip-freebind.',
    `    interface: ${vpnAddress}`,
    '    ip-freebind: yes',
    `    port: ${UNBOUND_PORT}`,
    '    # Only the host itself and the VPN may ask: an open resolver on a mail host is an',
    '    # amplifier for anyone on the internet (nftables drops port 53 from outside too).',
    '    access-control: 127.0.0.0/8 allow',
    '    access-control: ::1/128 allow',
    `    access-control: ${vpnSubnet} allow`,
    `    access-control-view: ${vpnSubnet} vpn`,
    '    hide-identity: yes',
    '    hide-version: yes',
    '    qname-minimisation: yes',
    '    harden-glue: yes',
    '    harden-dnssec-stripped: yes',
    '    harden-below-nxdomain: yes',
    '    prefetch: yes',
    ...(dnssec
      ? []
      : [
          '    # resolver.dnssec: false. The world this host resolves in has no signed root',
          '    # (the lab): without the validator, answers are taken as they come.',
          '    module-config: "iterator"',
        ]),
  ];
  if (forwardTo.length) {
    lines.push(
      '',
      '# resolver.forward_to: every query goes to these resolvers instead of the root servers.',
      'forward-zone:',
      '    name: "."',
      ...forwardTo.map((a) => `    forward-addr: ${configToken(a, 'resolver.forward_to')}`),
    );
  }
  lines.push('', ...vpnView(ctx));
  return `${generatedHeader()}${lines.join('\n')}\n`;
}

/**
 * What VPN devices see that the internet does not: the host's name, and each domain's
 * autoconfig. and autodiscover. names, lead to its VPN address, where IMAP, POP3, webmail
 * and the autoconfiguration that offers them answer. The host itself still resolves its
 * name to its public address (the view applies to the VPN subnet only). A static zone
 * answers only its own data: no public AAAA record leaks in past the VPN address.
 */
function vpnView(ctx: MailHostContext): string[] {
  const address = configToken(ctx.vpnAddress, 'vpnAddress');
  const type = isIpv6(ctx.vpnAddress) ? 'AAAA' : 'A';
  const names = [
    configToken(ctx.fqdn, 'fqdn'),
    ...ctx.domains.flatMap((d) => {
      const domain = configToken(d, 'domain');
      return [`autoconfig.${domain}`, `autodiscover.${domain}`];
    }),
  ];
  return [
    'view:',
    '    name: "vpn"',
    '    # Every other name is resolved as for the host.',
    '    view-first: yes',
    ...names.flatMap((n) => [
      `    local-zone: "${n}." static`,
      `    local-data: "${n}. ${type} ${address}"`,
    ]),
  ];
}

export function renderUnbound(ctx: MailHostContext): RenderedFile[] {
  return [rootFile('unbound', UNBOUND_CONF_PATH, renderUnboundConf(ctx))];
}

export const unboundComponent: ComponentDescriptor = {
  name: 'unbound',
  // dns-root-data (only recommended by unbound) holds the root's DNSSEC key, which Debian's
  // unit copies to the auto-trust-anchor-file before unbound starts; without it unbound
  // refuses to start at all.
  packages: ['unbound', 'dns-root-data'],
  units: ['unbound.service'],
  // Debian's unit reloads with SIGHUP, which re-reads the files and keeps the process.
  onChange: 'reload',
  // Debian's unit makes the trust anchor file before it starts unbound
  // (ExecStartPre=unbound-helper root_trust_anchor_update); the check needs it too.
  check: [
    'sh',
    '-c',
    '/usr/libexec/unbound-helper root_trust_anchor_update; exec unbound-checkconf',
  ],
  readyPorts: [`${UNBOUND_ADDRESS}:${UNBOUND_PORT}`],
};
