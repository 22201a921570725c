import { BACKUP_LOG_TAG } from '../backup/paths.js';
import { EVENT_TAG } from '../../util/event-tag.js';
import { generatedHeader } from '../types.js';
import { wazuhText, xmlComment } from './xml.js';

/**
 * One Wazuh decoder, every expression PCRE2 (`type="pcre2"`). A parent names the source
 * (the syslog identifier Wazuh takes from a journal entry, or a token every line of a log
 * file carries); each child picks one kind of event by its prematch and names the fields
 * its regex captures, in `order`. Children set `use_own_name`, so a rule says which event
 * it is about with `<decoded_as>` alone.
 *
 * Wazuh tries a parent's children in file order and takes the first whose prematch
 * matches, so the prematches of one parent's children exclude each other (the unit tests
 * check it on every sample line); a child without one would shadow those after it.
 */
export interface WazuhDecoder {
  name: string;
  parent?: string;
  /** The journal's SYSLOG_IDENTIFIER (Wazuh's program_name), anchored. */
  programName?: string;
  prematch?: string;
  regex?: string;
  order?: readonly string[];
  /** Why it exists, for the comment above it in the file. */
  about: string;
}

/** An IPv4 or IPv6 address as the daemons print it (no brackets, no port). */
const IP = '[0-9A-Fa-f.:]+';
/** Text between < and >, written so that Wazuh's XML reader sees neither. */
const ANGLED = String.raw`\x3c([^\x3e]*)\x3e`;
/** Postfix's client: `name[address]`, where name is often `unknown`. */
const POSTFIX_CLIENT = String.raw`[^\s\[\]]+\[(${IP})\]`;
/** A Postfix queue id (short or long form) or NOQUEUE. */
const QUEUE_ID = '(?:NOQUEUE|[0-9A-Za-z]{6,})';
const DSN = String.raw`\d\.\d{1,3}\.\d{1,3}`;

/**
 * Dovecot 2.4. Wazuh's own Dovecot decoders expect 2.3's `Login:` and `auth(default)`
 * lines; 2.4 writes `Logged in`, `Login aborted` and names user and address in the auth
 * process's prefix, so those decoders extract nothing and its brute-force rules never
 * correlate. Ours replace them: the parent keeps the name `dovecot`, so Wazuh's Dovecot
 * rules still see the events as Dovecot's.
 */
const DOVECOT: WazuhDecoder[] = [
  {
    name: 'dovecot',
    programName: '^dovecot$',
    about: 'Dovecot 2.4 (journal identifier dovecot); replaces 0085-dovecot_decoders.xml',
  },
  {
    name: 'dovecot-logged-in',
    parent: 'dovecot',
    prematch: String.raw`^\w+-login: Logged in: `,
    regex: String.raw`^(\w+)-login: Logged in: user=${ANGLED}, method=\S+, rip=(${IP}), lip=(${IP})`,
    order: ['protocol', 'user', 'srcip', 'dstip'],
    about: 'a successful IMAP, POP3 or ManageSieve login',
  },
  {
    name: 'dovecot-login-failed',
    parent: 'dovecot',
    prematch: String.raw`^\w+-login: Login aborted: .*\(auth failed, \d+ attempts`,
    regex: String.raw`^(\w+)-login: Login aborted: .*\(auth failed, (\d+) attempts.*?: user=${ANGLED},(?: method=\S+,)? rip=(${IP}), lip=(${IP})`,
    order: ['protocol', 'attempts', 'user', 'srcip', 'dstip'],
    about: 'a login that ended after failed authentication (wrong password, unknown user)',
  },
  {
    name: 'dovecot-login-aborted',
    parent: 'dovecot',
    prematch: String.raw`^\w+-login: Login aborted: (?!.*\(auth failed, \d+ attempts)`,
    regex: String.raw`^(\w+)-login: Login aborted: (.*?):(?: user=${ANGLED},)?(?: method=\S+,)? rip=(${IP}), lip=(${IP})`,
    order: ['protocol', 'reason', 'user', 'srcip', 'dstip'],
    about: 'a client that left before logging in for another reason (no attempt, TLS, timeout)',
  },
];

/**
 * Postfix 3.10: every service logs as postfix/<service> (postfix/submission/smtpd and
 * postfix/submissions/smtpd for 587 and 465, from master.cf's syslog_name). The parent
 * keeps Wazuh's name `postfix`, so its Postfix rules still apply.
 */
