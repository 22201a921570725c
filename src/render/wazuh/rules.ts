import { HEALTH_LOG } from '../health/health-timer.js';
import { generatedHeader } from '../types.js';
import { MAILCTL_BACKUP_TAG } from './decoders.js';
import { wazuhText, xmlComment } from './xml.js';

/** A burst: `count` events within `seconds` (a Wazuh frequency rule's frequency and timeframe). */
export interface Burst {
  count: number;
  seconds: number;
}

/** The thresholds the frequency rules carry (monitoring.wazuh.thresholds in the cluster file). */
export interface WazuhThresholds {
  /** Failed logins from one address, over IMAP, POP3, SMTP AUTH and SOGo together. */
  authFailures: Burst;
  /** Failed logins as one user, from any addresses (password spraying, a stale client). */
  userAuthFailures: Burst;
  /** Relaying refused to one address. */
  relayDenied: Burst;
  /** Fail2ban bans, all jails together (a ban storm). */
  bans: Burst;
  /** Deliveries deferred (a stuck queue, a destination that refuses us). */
  deferred: Burst;
}

export const DEFAULT_WAZUH_THRESHOLDS: WazuhThresholds = {
  authFailures: { count: 8, seconds: 120 },
  userAuthFailures: { count: 20, seconds: 600 },
  relayDenied: { count: 5, seconds: 600 },
  bans: { count: 10, seconds: 600 },
  deferred: { count: 50, seconds: 900 },
};

export { HEALTH_LOG };

/** The group every failed login rule carries; the burst rules count it across services. */
const AUTH_FAILURE_GROUP = 'mailctl_auth_failure';

export interface WazuhRule {
  id: number;
  level: number;
  /** The decoder (use_own_name) whose events this rule is about. */
  decodedAs?: string;
  ifSid?: number;
  location?: string;
  /** Dynamic fields (PCRE2) the event must have. */
  fields?: Record<string, string>;
  /** A frequency rule: `burst.count` events of the group or rule within `burst.seconds`. */
  burst?: Burst & { ofGroup?: string; ofSid?: number; same?: 'source_ip' | 'user' };
  description: string;
  groups: readonly string[];
  /** MITRE ATT&CK technique ids. */
  mitre?: readonly string[];
}

/**
 * Ids 100000 and up are the range Wazuh leaves to local rules: 1001xx Dovecot, 1002xx
 * Postfix, 1003xx Rspamd, 1004xx SOGo, 1005xx Fail2ban, 1006xx WireGuard, 1007xx mailctl,
 * 1009xx the bursts across services.
 */
