import { resolveMx } from 'node:dns/promises';
import { smtpProbe } from '../audit/smtp-dialog.js';
import { ok, warning, type Finding } from './run-checks.js';

/** What one try of port 25 at a domain's MX found. */
export type OutboundAttempt =
  | { kind: 'answered'; mx: string; greeting: string }
  | { kind: 'timeout'; mx: string; ms: number }
  | { kind: 'refused'; mx: string }
  | { kind: 'failed'; mx: string; reason: string }
  | { kind: 'no-mx'; reason: string };

const firstLine = (s: string) => s.split('\r\n')[0]?.trim() ?? '';

/**
 * A blocked port 25 is silent: the provider drops the SYN (Vultr on new accounts), so the
 * connection times out, and Postfix defers every outbound message with "Connection timed
 * out". An MX that answers, even with a refusal, proves the way out is open.
 */
export function assessOutbound(domain: string, a: OutboundAttempt): Finding {
  switch (a.kind) {
    case 'answered':
      return ok(`${a.mx}:25 (MX of ${domain}) answered: ${firstLine(a.greeting)}`);
    case 'refused':
      return ok(`${a.mx}:25 (MX of ${domain}) refused the connection: the way out is open`);
    case 'timeout':
      return warning(
        `outbound port 25 blocked? ${a.mx}:25 (MX of ${domain}) did not answer within ` +
          `${a.ms / 1000} s; the host can receive but not send (Vultr blocks port 25 on new ` +
          'accounts until support unblocks it: docs/install.md)',
      );
    case 'failed':
      return warning(`${a.mx}:25 (MX of ${domain}): ${a.reason}`);
    case 'no-mx':
      return warning(`cannot try outbound port 25: ${a.reason}`);
  }
}

/** An attempt as the timer's last run recorded it (ms since the epoch). */
export interface RecordedOutbound {
  at: number;
  domain: string;
  attempt: OutboundAttempt;
}

/**
 * The recorded attempt, when it found the way out open for this domain no longer than
 * `maxAgeMs` ago: the timer runs every few minutes, and a provider's block does not come
 * and go that fast, while a stranger's MX need not see us every five minutes. A blocked or
 * failed try is never reused: until the way is open, every run tries again.
 */
export function reusableOutbound(
  recorded: RecordedOutbound | undefined,
  domain: string,
  now: number,
  maxAgeMs: number,
): OutboundAttempt | undefined {
  if (!recorded || recorded.domain !== domain || maxAgeMs <= 0) return undefined;
  const age = now - recorded.at;
  if (age < 0 || age > maxAgeMs) return undefined;
  const { kind } = recorded.attempt;
  return kind === 'answered' || kind === 'refused' ? recorded.attempt : undefined;
}

/** Connects to port 25 of the domain's most preferred MX, reads its greeting, says QUIT. */
export async function tryOutboundSmtp(domain: string, timeoutMs: number): Promise<OutboundAttempt> {
  let mx: string | undefined;
  try {
    const records = await resolveMx(domain);
    mx = records.sort((x, y) => x.priority - y.priority)[0]?.exchange;
  } catch (e) {
    return { kind: 'no-mx', reason: `no MX for ${domain} (${(e as Error).message})` };
  }
  // RFC 7505's null MX ("."): the domain takes no mail, so it proves nothing.
  if (!mx) return { kind: 'no-mx', reason: `${domain} has a null MX` };
  try {
    const [greeting = ''] = await smtpProbe({ host: mx, port: 25, servername: mx, timeoutMs }, [
      { write: 'QUIT\r\n', until: /^\d{3} /m },
    ]);
    return greeting
      ? { kind: 'answered', mx, greeting }
      : { kind: 'failed', mx, reason: `connected, but no greeting within ${timeoutMs / 1000} s` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ECONNREFUSED') return { kind: 'refused', mx };
    // smtpProbe gives up on a connection after timeoutMs; the kernel's own limit is ETIMEDOUT.
    if (err.code === 'ETIMEDOUT' || /within \d+ ms/.test(err.message))
      return { kind: 'timeout', mx, ms: timeoutMs };
    return { kind: 'failed', mx, reason: err.code ?? err.message };
  }
}
