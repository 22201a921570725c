import { expect } from 'vitest';
import { labSh } from './cli.js';
import { dialogFrom, parseLiterals } from './mail.js';
import type { DialogResult } from './net-client.js';
import { VPN } from './lab-world.js';

export interface Account {
  user: string;
  pass: string;
}

/** An INBOX as an IMAP client sees it: what a restore must bring back unchanged. */
export interface Inbox {
  uidValidity: string;
  /** UID → its flags and the message, byte for byte. */
  messages: Map<string, { flags: string; body: string }>;
}

/**
 * One IMAPS session from a lab's VPN client: LOGIN, SELECT INBOX, the given commands
 * (tagged c0, c1, ...), LOGOUT. The replies are [login, select, ...commands, logout].
 */
export function imapSession(lab: string, who: Account, commands: readonly string[]): DialogResult {
  return dialogFrom(lab, 'vpn', {
    host: VPN,
    port: 993,
    tls: true,
    steps: [
      { send: `a1 LOGIN "${who.user}" "${who.pass}"`, until: '^a1 ', expect: '^a1 OK' },
      { send: 'a2 SELECT INBOX', until: '^a2 ' },
      ...commands.map((c, i) => ({ send: `c${i} ${c}`, until: `^c${i} ` })),
      { send: 'a9 LOGOUT', until: '^a9 ' },
    ],
  });
}

/**
 * The flags a mailbox keeps: \Recent is a property of the session that first sees the
 * message (RFC 3501 2.3.2; gone in IMAP4rev2), not of the message, so it is left out.
 */
const storedFlags = (flags: string) =>
  flags
    .split(' ')
    .filter((f) => f && f !== '\\Recent')
    .join(' ');

/** The INBOX's UIDVALIDITY and every message with its UID and flags. */
export function imapInbox(lab: string, who: Account): Inbox {
  const r = imapSession(lab, who, ['UID FETCH 1:* (UID FLAGS BODY.PEEK[])']);
  expect(r.replies[0], JSON.stringify(r)).toMatch(/^a1 OK/m);
  const fetched = r.replies[2] ?? '';
  const heads = [...fetched.matchAll(/^\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\)/gm)];
  const bodies = parseLiterals(fetched);
  return {
    uidValidity: /\[UIDVALIDITY (\d+)\]/.exec(r.replies[1] ?? '')?.[1] ?? '',
    messages: new Map(
      heads.map((m, i) => [m[1] ?? '', { flags: storedFlags(m[2] ?? ''), body: bodies[i] ?? '' }]),
    ),
  };
}

/** Waits (bounded: 20 s) until the INBOX holds `count` messages; returns it as last seen. */
export function waitForInbox(lab: string, who: Account, count: number): Inbox {
  let box = imapInbox(lab, who);
  for (let i = 0; i < 40 && box.messages.size < count; i++) {
    labSh(lab, 'host', 'sleep 0.5');
    box = imapInbox(lab, who);
  }
  return box;
}
