import type { MailHostContext } from '../host-context.js';
import { configToken } from '../config-token.js';
import { SOGO_LOG_FILE } from '../sogo/index.js';
import { generatedHeader } from '../types.js';
import { DOVECOT_FAIL2BAN_FILTER } from './dovecot-filter.js';

/** The ports Dovecot's logins come in on: IMAP, POP3 (with and without TLS), ManageSieve. */
const DOVECOT_PORTS = 'imap,imaps,pop3,pop3s,sieve';

export const FAIL2BAN_JAIL_PATH = '/etc/fail2ban/jail.local';
export const FAIL2BAN_SETTINGS_PATH = '/etc/fail2ban/fail2ban.d/mailctl.local';

/** The recidive jail's window and ban: a client banned again and again within a day. */
const RECIDIVE = { findtime: '1d', bantime: '1w', maxretry: 3 } as const;

const LOOPBACK = ['127.0.0.0/8', '::1'];

const networks = (list: readonly string[]) => list.map((n) => configToken(n, 'ignoreip network'));

/**
 * Networks Fail2ban never bans: loopback, the VPN (its members are the administrators and
 * the users' own devices, and WireGuard already proved who each one is), the admin
 * allow-list and the administrator's own addresses, so that a mistyped password cannot
 * lock an administrator out.
 */
export function fail2banIgnoreIp(
  ctx: Pick<MailHostContext, 'vpnSubnet' | 'vpnAddress' | 'adminAllow' | 'fail2ban'>,
): string[] {
  return networks([...LOOPBACK, ctx.vpnSubnet, ...ctx.adminAllow, ...ctx.fail2ban.adminAddresses]);
}

/**
 * What the VPN jails never ban: the same without the VPN. A device on it is a user like any
 * other, and a stolen or lost one must not guess passwords at leisure. The host's own VPN
 * address stays exempt: SOGo logs in to IMAP and submits on 587 from it, so a user whose
 * webmail session still holds an old password would otherwise ban the host from itself,
 * and webmail would stop sending and reading for everyone.
 */
export function fail2banVpnIgnoreIp(
  ctx: Pick<MailHostContext, 'adminAllow' | 'fail2ban' | 'vpnAddress'>,
): string[] {
  return networks([
    ...LOOPBACK,
    `${ctx.vpnAddress}/32`,
    ...ctx.adminAllow,
    ...ctx.fail2ban.adminAddresses,
  ]);
}

/** The VPN jails' own ignoreip and limits (fail2ban.vpn in the cluster file). */
function vpnJailLimits(
  ctx: Pick<MailHostContext, 'adminAllow' | 'fail2ban' | 'vpnAddress'>,
  maxretry = ctx.fail2ban.vpn.maxretry,
): string {
  const v = ctx.fail2ban.vpn;
  return [
    `ignoreip = ${fail2banVpnIgnoreIp(ctx).join(' ')}`,
    `bantime = ${v.bantime}`,
    `findtime = ${v.findtime}`,
    `maxretry = ${maxretry}`,
  ].join('\n');
}

/**
 * The jails, in jail.local: Fail2ban reads it after Debian's jail.conf and jail.d/*.conf,
 * so its values win, and package upgrades never touch it. Every daemon logs to the journal here, so the backend is systemd; only
 * recidive reads Fail2ban's own log file. Bans go into nftables (`banaction = nftables`,
 * its own `inet f2b-table`, beside mailctl's firewall table).
 */
export function renderFail2banJails(
  ctx: Pick<MailHostContext, 'vpnSubnet' | 'vpnAddress' | 'adminAllow' | 'fail2ban'>,
): string {
  const f = ctx.fail2ban;
  return `${generatedHeader()}
[DEFAULT]
ignoreip = ${fail2banIgnoreIp(ctx).join(' ')}
bantime = ${f.bantime}
findtime = ${f.findtime}
maxretry = ${f.maxretry}
backend = systemd
banaction = nftables[type=multiport]
banaction_allports = nftables[type=allports]

# SMTP AUTH failures on submission (587, 465) and on 25, from Postfix's own log line
# "SASL ... authentication failed"; the ban closes every mail port to that client.
[postfix-sasl]
enabled = true
filter = postfix[mode=auth]
port = smtp,465,submission

# IMAP, POP3 and ManageSieve logins (Dovecot 2.4's log lines: filter ${DOVECOT_FAIL2BAN_FILTER}).
# They listen on the VPN side only, which this jail never bans: it is for the day they are
# exposed; dovecot-vpn below is the one that acts today. SMTP AUTH is postfix-sasl's.
[dovecot]
enabled = true
filter = ${DOVECOT_FAIL2BAN_FILTER}
port = ${DOVECOT_PORTS}

# VPN devices are users too: the same logins from a VPN address ban it from these ports
# for a short while (fail2ban.vpn). Its own ignoreip leaves out the VPN.
[dovecot-vpn]
enabled = true
filter = ${DOVECOT_FAIL2BAN_FILTER}
port = ${DOVECOT_PORTS}
${vpnJailLimits(ctx)}

# OpenSSH 10 logs authentication from sshd-session, which Debian's own jail.d misses.
[sshd]
enabled = true
port = ssh
journalmatch = _SYSTEMD_UNIT=ssh.service + _COMM=sshd + _COMM=sshd-session

# nginx writes its own log files rather than the journal, so its jails read those:
# failed HTTP basic authentication, and floods of malformed requests (400).
[nginx-http-auth]
enabled = true
backend = auto
port = http,https
logpath = /var/log/nginx/error.log

[nginx-bad-request]
enabled = true
backend = auto
port = http,https
logpath = /var/log/nginx/access.log

# Refused SOGo logins (web, DAV, ActiveSync), from sogod's own log with the client address
# nginx passes on (filter: the SOGo component's mailctl-sogo). SOGo is served on the VPN
# side only, which is never banned: this jail is for the day it is exposed. A DAV client's
# first request without credentials is one 401 too, hence the extra try.
[mailctl-sogo]
enabled = true
backend = auto
filter = mailctl-sogo
port = http,https
logpath = ${SOGO_LOG_FILE}
maxretry = ${f.maxretry + 1}

# The same refused SOGo logins from a VPN address (fail2ban.vpn), as dovecot-vpn, with
# twice the tries: DAV and ActiveSync clients send many a request without credentials
# first, and each is a 401 in sogod's log.
[mailctl-sogo-vpn]
enabled = true
backend = auto
filter = mailctl-sogo
port = http,https
logpath = ${SOGO_LOG_FILE}
${vpnJailLimits(ctx, 2 * ctx.fail2ban.vpn.maxretry)}

# A client banned ${RECIDIVE.maxretry} times within ${RECIDIVE.findtime} is banned from every port for ${RECIDIVE.bantime}.
[recidive]
enabled = true
backend = auto
logpath = /var/log/fail2ban.log
banaction = %(banaction_allports)s
findtime = ${RECIDIVE.findtime}
bantime = ${RECIDIVE.bantime}
maxretry = ${RECIDIVE.maxretry}
`;
}

/**
 * fail2ban.conf overrides: keep ban history at least as long as the recidive jail looks
 * back and bans (dbpurgeage), so a restart neither forgets a repeat offender nor lifts its ban.
 */
export function renderFail2banSettings(): string {
  return `${generatedHeader()}
[Definition]
dbpurgeage = 8d
`;
}