const POSTFIX: WazuhDecoder[] = [
  {
    name: 'postfix',
    programName: '^postfix(?:-[\\w-]+)?/',
    about: 'Postfix (journal identifiers postfix/*); replaces 0220-postfix_decoders.xml',
  },
  {
    name: 'postfix-sasl-failed',
    parent: 'postfix',
    prematch: String.raw`^warning: [^\s\[\]]+\[${IP}\]: SASL \S+ authentication failed`,
    regex: String.raw`^warning: ${POSTFIX_CLIENT}: SASL (\S+) authentication failed: (.*?)(?:, sasl_username=(\S+))?$`,
    order: ['srcip', 'mechanism', 'reason', 'user'],
    about: 'SMTP AUTH refused (submission on 587 and 465, or AUTH tried on 25)',
  },
  {
    name: 'postfix-relay-denied',
    parent: 'postfix',
    prematch: String.raw`^${QUEUE_ID}: reject: RCPT from \S+: \d{3} ${DSN} ${ANGLED}: Relay access denied`,
    regex: String.raw`^${QUEUE_ID}: reject: RCPT from ${POSTFIX_CLIENT}: (\d{3}) ${DSN} ${ANGLED}: Relay access denied; from=${ANGLED}`,
    order: ['srcip', 'status', 'dstuser', 'srcuser'],
    about: 'a client that tried to relay through the host',
  },
  {
    name: 'postfix-reject',
    parent: 'postfix',
    prematch: String.raw`^${QUEUE_ID}: reject: (?!RCPT from \S+: \d{3} ${DSN} \x3c[^\x3e]*\x3e: Relay access denied)`,
    regex: String.raw`^${QUEUE_ID}: reject: (\S+) from ${POSTFIX_CLIENT}(?::\d+)?: (\d{3}) (${DSN}) (.*?);(?: from=${ANGLED})?(?: to=${ANGLED})?`,
    order: ['stage', 'srcip', 'status', 'dsn', 'reason', 'srcuser', 'dstuser'],
    about: 'any other refusal by smtpd (unknown recipient, HELO, sender checks, quota)',
  },
  {
    name: 'postfix-milter-reject',
    parent: 'postfix',
    prematch: String.raw`^${QUEUE_ID}: milter-reject: `,
    regex: String.raw`^${QUEUE_ID}: milter-reject: (\S+) from ${POSTFIX_CLIENT}: (?:\d{3} )?(${DSN}) (.*?);(?: from=${ANGLED})?(?: to=${ANGLED})?`,
    order: ['stage', 'srcip', 'dsn', 'reason', 'srcuser', 'dstuser'],
    about: "Rspamd's refusal as Postfix passed it to the client (spam, GTUBE, blocked sender)",
  },
  {
    name: 'postfix-bounced',
    parent: 'postfix',
    prematch: String.raw`^[0-9A-Za-z]{6,}: to=\x3c[^\x3e]*\x3e,.* status=bounced `,
    regex: String.raw`^([0-9A-Za-z]{6,}): to=${ANGLED},(?: orig_to=\x3c[^\x3e]*\x3e,)? relay=(\S+), .*? dsn=(${DSN}), status=bounced \((.*)\)$`,
    order: ['id', 'dstuser', 'relay', 'dsn', 'reason'],
    about: 'a message that could not be delivered and went back to its sender',
  },
  {
    name: 'postfix-deferred',
    parent: 'postfix',
    prematch: String.raw`^[0-9A-Za-z]{6,}: to=\x3c[^\x3e]*\x3e,.* status=deferred `,
    regex: String.raw`^([0-9A-Za-z]{6,}): to=${ANGLED},(?: orig_to=\x3c[^\x3e]*\x3e,)? relay=(\S+), .*? dsn=(${DSN}), status=deferred \((.*)\)$`,
    order: ['id', 'dstuser', 'relay', 'dsn', 'reason'],
    about: 'a delivery that failed for now and stays in the queue',
  },
];

/**
 * Rspamd 3.12 writes one line per scanned message to /var/log/rspamd/rspamd.log (its
 * `rspamd_task_write_log`), with the action it chose. Not a syslog line, so the parent
 * matches on that token anywhere in the line.
 */
