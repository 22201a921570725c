import { smtpProbe, type ProbeStep, type ProbeTarget } from '../audit/smtp-dialog.js';
import { critical, ok, type Finding } from './run-checks.js';

const crlf = (line: string) => `${line}\r\n`;
const SMTP_REPLY_END = /^\d{3} /m;
const first = (reply: string | undefined) => (reply ?? '').split('\r\n')[0]?.trim() ?? '';
const lastLine = (reply: string | undefined) =>
  (reply ?? '').trimEnd().split('\r\n').pop()?.trim() ?? '';

/**
 * SMTP on one port: the 220 banner, EHLO, and (25 and 587) STARTTLS offered and completed,
 * then EHLO again inside TLS. Implicit TLS (465) is a handshake before the banner. No MAIL
 * FROM: the probe never queues anything.
 */
export async function smtpCheck(target: ProbeTarget, helo: string): Promise<Finding> {
  const ehlo = { write: crlf(`EHLO ${helo}`), until: SMTP_REPLY_END };
  const steps: ProbeStep[] = target.tls
    ? [ehlo, { write: crlf('QUIT'), until: SMTP_REPLY_END }]
    : [
        ehlo,
        { write: crlf('STARTTLS'), until: SMTP_REPLY_END },
        { starttls: true },
        ehlo,
        { write: crlf('QUIT'), until: SMTP_REPLY_END },
      ];
  const [banner, hello, starttls, again] = await smtpProbe(target, steps);
  if (!banner?.startsWith('220')) return critical(`no 220 banner: ${first(banner) || 'nothing'}`);
  if (!/^250[ -]/m.test(hello ?? '')) return critical(`EHLO refused: ${lastLine(hello)}`);
  if (target.tls) return ok(`${first(banner)} (implicit TLS)`);
  if (!/^250[ -]STARTTLS/m.test(hello ?? '')) return critical('STARTTLS is not offered');
  if (!starttls?.startsWith('220')) return critical(`STARTTLS refused: ${lastLine(starttls)}`);
  if (!/^250[ -]/m.test(again ?? '')) return critical('no EHLO reply inside TLS');
  return ok(`${first(banner)}, STARTTLS ok`);
}

/**
 * Dovecot's LMTP, as Postfix reaches it (its socket in the queue's private/ directory):
 * LHLO, and RCPT of the probe mailbox, which Dovecot answers only after a userdb lookup in
 * PostgreSQL. RSET before DATA: nothing is delivered.
 */
export async function lmtpCheck(socket: string, helo: string, probe: string): Promise<Finding> {
  const step = (line: string) => ({ write: crlf(line), until: SMTP_REPLY_END });
  const [banner, hello, , rcpt] = await smtpProbe(
    { host: '', port: 0, path: socket, servername: helo, timeoutMs: 8_000 },
    [
      step(`LHLO ${helo}`),
      step('MAIL FROM:<>'),
      step(`RCPT TO:<${probe}>`),
      step('RSET'),
      step('QUIT'),
    ],
  );
  if (!banner?.startsWith('220')) return critical(`no 220 banner: ${first(banner) || 'nothing'}`);
  if (!/^250 /m.test(hello ?? '')) return critical(`LHLO refused: ${lastLine(hello)}`);
  if (!rcpt?.startsWith('250')) return critical(`RCPT of ${probe} refused: ${lastLine(rcpt)}`);
  return ok(`${first(banner)}; RCPT of the probe mailbox accepted`);
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** IMAP over implicit TLS: a real login as the probe mailbox, and SELECT of its INBOX. */
export async function imapCheck(
  target: ProbeTarget,
  user: string,
  password: string,
): Promise<Finding> {
  const [greeting, login, select] = await smtpProbe({ ...target, greeting: /^\* (OK|BYE)/m }, [
    { write: crlf(`a1 LOGIN ${quote(user)} ${quote(password)}`), until: /^a1 /m },
    { write: crlf('a2 SELECT INBOX'), until: /^a2 /m },
    { write: crlf('a3 LOGOUT'), until: /^a3 /m },
  ]);
  if (!greeting?.startsWith('* OK'))
    return critical(`no greeting: ${first(greeting) || 'nothing'}`);
  if (!/^a1 OK/m.test(login ?? '')) return critical(`login refused: ${lastLine(login)}`);
  if (!/^a2 OK/m.test(select ?? '')) return critical(`SELECT INBOX failed: ${lastLine(select)}`);
  return ok(`login as ${user} and SELECT INBOX ok`);
}

/** POP3 over implicit TLS: a real login as the probe mailbox, and STAT. */
export async function pop3Check(
  target: ProbeTarget,
  user: string,
  password: string,
): Promise<Finding> {
  const line = /^[+-]/m;
  const [greeting, , pass, stat] = await smtpProbe({ ...target, greeting: line }, [
    { write: crlf(`USER ${user}`), until: line },
    { write: crlf(`PASS ${password}`), until: line },
    { write: crlf('STAT'), until: line },
    { write: crlf('QUIT'), until: line },
  ]);
  if (!greeting?.startsWith('+OK')) return critical(`no greeting: ${first(greeting) || 'nothing'}`);
  if (!pass?.startsWith('+OK')) return critical(`login refused: ${first(pass)}`);
  if (!stat?.startsWith('+OK')) return critical(`STAT failed: ${first(stat)}`);
  return ok(`login as ${user} and STAT ok`);
}
