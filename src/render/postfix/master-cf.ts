import type { MailHostContext } from '../host-context.js';
import { LOCAL_PICKUP_DAEMON_NAME } from '../rspamd/own-domain-check.js';
import { generatedHeader, type RenderedFile } from '../types.js';
import { masterServiceName, postfixListenAddresses } from './listen-addresses.js';
import { SUBMISSION_RESTRICTION_PARAMETERS } from './main-cf.js';

export const POSTFIX_MASTER_CF_PATH = '/etc/postfix/master.cf';

/** One master.cf service: the columns of master(5), then its -o overrides. */
interface MasterService {
  service: string;
  type: 'inet' | 'unix' | 'unix-dgram' | 'fifo' | 'pass';
  private: 'y' | 'n' | '-';
  unpriv: 'y' | 'n' | '-';
  chroot: 'y' | 'n' | '-';
  wakeup: string;
  maxproc: string;
  command: string;
  options?: readonly string[];
}

const svc = (
  service: string,
  type: MasterService['type'],
  columns: string,
  command: string,
): MasterService => {
  const [priv, unpriv, chroot, wakeup, maxproc] = columns.split(' ') as [
    MasterService['private'],
    MasterService['unpriv'],
    MasterService['chroot'],
    string,
    string,
  ];
  return { service, type, private: priv, unpriv, chroot, wakeup, maxproc, command };
};

/** The cleanup that submitted mail goes through: the MX's keeps every header. */
const SUBMISSION_CLEANUP = 'mua-cleanup';

/**
 * Postfix's internal services as Debian ships them: chrooted where Debian chroots them
 * (the chroot is the queue directory; proxymap, local and the queue manager stay out).
 */
const INTERNAL_SERVICES: readonly MasterService[] = [
  svc('pickup', 'unix', 'n - y 60 1', 'pickup'),
  // Runs non_smtpd_milters for sendmail's mail only (smtpd runs its own milters): the
  // daemon name tells Rspamd that this mail came from no SMTP client.
  {
    ...svc('cleanup', 'unix', 'n - y - 0', 'cleanup'),
    options: [`milter_macro_daemon_name=${LOCAL_PICKUP_DAEMON_NAME}`],
  },
  {
    ...svc(SUBMISSION_CLEANUP, 'unix', 'n - y - 0', 'cleanup'),
    options: [`header_checks=$${SUBMISSION_RESTRICTION_PARAMETERS.headerChecks}`],
  },
  svc('qmgr', 'unix', 'n - n 300 1', 'qmgr'),
  svc('tlsmgr', 'unix', '- - y 1000? 1', 'tlsmgr'),
  svc('rewrite', 'unix', '- - y - -', 'trivial-rewrite'),
  svc('bounce', 'unix', '- - y - 0', 'bounce'),
  svc('defer', 'unix', '- - y - 0', 'bounce'),
  svc('trace', 'unix', '- - y - 0', 'bounce'),
  svc('verify', 'unix', '- - y - 1', 'verify'),
  svc('flush', 'unix', 'n - y 1000? 0', 'flush'),
  svc('proxymap', 'unix', '- - n - -', 'proxymap'),
  svc('proxywrite', 'unix', '- - n - 1', 'proxymap'),
  svc('smtp', 'unix', '- - y - -', 'smtp'),
  {
    ...svc('relay', 'unix', '- - y - -', 'smtp'),
    options: ['syslog_name=${multi_instance_name?{$multi_instance_name}:{postfix}}/$service_name'],
  },
  svc('showq', 'unix', 'n - y - -', 'showq'),
  svc('error', 'unix', '- - y - -', 'error'),
  svc('retry', 'unix', '- - y - -', 'error'),
  svc('discard', 'unix', '- - y - -', 'discard'),
  svc('local', 'unix', '- n n - -', 'local'),
  svc('lmtp', 'unix', '- - y - -', 'lmtp'),
  svc('anvil', 'unix', '- - y - 1', 'anvil'),
  svc('scache', 'unix', '- - y - 1', 'scache'),
  svc('postlog', 'unix-dgram', 'n - n - 1', 'postlogd'),
];