const RSPAMD: WazuhDecoder[] = [
  {
    name: 'rspamd',
    prematch: String.raw`rspamd_task_write_log: id: `,
    about: "Rspamd's per-message log line (/var/log/rspamd/rspamd.log)",
  },
  {
    name: 'rspamd-action',
    parent: 'rspamd',
    // qid: only a message Postfix handed over has one; a scan through the controller (the
    // health check's GTUBE, rspamc) is the parent's alone.
    prematch: String.raw`rspamd_task_write_log: id: .*?, qid: .*?, \(\S+: [TFS] \((?:reject|add header|rewrite subject|soft reject)\): `,
    regex: String.raw`rspamd_task_write_log: id: \x3c[^\x3e]*\x3e, qid: ${ANGLED}, ip: (${IP}), (?:user: ([^,]+), )?from: ${ANGLED}, \(\S+: [TFS] \(([a-z ]+)\): \[(-?[\d.]+|nan|inf)/`,
    order: ['id', 'srcip', 'user', 'srcuser', 'rspamd_action', 'score'],
    about: 'a message Rspamd rejected, or passed on marked as spam (add header)',
  },
];

/**
 * SOGo 5.12 logs to /var/log/sogo/sogo.log as `sogod [pid]: ...`; the refused logins are
 * the lines its Fail2ban filter (mailctl-sogo) matches, with the client address nginx
 * passes on.
 */
const SOGO: WazuhDecoder[] = [
  {
    name: 'sogo',
    prematch: String.raw`sogod \[\d+\]: `,
    about: "SOGo's own log (/var/log/sogo/sogo.log)",
  },
  {
    name: 'sogo-login-failed',
    parent: 'sogo',
    prematch: String.raw`sogod \[\d+\]: SOGoRootPage Login from '${IP}' for user '[^']*' might not have worked`,
    regex: String.raw`SOGoRootPage Login from '(${IP})' for user '([^']*)' might not have worked`,
    order: ['srcip', 'user'],
    about: 'a refused web login (wrong password or unknown user)',
  },
  {
    name: 'sogo-dav-unauthorized',
    parent: 'sogo',
    prematch: String.raw`sogod \[\d+\]: ${IP} "[A-Z]+ /SOGo/(?:dav|Microsoft-Server-ActiveSync)\S* HTTP/\d\.\d" 401 `,
    regex: String.raw`sogod \[\d+\]: (${IP}) "([A-Z]+) (/SOGo/\S*) HTTP/\d\.\d" 401 `,
    order: ['srcip', 'method', 'url'],
    about:
      'CalDAV, CardDAV or ActiveSync refused (401); a client also gets one before it sends credentials',
  },
];

/** Fail2ban 1.1 writes its actions to /var/log/fail2ban.log (Debian's logtarget). */
const FAIL2BAN: WazuhDecoder[] = [
  {
    name: 'fail2ban',
    prematch: String.raw`fail2ban\.actions\s*\[\d+\]: `,
    about: "Fail2ban's actions (/var/log/fail2ban.log)",
  },
  {
    name: 'fail2ban-ban',
    parent: 'fail2ban',
    prematch: String.raw`fail2ban\.actions\s*\[\d+\]: \w+\s+\[[^\]]+\] (?:Restore )?Ban `,
    regex: String.raw`fail2ban\.actions\s*\[\d+\]: \w+\s+\[([^\]]+)\] (?:Restore )?Ban (${IP})`,
    order: ['jail', 'srcip'],
    about: 'a client banned by a jail (or its ban restored after a restart)',
  },
  {
    name: 'fail2ban-unban',
    parent: 'fail2ban',
    prematch: String.raw`fail2ban\.actions\s*\[\d+\]: \w+\s+\[[^\]]+\] Unban `,
    regex: String.raw`fail2ban\.actions\s*\[\d+\]: \w+\s+\[([^\]]+)\] Unban (${IP})`,
    order: ['jail', 'srcip'],
    about: 'a ban that ran out',
  },
];

/**
 * WireGuard: the kernel module logs nothing by default, so the events are wg-quick's
 * (wg-quick@wg0.service) bringing the VPN interface up and down.
 */
