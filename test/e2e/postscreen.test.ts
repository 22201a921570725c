import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHost, sh, uniqueTag } from './support/cli.js';
import { dialogFrom, imapFetchAll, smtpSend, testMessage, type Side } from './support/mail.js';
import { PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 16, postscreen on port 25: a client that talks before the banner is refused, one
// that waits its turn delivers, and the host itself and the VPN are not tested at all.
const LAB = SHARED_LAB;
const PIA = { user: 'pia@example.net', pass: 'correct horse battery staple 25' };
const CACHE = '/var/lib/postfix/postscreen_cache.db';

const { run: onHost } = labHost(LAB);

/** A dialogue on port 25 that sends EHLO as soon as the banner's first line is in. */
function talkEarly(side: Side, host: string) {
  return dialogFrom(LAB, side, {
    host,
    port: 25,
    // postscreen's banner starts with "220-" and ends postscreen_greet_wait later; an
    // untested client's smtpd answers "220 " at once.
    greeting: '^220[- ]',
    steps: [
      { send: 'EHLO client.example.org', until: '^\\d{3} ' },
      { send: 'MAIL FROM:<someone@example.org>', until: '^\\d{3} ' },
      { send: `RCPT TO:<${PIA.user}>`, until: '^\\d{3} ' },
      { send: 'QUIT', until: '^\\d{3} ' },
    ],
    timeoutMs: 20_000,
  });
}

/** Postfix listens on 25 again (bounded: 30 s). */
function waitForPort25() {
  for (let i = 0; i < 60; i++) {
    if (onHost(['sh', '-c', `ss -ltn | grep -q '${PUBLIC}:25 '`]).code === 0) return;
    sh('sleep 0.5');
  }
  throw new Error('Postfix does not listen on port 25');
}

describe('postscreen on port 25', () => {
  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'mailbox', 'remove', PIA.user]);
    const r = onHost(['mailctl', 'mailbox', 'add', PIA.user, '--password-stdin'], `${PIA.pass}\n`);
    expect(r.code, r.stderr).toBe(0);
    // The internet's one client address has passed postscreen in earlier files, and a
    // passed client is not tested again for a day (postscreen_greet_ttl): forget them all.
    const restart = onHost(['sh', '-c', `rm -f ${CACHE} && systemctl restart postfix.service`]);
    expect(restart.code, restart.stderr).toBe(0);
    waitForPort25();
  });

  afterAll(() => {
    onHost(['mailctl', 'mailbox', 'remove', PIA.user]);
  });

  it('refuses a client from the internet that talks before the banner, at RCPT with 550', () => {
    const r = talkEarly('internet', PUBLIC);
    expect(r.greeting).toMatch(/^220-/);
    expect(r.greeting).not.toMatch(/^220 /m);
    expect(r.replies[2]).toMatch(/^550 5\.5\.1 /);
    const log = onHost(['sh', '-c', 'journalctl -t postfix/postscreen --since -2min --no-pager']);
    expect(log.stdout).toMatch(
      /PREGREET \d+ after [\d.]+ from \[[^\]]+\]:\d+: EHLO client\.example\.org/,
    );
  });

  it('delivers from a client that waits for the whole banner', () => {
    const tag = uniqueTag();
    const sent = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 25,
      tls: 'none',
      from: 'someone@example.org',
      to: [PIA.user],
      data: testMessage('someone@example.org', PIA.user, tag),
    });
    expect(sent.result.greeting).toMatch(/^220-[^]*^220 /m);
    expect(sent.codes.end, sent.result.replies.join('')).toBe(250);
    let got: string | undefined;
    for (let i = 0; i < 40 && !got; i++) {
      got = imapFetchAll(LAB, 'vpn', VPN, PIA.user, PIA.pass).messages.find((m) => m.includes(tag));
      if (!got) sh('sleep 0.5');
    }
    expect(got).toBeDefined();
  });

  it('tests neither the VPN nor the host itself: an early talker is not refused there', () => {
    for (const [side, host] of [
      ['vpn', VPN],
      ['host', '127.0.0.1'],
    ] as const) {
      const r = talkEarly(side, host);
      expect(r.greeting, side).toMatch(/^220 /);
      expect(r.replies[2], side).toMatch(/^250 /);
    }
  });
});
