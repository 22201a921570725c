import type { AuditCheck } from './types.js';

/** The code of the last line of an SMTP reply (0 when there was none). */
export function replyCode(reply: string | undefined): number {
  const lines = (reply ?? '').trim().split(/\r?\n/);
  return Number(/^(\d{3})/.exec(lines[lines.length - 1] ?? '')?.[1] ?? 0);
}

const firstLine = (reply: string | undefined) => (reply ?? '').split(/\r?\n/)[0] ?? '';

/** RCPT to a domain the host does not serve, without AUTH: must be refused (pure). */
export function evaluateOpenRelay(rcptReply: string | undefined): AuditCheck {
  const code = replyCode(rcptReply);
  return {
    id: 'open-relay',
    ok: code >= 400 && code < 600,
    detail:
      code === 0
        ? 'no answer to RCPT TO'
        : `RCPT TO an outside domain without AUTH: ${firstLine(rcptReply)}`,
  };
}

/** On 587 before STARTTLS: no AUTH in the EHLO reply, and AUTH itself refused (pure). */
export function evaluateAuthBeforeTls(
  ehloReply: string | undefined,
  authReply: string | undefined,
): AuditCheck {
  const offered = /^250[ -]AUTH\b/m.test(ehloReply ?? '');
  const code = replyCode(authReply);
  return {
    id: 'auth-before-tls',
    ok: replyCode(ehloReply) === 250 && !offered && code >= 500,
    detail: `${offered ? 'AUTH offered before TLS' : 'AUTH not offered before TLS'}; AUTH without TLS answered ${firstLine(authReply) || '(nothing)'}`,
  };
}

/**
 * SMTP smuggling: a message whose content holds a bare-LF end-of-data sequence and a second
 * transaction behind it. The host must never treat the bare sequence as the end (no
 * "queued" or 354 before the real end of data) and must refuse the message (pure).
 */
export function evaluateSmuggling(
  variant: string,
  afterBareEnd: string | undefined,
  atRealEnd: string | undefined,
): AuditCheck {
  const started = /queued|^354 /m.test(`${afterBareEnd ?? ''}`);
  const code = replyCode(atRealEnd);
  return {
    id: `smtp-smuggling-${variant}`,
    ok: !started && code >= 500,
    detail: started
      ? `the bare ${variant} sequence ended the message: a second message could be smuggled`
      : `the bare ${variant} sequence did not end the message; the message was answered ${firstLine(atRealEnd) || '(nothing)'}`,
  };
}

/**
 * STARTTLS command injection (CVE-2011-0411 class): a command pipelined in plaintext right
 * behind STARTTLS must not be answered inside the TLS session. The first reply after the
 * handshake must be the one to our own EHLO (pure).
 */
export function evaluateStarttlsInjection(
  starttlsReply: string | undefined,
  firstReplyInTls: string | undefined,
): AuditCheck {
  const injected = /^250 2\.0\.0 Ok\b/.test(firstLine(firstReplyInTls));
  const ehlo = /^250-/.test(firstLine(firstReplyInTls));
  return {
    id: 'starttls-injection',
    ok: replyCode(starttlsReply) === 220 && !injected && ehlo,
    detail: injected
      ? 'a command sent in plaintext behind STARTTLS was answered inside TLS'
      : `STARTTLS ${firstLine(starttlsReply) || '(no answer)'}; the pipelined command was not carried into TLS`,
  };
}