/** The -o overrides shared by 587 and 465: TLS first, then AUTH, then the mua_* lists. */
const SUBMISSION_OPTIONS: readonly string[] = [
  'smtpd_tls_security_level=encrypt',
  'smtpd_sasl_auth_enable=yes',
  // Mail clients announce names like "my_laptop": only the MX port checks HELO syntax.
  'smtpd_helo_restrictions=',
  `smtpd_client_restrictions=$${SUBMISSION_RESTRICTION_PARAMETERS.client}`,
  `smtpd_sender_restrictions=$${SUBMISSION_RESTRICTION_PARAMETERS.sender}`,
  `smtpd_recipient_restrictions=$${SUBMISSION_RESTRICTION_PARAMETERS.recipient}`,
  `cleanup_service_name=${SUBMISSION_CLEANUP}`,
];

function listeners(ctx: MailHostContext): { comment: string; services: MasterService[] }[] {
  const addresses = postfixListenAddresses(ctx);
  const smtpd = (address: string, port: number, options: readonly string[]) => ({
    ...svc(masterServiceName(address, port), 'inet', 'n - y - -', 'smtpd'),
    options,
  });
  return [
    {
      comment:
        '# MX (port 25) on the public addresses, the VPN address and loopback: postscreen\n' +
        '# first (main.cf), then smtpd. Opportunistic TLS, no AUTH: mail for the domains\n' +
        '# served here, from anyone.',
      services: [
        ...addresses.mx.map((a) =>
          svc(masterServiceName(a, 25), 'inet', 'n - y - 1', 'postscreen'),
        ),
        svc('smtpd', 'pass', '- - y - -', 'smtpd'),
        svc('dnsblog', 'unix', '- - y - 0', 'dnsblog'),
        svc('tlsproxy', 'unix', '- - y - 0', 'tlsproxy'),
      ],
    },
    {
      comment:
        '# Submission with STARTTLS (port 587, RFC 6409): AUTH only after STARTTLS, which\n' +
        '# is required, on the public addresses and the VPN address.',
      services: addresses.submission.map((a) =>
        smtpd(a, 587, ['syslog_name=postfix/submission', ...SUBMISSION_OPTIONS]),
      ),
    },
    {
      comment:
        '# Submission over implicit TLS (port 465, RFC 8314): the TLS handshake comes first.',
      services: addresses.submission.map((a) =>
        smtpd(a, 465, [
          'syslog_name=postfix/submissions',
          'smtpd_tls_wrappermode=yes',
          ...SUBMISSION_OPTIONS,
        ]),
      ),
    },
  ];
}

function formatColumns(columns: readonly string[]): string {
  return columns
    .map((c, i) => `${c} `.padEnd(i === 0 ? 23 : 8))
    .join('')
    .trimEnd();
}

function formatService(s: MasterService): string {
  const columns = [s.service, s.type, s.private, s.unpriv, s.chroot, s.wakeup, s.maxproc];
  const head = formatColumns([...columns, s.command]);
  return [head, ...(s.options ?? []).map((o) => `  -o ${o}`)].join('\n');
}

/** /etc/postfix/master.cf */
export function renderPostfixMasterCf(ctx: MailHostContext): RenderedFile {
  const blocks = [
    generatedHeader().trimEnd(),
    formatColumns([
      '# service',
      'type',
      'private',
      'unpriv',
      'chroot',
      'wakeup',
      'maxproc',
      'command',
    ]),
    ...listeners(ctx).map((l) => [l.comment, ...l.services.map(formatService)].join('\n')),
    ['# Internal services.', ...INTERNAL_SERVICES.map(formatService)].join('\n'),
  ];
  return {
    path: POSTFIX_MASTER_CF_PATH,
    content: `${blocks.join('\n\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'postfix',
  };
}
