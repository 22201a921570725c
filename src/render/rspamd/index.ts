import { secretRef, secretRefsIn, type MailHostContext } from '../host-context.js';
import { REDIS_ENDPOINT, REDIS_PASSWORD_SECRET } from '../redis/index.js';
import { UNBOUND_ADDRESS, UNBOUND_PORT } from '../unbound/index.js';
import { tuningFor } from '../tuning.js';
import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';
import { renderAntivirusConf } from './antivirus.js';
import { DKIM_SIGNING_MAP } from './dkim-signing.js';
import { renderDmarcRejectRule } from './dmarc.js';
import { OWN_DOMAIN_CHECK_PATH, renderOwnDomainCheck } from './own-domain-check.js';
import { SENDER_CHECK_PATH, SENDER_CHECK_SYMBOL, renderSenderCheck } from './sender-check.js';
import {
  BLOCKED_SENDER_SYMBOL,
  BLOCKED_SENDER_WEIGHT,
  USER_SETTINGS_MAP,
} from './user-settings.js';

const LOCAL_D = '/etc/rspamd/local.d';

/** The Rspamd web interface's password, readable by root on the host only. */
export const RSPAMD_CONTROLLER_PASSWORD_SECRET = 'rspamd-controller-password';

/** Rspamd 3.12 as Postfix's milter: spam actions, DKIM signing of outbound mail, Redis. */
export function renderRspamd(ctx: MailHostContext): RenderedFile[] {
  const h = generatedHeader();
  const files: [string, string][] = [
    // The proxy worker speaks the milter protocol to Postfix (smtpd_milters) on loopback only.
    [
      'worker-proxy.inc',
      `${h}milter = yes;\nbind_socket = "127.0.0.1:11332";\ntimeout = 120s;\nupstream "local" {\n  default = yes;\n  self_scan = yes;\n}\n`,
    ],
    // The web controller stays on loopback; nginx (on the VPN side) fronts it later.
    // Nginx fronts the controller on the VPN side with the client's address in X-Real-IP, so
    // only loopback itself counts as secure_ip; everyone else needs this password (a
    // secret made on the host), and the same one for the commands that change things.
    [
      'worker-controller.inc',
      `${h}bind_socket = "127.0.0.1:11334";\nsecure_ip = "127.0.0.1";\n` +
        `password = "${secretRef(RSPAMD_CONTROLLER_PASSWORD_SECRET)}";\n` +
        `enable_password = "${secretRef(RSPAMD_CONTROLLER_PASSWORD_SECRET)}";\n`,
    ],
    // The scanners: their count from hosts[].size (src/render/tuning.ts), not the CPUs
    // Rspamd sees, which in a container are the machine's.
    ['worker-normal.inc', `${h}count = ${tuningFor(ctx.size).rspamdNormalWorkers};\n`],
    [
      'actions.conf',
      `${h}reject = ${ctx.spam.rejectScore};\nadd_header = ${ctx.spam.addHeaderScore};\ngreylist = ${ctx.spam.greylistScore};\n`,
    ],
    // Every module that keeps state here (greylisting, rate limits, Bayes, the controller's
    // history) uses this server, with the password Redis requires (its requirepass).
    [
      'redis.conf',
      `${h}servers = "${REDIS_ENDPOINT}";\npassword = "${secretRef(REDIS_PASSWORD_SECRET)}";\n`,
    ],
    [
      'dkim_signing.conf',
      `${h}# Sign mail from logged-in users only, with the key of the From: header's domain; keys
# are made on the host by apply (rspamadm dkim_keygen). Nothing is signed for a local
# process (sign_local: sendmail, loopback) or without an envelope sender, and the header
# From: domain must be the envelope sender's, which Postfix holds to the login's own
# addresses (smtpd_sender_login_maps): its own, an alias that delivers to it alone, and
# what the cluster file grants it (send_as). So a From: domain is signed only for a login
# that owns or is granted that address. The login's own domain may differ (an alias or a
# grant in another hosted domain): the ${SENDER_CHECK_SYMBOL} prefilter
# (lua.local.d) has refused every From: the login does not own before anything is signed.
enabled = true;
sign_authenticated = true;
sign_local = false;
sign_inbound = false;
use_domain = "header";
allow_hdrfrom_mismatch = false;
allow_hdrfrom_multiple = false;
allow_envfrom_empty = false;
allow_username_mismatch = true;
selector = "mail";
# Which domains are signed, and with which key, follows the domains table: mailctl writes
# this map after every domain change and on every apply, and Rspamd re-reads it by itself.
# A domain missing from it is not signed (try_fallback = false: no key is guessed from the
# default path). A map keyed by domain rather than signing_table/key_table, which are
# looked up before, and instead of, the use_domain and username checks above.
path_map = "file://${DKIM_SIGNING_MAP}";
try_fallback = false;
`,
    ],
    [
      'milter_headers.conf',
      `${h}use = ["authentication-results", "x-spamd-result", "x-spam-status"];\nauthenticated_headers = ["authentication-results"];\n`,
    ],
    // Rspamd's ratelimit `user` bucket, keyed by the SASL login Postfix passes to the
    // milter ({auth_authen} in milter_mail_macros) and counted in Redis. A leaky bucket:
    // `burst` messages at once, refilled at `rate`. Over it, Rspamd's action is "soft
    // reject", which Postfix turns into a 4xx: the client keeps the mail and retries later.
    // Postfix's own smtpd_client_* limits count per client address, not per user.
    [
      'ratelimit.conf',
      `${h}rates {\n  user = {\n    bucket = {\n      burst = ${ctx.submissionLimit.burst};\n      rate = "${ctx.submissionLimit.perHour} / 1h";\n    }\n  }\n}\n`,
    ],
    // The host's own validating resolver (unbound), not resolv.conf's: DNS blocklists
    // refuse queries from public resolvers. A failing lookup must not hold mail.
    [
      'options.inc',
      `${h}dns {\n  nameserver = ["${UNBOUND_ADDRESS}:${UNBOUND_PORT}"];\n  timeout = 2s;\n  retransmits = 2;\n}\n`,
    ],
    // The score behind the per-user block lists of the settings map below.
    [
      'groups.conf',
      `${h}group "mailctl" {\n  symbols {\n    "${BLOCKED_SENDER_SYMBOL}" {\n      weight = ${BLOCKED_SENDER_WEIGHT}.0;\n      description = "Sender is on the recipient's block list";\n    }\n  }\n}\n`,
    ],
    // The sender domain's published DMARC policy is applied, not only scored: p=reject
    // fails the message at the end of DATA (5xx), p=quarantine marks it as spam (the
    // add_header action: X-Spam: Yes, which the global Sieve script files into Junk),
    // p=none only adds DMARC_POLICY_SOFTFAIL's score. A pct below 100 samples as the
    // module does (a sampled-out reject is quarantined).
    ['dmarc.conf', `${h}actions {\n  reject = "reject";\n  quarantine = "add_header";\n}\n`],
    // The dmarc module's own reject carries no reason, so the milter would answer the
    // generic "Spam message rejected"; this rule gives the sender the reason.
    ['force_actions.conf', renderDmarcRejectRule()],
    [SENDER_CHECK_PATH, renderSenderCheck()],
    // mail.antivirus: clamav. Without it the file is not rendered, and apply removes it.
    ...(ctx.antivirus
      ? [['antivirus.conf', renderAntivirusConf()] satisfies [string, string]]
      : []),
    [OWN_DOMAIN_CHECK_PATH, renderOwnDomainCheck()],
    // Per-user settings (thresholds, allow and block lists) live in PostgreSQL; mailctl
    // writes them to a file map that the settings module re-reads on change. A map must be
    // named at the top level (`settings = "<map>"`), which only rspamd.conf.override can do.
    ['/etc/rspamd/rspamd.conf.override', `${h}settings = "file://${USER_SETTINGS_MAP}";\n`],
  ];
  return files.map(([name, content]) => {
    const secret = secretRefsIn(content).length > 0;
    return {
      path: name.startsWith('/') ? name : `${LOCAL_D}/${name}`,
      content,
      mode: secret ? 0o640 : 0o644,
      owner: 'root',
      group: secret ? '_rspamd' : 'root',
      component: 'rspamd',
    };
  });
}

