import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { labRun } from './cli.js';
import { PUBLIC } from './lab-world.js';
import type { DialogRequest, DialogResult, Step } from './net-client.js';

const CLIENT = resolve(import.meta.dirname, 'net-client.ts');
const TSX = resolve(import.meta.dirname, '../../../node_modules/tsx/dist/esm/index.mjs');

/** The lab's internet or VPN client namespace, or the lab host's own (its loopback). */
export type Side = 'internet' | 'vpn' | 'host';

/** Runs one protocol dialogue from inside one of a lab's network namespaces. */
export function dialogFrom(lab: string, side: Side, req: DialogRequest): DialogResult {
  const ns = `mailctl-${lab}-${side === 'internet' ? 'inet' : side}`;
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, 'node', '--import', TSX, CLIENT, JSON.stringify(req)],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (r.status !== 0) throw new Error(`net-client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as DialogResult;
}

const SMTP_REPLY = '^\\d{3} ';
/** The three-digit code of the last line of an SMTP reply. */
export const smtpCode = (reply: string | undefined): number => {
  const lines = (reply ?? '').trim().split('\r\n');
  return Number(/^(\d{3})/.exec(lines[lines.length - 1] ?? '')?.[1] ?? 0);
};

export interface SmtpSend {
  host: string;
  port: number;
  /** 'implicit' (465), 'starttls' (587, or opportunistic on 25), or 'none'. */
  tls: 'implicit' | 'starttls' | 'none';
  auth?: { user: string; pass: string };
  from: string;
  to: string[];
  /** The message (headers and body, CRLF line ends); dot-stuffing is the caller's business. */
  data: string;
}

export interface SmtpOutcome {
  result: DialogResult;
  /** The reply code of each command, by name: ehlo, auth, mail, rcpt (one per recipient), data, end. */
  codes: { ehlo: number; auth?: number; mail: number; rcpt: number[]; data?: number; end?: number };
  ehlo: string;
}

/** A message from the outside world (example.org) to the MX on port 25, as another MTA sends it. */
export const smtpFromInternet = (lab: string, to: string, data: string): SmtpOutcome =>
  smtpSend(lab, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'none',
    from: 'someone@example.org',
    to: [to],
    data,
  });

/** One SMTP transaction, stopping where the server refuses. */
export function smtpSend(lab: string, side: Side, m: SmtpSend): SmtpOutcome {
  const steps: Step[] = [{ send: 'EHLO client.example.org', until: SMTP_REPLY }];
  if (m.tls === 'starttls') {
    steps.push(
      { send: 'STARTTLS', until: SMTP_REPLY },
      { starttls: true },
      { send: 'EHLO client.example.org', until: SMTP_REPLY },
    );
  }
  if (m.auth) {
    const token = Buffer.from(`\0${m.auth.user}\0${m.auth.pass}`).toString('base64');
    steps.push({ send: `AUTH PLAIN ${token}`, until: SMTP_REPLY, expect: '^235' });
  }
  // SIZE= as every MTA sends it (RFC 1870): it lets the server refuse an oversized or
  // over-quota message at RCPT time.
  const size = Buffer.byteLength(m.data);
  steps.push({ send: `MAIL FROM:<${m.from}> SIZE=${size}`, until: SMTP_REPLY, expect: '^250' });
  for (const rcpt of m.to)
    steps.push({ send: `RCPT TO:<${rcpt}>`, until: SMTP_REPLY, expect: '^25' });
  steps.push({ send: 'DATA', until: SMTP_REPLY, expect: '^354' });
  steps.push({
    raw: `${m.data.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n')}.\r\n`,
    until: SMTP_REPLY,
  });
  steps.push({ send: 'QUIT', until: SMTP_REPLY });
  const result = dialogFrom(lab, side, {
    host: m.host,
    port: m.port,
    tls: m.tls === 'implicit',
    steps,
  });
  const r = result.replies;
  let i = 0;
  const next = () => r[i++];
  const ehloReply = next() ?? '';
  let ehlo = ehloReply;
  if (m.tls === 'starttls') {
    next();
    next();
    ehlo = next() ?? '';
  }
  const codes: SmtpOutcome['codes'] = { ehlo: smtpCode(ehloReply), mail: 0, rcpt: [] };
  if (m.auth) codes.auth = smtpCode(next());
  codes.mail = smtpCode(next());
  for (let k = 0; k < m.to.length; k++) codes.rcpt.push(smtpCode(next()));
  codes.data = smtpCode(next());
  codes.end = smtpCode(next());
  return { result, codes, ehlo };
}

/** A message with a unique subject so that it can be found again; CRLF line ends. */
export function testMessage(
  from: string,
  to: string,
  tag: string,
  body = 'Hello from the mailctl tests.',
): string {
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: mailctl test ${tag}`,
    `Message-ID: <${tag}@client.example.org>`,
    'Date: Tue, 24 Nov 2026 12:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const imapQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export interface ImapOutcome {
  result: DialogResult;
  loginOk: boolean;
  /** Every message in the folder, exactly as the server returned it. */
  messages: string[];
}

/** Logs in over IMAP (993 by default) and fetches every message of a folder byte for byte. */
export function imapFetchAll(
  lab: string,
  side: Side,
  host: string,
  user: string,
  pass: string,
  port = 993,
  folder = 'INBOX',
): ImapOutcome {
  const result = dialogFrom(lab, side, {
    host,
    port,
    tls: port === 993,
    steps: [
      { send: `a1 LOGIN ${imapQuote(user)} ${imapQuote(pass)}`, until: '^a1 ' },
      { send: `a2 SELECT ${imapQuote(folder)}`, until: '^a2 ' },
      { send: 'a3 FETCH 1:* (BODY.PEEK[])', until: '^a3 ' },
      { send: 'a4 LOGOUT', until: '^a4 ' },
    ],
  });
  const loginOk = /^a1 OK/m.test(result.replies[0] ?? '');
  return { result, loginOk, messages: loginOk ? parseLiterals(result.replies[2] ?? '') : [] };
}

/** The IMAP literals ({n}\r\n + n bytes) of a FETCH response; latin1 keeps bytes as they were. */
export function parseLiterals(text: string): string[] {
  const out: string[] = [];
  const re = /\{(\d+)\}\r\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const len = Number(m[1]);
    out.push(text.slice(re.lastIndex, re.lastIndex + len));
    re.lastIndex += len;
  }
  return out;
}

/** Logs in over POP3 (995 by default) and retrieves every message. */
export function pop3FetchAll(
  lab: string,
  side: Side,
  host: string,
  user: string,
  pass: string,
  port = 995,
) {
  const result = dialogFrom(lab, side, {
    host,
    port,
    tls: port === 995,
    steps: [
      { send: `USER ${user}`, until: '^[+-]' },
      { send: `PASS ${pass}`, until: '^[+-]' },
      { send: 'RETR 1', until: '^\\.\\r$|^-ERR' },
      { send: 'QUIT', until: '^[+-]' },
    ],
  });
  return {
    result,
    loginOk: (result.replies[1] ?? '').startsWith('+OK'),
    first: result.replies[2] ?? '',
  };
}

/** One message in Postfix's queue, as `postqueue -j` prints it. */
export interface QueuedMessage {
  queue_name: string;
  queue_id: string;
  sender: string;
  recipients: { address: string; delay_reason?: string }[];
}

/** The lab host's mail queue: `postqueue -j`, one JSON object a line. */
export function mailQueue(lab: string): QueuedMessage[] {
  return labRun(lab, 'host', ['postqueue', '-j'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QueuedMessage);
}
