import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

/** The file Debian's unit passes to mta-sts-daemon (--config). */
export const MTA_STS_DAEMON_CONF_PATH = '/etc/mta-sts-daemon.yml';

/** Where the daemon answers Postfix's socketmap lookups: loopback only. */
export const MTA_STS_RESOLVER_ADDRESS = { host: '127.0.0.1', port: 8461 } as const;

/**
 * The map Postfix's smtp client asks for every next-hop domain (smtp_tls_policy_maps):
 * `postfix` is the socketmap name the daemon answers in its default zone.
 */
export const MTA_STS_POLICY_MAP = `socketmap:inet:${MTA_STS_RESOLVER_ADDRESS.host}:${MTA_STS_RESOLVER_ADDRESS.port}:postfix`;

/**
 * postfix-mta-sts-resolver: fetches other domains' MTA-STS policies (RFC 8461: the
 * `_mta-sts` TXT record, then `https://mta-sts.<domain>/.well-known/mta-sts.txt` with the
 * certificate verified against the system's CA bundle) and answers Postfix with a TLS
 * policy: `secure match=<mx patterns>` for `mode: enforce`, nothing otherwise. Its DNS
 * lookups go through /etc/resolv.conf, which is the host's unbound.
 */
export function renderMtaStsDaemonConf(): string {
  const { host, port } = MTA_STS_RESOLVER_ADDRESS;
  return [
    generatedHeader().trimEnd(),
    `host: ${host}`,
    `port: ${port}`,
    // Debian's unit allows writes to /var/lib/mta-sts only; policies survive a restart there,
    // as RFC 8461 asks (a policy is cached for its max_age, so a later attacker who strips
    // the TXT record or the https policy cannot downgrade delivery).
    "# Policies survive a restart (Debian's unit lets the daemon write /var/lib/mta-sts only):",
    '# RFC 8461 has a policy honoured for its max_age, so that an attacker who later hides the',
    '# TXT record or the https policy cannot downgrade delivery.',
    'cache:',
    '  type: sqlite',
    '  options:',
    '    filename: "/var/lib/mta-sts/cache.db"',
    'default_zone:',
    '  # A policy in mode testing is only reported, as RFC 8461 section 5 asks.',
    '  strict_testing: false',
    '  timeout: 4',
    '',
  ].join('\n');
}

export function renderMtaStsResolver(): RenderedFile[] {
  return [rootFile('mta-sts-resolver', MTA_STS_DAEMON_CONF_PATH, renderMtaStsDaemonConf())];
}

/**
 * Started before Postfix (Debian's unit says Before=postfix.service): while it is down
 * Postfix's lookups fail and the smtp client defers mail rather than sending it with a
 * weaker policy (a socketmap that does not answer is a temporary error).
 */
export const mtaStsResolverComponent: ComponentDescriptor = {
  name: 'mta-sts-resolver',
  packages: ['postfix-mta-sts-resolver'],
  units: ['postfix-mta-sts-resolver.service'],
  // The daemon reads its file only when it starts.
  onChange: 'restart',
  // No check mode of its own: the YAML is parsed as the daemon will parse it.
  check: ['python3', '-c', `import yaml; yaml.safe_load(open('${MTA_STS_DAEMON_CONF_PATH}'))`],
  readyPorts: [`${MTA_STS_RESOLVER_ADDRESS.host}:${MTA_STS_RESOLVER_ADDRESS.port}`],
};