/**
 * Lines of `rspamadm configtest` about resolving the fuzzy-hash servers, which a host or
 * namespace without DNS prints: they say nothing about the files.
 */
export const RSPAMD_NO_NETWORK =
  /resolv\.conf|address resolution for |cannot read servers definition/;

/**
 * `rspamadm configtest`, failing on any warning as well as on an error: it only warns about
 * an unknown setting ("unknown element in actions section: rejectt") and exits 0, so a
 * misspelt threshold would go live and be ignored. Only the network lines above pass.
 */
export const RSPAMD_CHECK_SCRIPT =
  'w=$(rspamadm configtest 2>&1 >/dev/null) || { printf "%s\\n" "$w" >&2; exit 1; }; ' +
  `w=$(printf "%s\\n" "$w" | grep -Ev '${RSPAMD_NO_NETWORK.source}'); ` +
  '[ -z "$w" ] || { printf "%s\\n" "$w" >&2; exit 1; }';

export const rspamdComponent: ComponentDescriptor = {
  name: 'rspamd',
  packages: ['rspamd'],
  units: ['rspamd.service'],
  onChange: 'reload',
  check: ['sh', '-c', RSPAMD_CHECK_SCRIPT],
  readyPorts: ['127.0.0.1:11332', '127.0.0.1:11334'],
};