export function wazuhRules(t: WazuhThresholds = DEFAULT_WAZUH_THRESHOLDS): WazuhRule[] {
  const authFailed = ['authentication_failed', AUTH_FAILURE_GROUP];
  return [
    {
      id: 100100,
      level: 3,
      decodedAs: 'dovecot-logged-in',
      description: 'Dovecot: $(user) logged in over $(protocol) from $(srcip)',
      groups: ['authentication_success'],
    },
    {
      id: 100101,
      level: 5,
      decodedAs: 'dovecot-login-failed',
      description: 'Dovecot: $(protocol) login as $(user) from $(srcip) failed',
      groups: authFailed,
      mitre: ['T1110'],
    },
    {
      id: 100102,
      level: 0,
      decodedAs: 'dovecot-login-aborted',
      description: 'Dovecot: $(protocol) client $(srcip) left before logging in ($(reason))',
      groups: ['connection_attempt'],
    },
    {
      id: 100200,
      level: 5,
      decodedAs: 'postfix-sasl-failed',
      description: 'Postfix: SMTP AUTH ($(mechanism)) from $(srcip) failed',
      groups: authFailed,
      mitre: ['T1110'],
    },
    {
      id: 100201,
      level: 5,
      decodedAs: 'postfix-relay-denied',
      description: 'Postfix: $(srcip) tried to relay to $(dstuser)',
      groups: ['spam', 'access_denied'],
    },
    {
      id: 100202,
      level: 3,
      decodedAs: 'postfix-reject',
      description: 'Postfix: $(stage) from $(srcip) refused with $(status) $(dsn): $(reason)',
      groups: ['access_denied'],
    },
    {
      id: 100203,
      level: 4,
      decodedAs: 'postfix-milter-reject',
      description: 'Postfix: message from $(srcip) refused by Rspamd: $(reason)',
      groups: ['spam'],
    },
    {
      id: 100204,
      level: 3,
      decodedAs: 'postfix-bounced',
      description: 'Postfix: message $(id) to $(dstuser) bounced: $(reason)',
      groups: ['mail_bounce'],
    },
    {
      id: 100205,
      level: 2,
      decodedAs: 'postfix-deferred',
      description: 'Postfix: delivery of $(id) to $(dstuser) deferred: $(reason)',
      groups: ['mail_deferred'],
    },
    {
      id: 100210,
      level: 8,
      burst: { ...t.relayDenied, ofSid: 100201, same: 'source_ip' },
      description: `Postfix: ${t.relayDenied.count} relay attempts from $(srcip) within ${t.relayDenied.seconds} s`,
      groups: ['spam', 'access_denied'],
      mitre: ['T1071.003'],
    },
    {
      id: 100211,
      level: 7,
      burst: { ...t.deferred, ofSid: 100205 },
      description: `Postfix: ${t.deferred.count} deliveries deferred within ${t.deferred.seconds} s (is the queue stuck?)`,
      groups: ['mail_deferred'],
    },
    {
      id: 100300,
      level: 4,
      decodedAs: 'rspamd-action',
      fields: { rspamd_action: '^reject$' },
      description: 'Rspamd: message from $(srcip) rejected (score $(score))',
      groups: ['spam'],
    },
    {
      id: 100301,
      level: 2,
      decodedAs: 'rspamd-action',
      fields: { rspamd_action: '^(?:add header|rewrite subject)$' },
      description: 'Rspamd: message from $(srcip) marked as spam (score $(score))',
      groups: ['spam'],
    },
    {
      id: 100302,
      level: 2,
      decodedAs: 'rspamd-action',
      fields: { rspamd_action: '^soft reject$' },
      description:
        'Rspamd: message from $(srcip) deferred (soft reject, rate limit or greylisting)',
      groups: ['spam'],
    },
    {
      id: 100400,
      level: 5,
      decodedAs: 'sogo-login-failed',
      description: 'SOGo: web login as $(user) from $(srcip) failed',
      groups: authFailed,
      mitre: ['T1110'],
    },
    {
      // A DAV or ActiveSync client's first request has no credentials and gets a 401 too,
      // so a single one is no failure; the burst rules leave it out.
      id: 100401,
      level: 2,
      decodedAs: 'sogo-dav-unauthorized',
      description: 'SOGo: $(method) $(url) from $(srcip) unauthorized',
      groups: ['authentication_failed'],
    },
    {
      id: 100500,
      level: 6,
      decodedAs: 'fail2ban-ban',
      description: 'Fail2ban: $(srcip) banned by jail $(jail)',
      groups: ['fail2ban', 'active_response'],
    },
    {
      id: 100501,
      level: 0,
      decodedAs: 'fail2ban-unban',
      description: 'Fail2ban: $(srcip) unbanned by jail $(jail)',
      groups: ['fail2ban'],
    },
    {
      id: 100510,
      level: 10,
      burst: { ...t.bans, ofSid: 100500 },
      description: `Fail2ban: ${t.bans.count} bans within ${t.bans.seconds} s (a ban storm)`,
      groups: ['fail2ban', 'attack'],
      mitre: ['T1110'],
    },
    {
      id: 100600,
      level: 3,
      decodedAs: 'wg-quick-up',
      description: 'WireGuard: VPN interface $(interface) is up',
      groups: ['wireguard'],
    },
    {
      id: 100601,
      level: 8,
      decodedAs: 'wg-quick-down',
      description:
        'WireGuard: VPN interface $(interface) went down (IMAP, SOGo and SSH unreachable)',
      groups: ['wireguard', 'service_availability'],
    },
    {
      id: 100700,
      level: 10,
      decodedAs: 'mailctl-backup-failed',
      description: `mailctl: backup unit $(unit) failed (tag ${MAILCTL_BACKUP_TAG})`,
      groups: ['mailctl', 'backup_failure'],
    },
    {
      id: 100710,
      level: 0,
      location: HEALTH_LOG,
      decodedAs: 'json',
      description: 'mailctl health: one run',
      groups: ['mailctl', 'health'],
    },
    {
      id: 100711,
      level: 7,
      ifSid: 100710,
      fields: { status: '^warning$' },
      description: 'mailctl health: warning',
      groups: ['mailctl', 'health'],
    },
    {
      id: 100712,
      level: 10,
      ifSid: 100710,
      fields: { status: '^critical$' },
      description: 'mailctl health: critical',
      groups: ['mailctl', 'health', 'service_availability'],
    },
    {
      id: 100720,
      level: 3,
      decodedAs: 'mailctl-apply-changed',
      description: 'mailctl: apply changed $(files) file(s) and $(host_changes) host change(s)',
      groups: ['mailctl', 'config_changed'],
    },
    {
      id: 100721,
      level: 8,
      decodedAs: 'mailctl-apply-failed',
      description: 'mailctl: apply failed: $(error) $(reason)',
      groups: ['mailctl'],
    },
    {
      id: 100730,
      level: 8,
      decodedAs: 'mailctl-audit-failed',
      description: 'mailctl: the audit found problems: $(checks)',
      groups: ['mailctl', 'audit_failure'],
    },
    {
      id: 100900,
      level: 10,
      burst: { ...t.authFailures, ofGroup: AUTH_FAILURE_GROUP, same: 'source_ip' },
      description: `Mail: ${t.authFailures.count} failed logins from $(srcip) within ${t.authFailures.seconds} s (brute force)`,
      groups: ['authentication_failures', 'attack'],
      mitre: ['T1110'],
    },
    {
      id: 100901,
      level: 10,
      burst: { ...t.userAuthFailures, ofGroup: AUTH_FAILURE_GROUP, same: 'user' },
      description: `Mail: ${t.userAuthFailures.count} failed logins as $(user) within ${t.userAuthFailures.seconds} s`,
      groups: ['authentication_failures', 'attack'],
      mitre: ['T1110.003'],
    },
  ];
}