const WIREGUARD: WazuhDecoder[] = [
  {
    name: 'wg-quick',
    programName: '^wg-quick$',
    about: 'wg-quick (wg-quick@wg0.service)',
  },
  {
    name: 'wg-quick-up',
    parent: 'wg-quick',
    prematch: String.raw`^\[#\] ip link set mtu \d+ up dev \S+$`,
    regex: String.raw`^\[#\] ip link set mtu \d+ up dev (\S+)$`,
    order: ['interface'],
    about: 'the VPN interface is up (the last step of wg-quick up)',
  },
  {
    name: 'wg-quick-down',
    parent: 'wg-quick',
    prematch: String.raw`^\[#\] ip link delete dev \S+$`,
    regex: String.raw`^\[#\] ip link delete dev (\S+)$`,
    order: ['interface'],
    about: 'the VPN interface is gone: IMAP, SOGo and SSH are out of reach',
  },
];

/** The tag mailctl's backup units log a failure with (logger --tag, see render/backup). */
export const MAILCTL_BACKUP_TAG = BACKUP_LOG_TAG;

/** mailctl's own events in the journal: applies, failed audits (util/journal-event.ts). */
const MAILCTL: WazuhDecoder[] = [
  {
    name: 'mailctl',
    programName: `^${EVENT_TAG}$`,
    about: "mailctl's own events (journal identifier mailctl)",
  },
  {
    name: 'mailctl-apply-changed',
    parent: 'mailctl',
    prematch: '^apply: changed: ',
    regex: String.raw`^apply: changed: (\d+) file\(s\), (\d+) host change\(s\)(?:, history (\S+))?`,
    order: ['files', 'host_changes', 'revision'],
    about: 'an apply that changed the host (recorded in its history)',
  },
  {
    name: 'mailctl-apply-failed',
    parent: 'mailctl',
    prematch: '^apply: failed: ',
    regex: String.raw`^apply: failed: (?:(E_[A-Z_]+): )?(.*)$`,
    order: ['error', 'reason'],
    about: 'an apply that failed or was refused (the previous configuration stays live)',
  },
  {
    name: 'mailctl-audit-failed',
    parent: 'mailctl',
    prematch: '^audit: failed: ',
    regex: String.raw`^audit: failed: (.+)$`,
    order: ['checks'],
    about: 'a mailctl audit on the host with failed checks',
  },
  {
    name: 'mailctl-backup',
    programName: `^${MAILCTL_BACKUP_TAG}$`,
    about: `mailctl backup failures (logged with the tag ${MAILCTL_BACKUP_TAG})`,
  },
  {
    name: 'mailctl-backup-failed',
    parent: 'mailctl-backup',
    prematch: String.raw`^backup failed: `,
    regex: String.raw`^backup failed: unit=(\S+)`,
    order: ['unit'],
    about: 'a backup, WAL archive check or restic run that failed',
  },
];

/** Every decoder mailctl gives the manager, parents before their children. */
export const WAZUH_DECODERS: readonly WazuhDecoder[] = [
  ...DOVECOT,
  ...POSTFIX,
  ...RSPAMD,
  ...SOGO,
  ...FAIL2BAN,
  ...WIREGUARD,
  ...MAILCTL,
];

/**
 * Wazuh's own decoder files that ours replace: a manager takes the first parent whose
 * program name matches, so these must be excluded (`<decoder_exclude>`) for ours to run.
 */
export const REPLACED_DECODER_FILES = [
  'ruleset/decoders/0085-dovecot_decoders.xml',
  'ruleset/decoders/0220-postfix_decoders.xml',
] as const;

function decoderXml(d: WazuhDecoder): string {
  const el = (tag: string, value: string, attrs = ' type="pcre2"') =>
    `  <${tag}${attrs}>${wazuhText(value, `decoder ${d.name} ${tag}`)}</${tag}>`;
  const lines = [xmlComment(d.about), `<decoder name="${d.name}">`];
  if (d.parent) lines.push(`  <parent>${d.parent}</parent>`, '  <use_own_name>true</use_own_name>');
  if (d.programName) lines.push(el('program_name', d.programName));
  if (d.prematch) lines.push(el('prematch', d.prematch));
  if (d.regex) lines.push(el('regex', d.regex));
  if (d.order) lines.push(el('order', d.order.join(', '), ''));
  lines.push('</decoder>');
  return lines.join('\n');
}

/** local_decoder.xml for the manager (pure). */
export function renderLocalDecoders(): string {
  return `${[
    generatedHeader('<!--').replace(/\n$/, ' -->'),
    xmlComment(
      `Copy to the manager's /var/ossec/etc/decoders/ and exclude ${REPLACED_DECODER_FILES.join(' and ')} there (docs/monitoring.md).`,
    ),
    ...WAZUH_DECODERS.map(decoderXml),
  ].join('\n\n')}\n`;
}
