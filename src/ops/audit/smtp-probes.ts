import type { MailHostContext } from '../../render/host-context.js';
import {
  evaluateAuthBeforeTls,
  evaluateOpenRelay,
  evaluateSmuggling,
  evaluateStarttlsInjection,
  replyCode,
} from './smtp-checks.js';
import { smtpProbe, type ProbeTarget } from './smtp-dialog.js';
import type { AuditCheck } from './types.js';

const until = /^\d{3} /m;
const line = (s: string) => ({ write: `${s}\r\n`, until });

/** Each probe is bounded; one that cannot connect is a failed check, not a crash. */
async function probe(
  id: string,
  target: ProbeTarget,
  steps: Parameters<typeof smtpProbe>[1],
  judge: (replies: string[]) => AuditCheck,
): Promise<AuditCheck> {
  try {
    return judge(await smtpProbe(target, steps));
  } catch (e) {
    return { id, ok: false, detail: `probe failed: ${(e as Error).message}` };
  }
}

/**
 * The SMTP probes (open relay, AUTH before TLS, STARTTLS injection, smuggling) against one
 * address of the host: 25 and 587 there, in that order, one connection at a time.
 */
export async function smtpProbes(
  ctx: Pick<MailHostContext, 'fqdn' | 'domains'>,
  host: string,
): Promise<AuditCheck[]> {
  const mx = { host, port: 25, servername: ctx.fqdn };
  const submission = { host, port: 587, servername: ctx.fqdn };
  const checks: AuditCheck[] = [];
  checks.push(
    await probe(
      'open-relay',
      mx,
      [
        line('EHLO audit.mailctl.invalid'),
        line('MAIL FROM:<>'),
        line('RCPT TO:<relay-probe@mailctl-audit.example>'),
        line('QUIT'),
      ],
      (r) => evaluateOpenRelay(r[3]),
    ),
  );
  checks.push(
    await probe(
      'auth-before-tls',
      submission,
      // AUTH PLAIN for a user "probe" with a password "probe": never valid, never sent over TLS.
      [line('EHLO audit.mailctl.invalid'), line('AUTH PLAIN AHByb2JlAHByb2Jl'), line('QUIT')],
      (r) => evaluateAuthBeforeTls(r[1], r[2]),
    ),
  );
  checks.push(
    await probe(
      'starttls-injection',
      submission,
      [
        line('EHLO audit.mailctl.invalid'),
        { write: 'STARTTLS\r\nRSET\r\n', until },
        { starttls: true },
        line('EHLO audit.mailctl.invalid'),
        line('QUIT'),
      ],
      (r) => evaluateStarttlsInjection(r[2], r[3]),
    ),
  );
  const rcpt = `postmaster@${ctx.domains[0] ?? ctx.fqdn}`;
  const variants: [string, string][] = [
    ['lf-dot-lf', '\n.\n'],
    ['lf-dot-crlf', '\n.\r\n'],
    ['crlf-dot-lf', '\r\n.\n'],
  ];
  for (const [name, end] of variants) {
    const message = (what: string) =>
      `From: <mailctl-audit@${ctx.fqdn}>\r\nTo: <${rcpt}>\r\nSubject: mailctl audit: SMTP smuggling probe (${what})\r\n\r\n${what}`;
    checks.push(
      await probe(
        `smtp-smuggling-${name}`,
        { ...mx, timeoutMs: 5000 },
        [
          line('EHLO audit.mailctl.invalid'),
          line('MAIL FROM:<>'),
          line(`RCPT TO:<${rcpt}>`),
          line('DATA'),
          {
            write: `${message('carrier')}${end}MAIL FROM:<>\r\nRCPT TO:<${rcpt}>\r\nDATA\r\n`,
            until: /^(354|5\d\d) /m,
          },
          { write: `${message('smuggled')}\r\n.\r\n`, until },
          line('QUIT'),
        ],
        (r) =>
          replyCode(r[4]) !== 354
            ? {
                id: `smtp-smuggling-${name}`,
                ok: false,
                detail: `probe could not start DATA: ${r[4]?.trim()}`,
              }
            : evaluateSmuggling(name, r[5], r[6]),
      ),
    );
  }
  return checks;
}