function ruleXml(r: WazuhRule): string {
  const text = (v: string) => wazuhText(v, `rule ${r.id}`);
  const freq = r.burst ? ` frequency="${r.burst.count}" timeframe="${r.burst.seconds}"` : '';
  const lines = [`  <rule id="${r.id}" level="${r.level}"${freq}>`];
  if (r.decodedAs) lines.push(`    <decoded_as>${r.decodedAs}</decoded_as>`);
  if (r.ifSid) lines.push(`    <if_sid>${r.ifSid}</if_sid>`);
  if (r.burst?.ofSid) lines.push(`    <if_matched_sid>${r.burst.ofSid}</if_matched_sid>`);
  if (r.burst?.ofGroup) lines.push(`    <if_matched_group>${r.burst.ofGroup}</if_matched_group>`);
  if (r.burst?.same) lines.push(`    <same_${r.burst.same} />`);
  if (r.location) lines.push(`    <location>${text(r.location)}</location>`);
  for (const [name, value] of Object.entries(r.fields ?? {}))
    lines.push(`    <field name="${name}" type="pcre2">${text(value)}</field>`);
  lines.push(`    <description>${text(r.description)}</description>`);
  if (r.mitre?.length)
    lines.push(`    <mitre>`, ...r.mitre.map((m) => `      <id>${m}</id>`), `    </mitre>`);
  lines.push(`    <group>${r.groups.join(',')},</group>`, '  </rule>');
  return lines.join('\n');
}

/** local_rules.xml for the manager (pure): one group, so the file has one root element. */
export function renderLocalRules(t: WazuhThresholds = DEFAULT_WAZUH_THRESHOLDS): string {
  return `${[
    generatedHeader('<!--').replace(/\n$/, ' -->'),
    xmlComment(
      "Copy to the manager's /var/ossec/etc/rules/ with local_decoder.xml (docs/monitoring.md).",
    ),
    '<group name="mailctl,mail,">',
    wazuhRules(t).map(ruleXml).join('\n\n'),
    '</group>',
  ].join('\n')}\n`;
}
