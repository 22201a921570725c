import type { MailHostContext } from '../host-context.js';
import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

const LOCAL_D = '/etc/rspamd/local.d';

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
    ['worker-controller.inc', `${h}bind_socket = "127.0.0.1:11334";\n`],
    [
      'actions.conf',
      `${h}reject = ${ctx.spam.rejectScore};\nadd_header = ${ctx.spam.addHeaderScore};\ngreylist = ${ctx.spam.greylistScore};\n`,
    ],
    ['redis.conf', `${h}servers = "127.0.0.1:6379";\n`],
    [
      'dkim_signing.conf',
      `${h}# Sign mail from authenticated users and local submissions, with the key of the
# From: header's domain; keys are made on the host by apply (rspamadm dkim_keygen).
enabled = true;
sign_authenticated = true;
sign_local = true;
use_domain = "header";
allow_username_mismatch = true;
selector = "mail";
path = "/var/lib/rspamd/dkim/$domain.$selector.key";
domain {
${ctx.domains.map((d) => `  ${d} {\n    selector = "mail";\n    path = "/var/lib/rspamd/dkim/${d}.mail.key";\n  }`).join('\n')}
}
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
    // In the lab and on small hosts there is no resolver for DNS blocklists to use; the
    // defaults stay, but a failing lookup must not hold mail.
    ['options.inc', `${h}dns {\n  timeout = 2s;\n  retransmits = 2;\n}\n`],
  ];
  return files.map(([name, content]) => ({
    path: `${LOCAL_D}/${name}`,
    content,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'rspamd',
  }));
}

export const rspamdComponent: ComponentDescriptor = {
  name: 'rspamd',
  packages: ['rspamd', 'redis-server'],
  units: ['redis-server.service', 'rspamd.service'],
  onChange: 'reload',
  check: ['rspamadm', 'configtest'],
  readyPorts: ['127.0.0.1:11332', '127.0.0.1:11334'],
};
