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

/**
 * Debian's file that gives the validator the root's key (RFC 5011-managed by unbound).
 * mailctl writes it, so that a world without a signed root (resolver.dnssec: false) can
 * still validate the zones of resolver.trust_anchor_file: with the root's key loaded every
 * unsigned answer from such a world would be bogus.
 */
export const UNBOUND_ROOT_ANCHOR_CONF_PATH =
  '/etc/unbound/unbound.conf.d/root-auto-trust-anchor-file.conf';

/** The host's resolver for every program on it, Postfix's smtp client included. */
export const RESOLV_CONF_PATH = '/etc/resolv.conf';

/** Where the host's own processes ask. */
export const UNBOUND_ADDRESS = '127.0.0.1';
export const UNBOUND_PORT = 53;

/**
 * The reverse zones unbound answers itself by default (RFC 6303's documentation ranges) that
 * hold one of these addresses: only a lab's host has such addresses.
 */
function ownReverseZonesAnsweredLocally(addresses: readonly string[]): string[] {
  const zones = addresses.map((a) => {
    const v4 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.exec(a)?.[1];
    if (v4) return `${v4.split('.').reverse().join('.')}.in-addr.arpa.`;
    return /^2001:0?db8:/i.test(a) ? '8.b.d.0.1.0.0.2.ip6.arpa.' : undefined;
  });
  return [...new Set(zones.filter((z) => z !== undefined))];
}

/**
 * unbound as the host's own resolver. Rspamd asks it (options.inc `dns { nameserver }`):
 * DNS blocklists such as Spamhaus refuse queries that arrive through public resolvers,
 * and SPF, DKIM and DMARC answers are only as trustworthy as the resolver that fetched them.
 *
 * Debian's remote-control.conf stays (unbound-control over /run/unbound.ctl); its
 * root-auto-trust-anchor-file.conf is rendered below. Without forwarders unbound resolves
 * from the root servers itself.
 */
export function renderUnboundConf(ctx: MailHostContext): string {
  const { forwardTo, dnssec, trustAnchorFile } = ctx.resolver;
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
    ...ownReverseZonesAnsweredLocally(ctx.publicAddresses).flatMap((z, i) => [
      ...(i === 0
        ? [
            "    # The host's own addresses are documentation addresses, whose reverse zones",
            '    # unbound answers itself (NXDOMAIN): looked up instead, their PTR records are',
            "    # found where the host's world publishes them.",
          ]
        : []),
      `    local-zone: "${z}" nodefault`,
    ]),
    ...(dnssec || trustAnchorFile
      ? []
      : [
          '    # resolver.dnssec: false. The world this host resolves in has no signed root',
          '    # (the lab): without the validator, answers are taken as they come.',
          '    module-config: "iterator"',
        ]),
    ...(trustAnchorFile
      ? [
          '    # resolver.trust_anchor_file: zones validated from these keys rather than from',
          "    # the root's; their answers carry the AD bit that Postfix's DANE requires.",
          `    trust-anchor-file: "${configToken(trustAnchorFile, 'resolver.trust_anchor_file')}"`,
        ]
      : []),
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

/** Debian's root anchor file, or (resolver.dnssec: false) the same file without the key. */
export function renderUnboundRootAnchorConf(ctx: MailHostContext): string {
  const lines = ctx.resolver.dnssec
    ? [
        "# The root's DNSSEC key (Debian's dns-root-data, kept current by RFC 5011): every",
        '# answer is validated from the root down.',
        'server:',
        '    auto-trust-anchor-file: "/var/lib/unbound/root.key"',
      ]
    : [
        '# resolver.dnssec: false. No root key: the world this host resolves in has no signed',
        '# root, and with its key every answer would be bogus.',
        'server:',
      ];
  return `${generatedHeader()}${lines.join('\n')}\n`;
}

/**
 * /etc/resolv.conf: every program on the host resolves through unbound. Postfix's smtp
 * client is why: DANE (smtp_dns_support_level = dnssec) trusts only answers whose AD bit
 * the resolver set after validating. glibc (2.31 and later) clears that bit unless
 * `options trust-ad` says the resolver is trusted, which is true only of one on loopback.
 */
export function renderResolvConf(): string {
  return [
    generatedHeader().trimEnd(),
    "# The host's own validating resolver (unbound); Postfix's chroot gets a copy.",
    `nameserver ${UNBOUND_ADDRESS}`,
    'options edns0 trust-ad',
    '',
  ].join('\n');
}

export function renderUnbound(ctx: MailHostContext): RenderedFile[] {
  return [
    rootFile('unbound', UNBOUND_CONF_PATH, renderUnboundConf(ctx)),
    rootFile('unbound', UNBOUND_ROOT_ANCHOR_CONF_PATH, renderUnboundRootAnchorConf(ctx)),
    rootFile('unbound', RESOLV_CONF_PATH, renderResolvConf()),
  ];
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
