import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHost, sh, uniqueTag } from './support/cli.js';
import { dialogFrom, imapFetchAll, smtpSend, testMessage } from './support/mail.js';
import { PUBLIC, VPN, VPN_CLIENT } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 16, "nobody sends as someone else": what a logged-in user may put in the envelope
// and in the header From:, refused at SMTP time with the reason, from both sides.
const LAB = SHARED_LAB;
const SAM = { user: 'sam@example.net', pass: 'correct horse battery staple 16' };
const SUE = { user: 'sue@example.net', pass: 'correct horse battery staple 17' };
/** Delivers to Sam alone: his to send as. */
const ALONE = 'sam-sales@example.net';
/** Delivers to Sam and Sue: neither's alone. */
const SHARED = 'sam-team@example.net';
/** A catch-all of a domain of its own kind, example.com, that delivers to Sam. */
const CATCH_ALL = '@example.com';

const { run: onHost } = labHost(LAB);

const submit = (
  side: 'internet' | 'vpn',
  port: 587 | 465,
  o: { from: string; header?: string; to?: string; tag?: string },
) =>
  smtpSend(LAB, side, {
    host: side === 'internet' ? PUBLIC : VPN,
    port,
    tls: port === 465 ? 'implicit' : 'starttls',
    auth: SAM,
    from: o.from,
    to: [o.to ?? SUE.user],
    data: testMessage(o.header ?? o.from, o.to ?? SUE.user, o.tag ?? uniqueTag()),
  });

/** Waits (bounded, 20 s) for a message carrying `marker` in the mailbox; returns it. */
function waitForMessage(who: { user: string; pass: string }, marker: string) {
  for (let i = 0; i < 40; i++) {
    const found = imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass).messages.find((m) =>
      m.includes(marker),
    );
    if (found) return found;
    sh('sleep 0.5');
  }
  return undefined;
}

/** The reply to the message itself (end of DATA), with its text. */
const endReply = (r: ReturnType<typeof submit>) => r.result.replies.at(-2) ?? '';

function cleanUp() {
  for (const a of [ALONE, SHARED, CATCH_ALL]) onHost(['mailctl', 'alias', 'remove', a]);
  onHost(['mailctl', 'spam', 'unlist', SUE.user, SAM.user]);
  for (const who of [SAM, SUE]) onHost(['mailctl', 'mailbox', 'remove', who.user]);
}

describe('sender authenticity on submission', () => {
  beforeAll(() => {
    useSharedLab();
    cleanUp();
    for (const who of [SAM, SUE]) {
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    for (const [source, ...to] of [
      [ALONE, SAM.user],
      [SHARED, SAM.user, SUE.user],
      [CATCH_ALL, SAM.user],
    ] as const) {
      const r = onHost(['mailctl', 'alias', 'add', source, ...to]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  afterAll(cleanUp);

  it('refuses the null sender on 587 and 465 with 553, from the internet and the VPN', () => {
    for (const side of ['internet', 'vpn'] as const) {
      for (const port of [587, 465] as const) {
        const r = submit(side, port, { from: '', header: SAM.user });
        expect(r.codes.auth, `${side} ${port}`).toBe(235);
        // Postfix answers MAIL FROM's restrictions at RCPT (smtpd_delay_reject).
        expect([r.codes.mail, ...r.codes.rcpt], `${side} ${port}`).toContain(553);
        expect(r.result.replies.find((x) => x.startsWith('553'))).toMatch(/null sender/);
      }
    }
  });

  it('takes as envelope sender only the login and an alias that delivers to it alone', () => {
    for (const side of ['internet', 'vpn'] as const) {
      for (const from of [SAM.user, ALONE]) {
        const ok = submit(side, 587, { from });
        expect(ok.codes.end, `${side} ${from}: ${endReply(ok)}`).toBe(250);
      }
      // Another mailbox, an alias shared with another mailbox, and any address that only
      // a catch-all delivers to the login.
      for (const from of [SUE.user, SHARED, 'anyone-at-all@example.com']) {
        const refused = submit(side, 587, { from });
        expect(refused.codes.auth).toBe(235);
        const codes = [refused.codes.mail, ...refused.codes.rcpt];
        expect(codes, `${side} ${from}`).toContain(553);
      }
    }
  });

  it('refuses a header From: the login does not own at the end of DATA, saying why', () => {
    const cases: [string, RegExp][] = [
      [SUE.user, /another mailbox/],
      [SHARED, /another mailbox/],
      ['alice@example.com', /another domain hosted here/],
      ['service@paypal.com', /foreign domain/],
    ];
    for (const side of ['internet', 'vpn'] as const) {
      for (const [header, why] of cases) {
        const r = submit(side, side === 'vpn' ? 587 : 465, { from: SAM.user, header });
        expect(r.codes.data, `${side} ${header}`).toBe(354);
        expect(r.codes.end, `${side} ${header}`).toBeGreaterThanOrEqual(500);
        expect(endReply(r)).toMatch(why);
        expect(endReply(r)).toContain(`<${header}>`);
      }
    }
  });

  it('still refuses a forged From: to a recipient whose allow list holds the sender', () => {
    const allow = onHost(['mailctl', 'spam', 'allow', SUE.user, SAM.user]);
    expect(allow.code, allow.stderr).toBe(0);
    try {
      const r = submit('vpn', 587, { from: SAM.user, header: 'service@paypal.com', to: SUE.user });
      expect(r.codes.rcpt).toEqual([250]);
      expect(r.codes.end).toBeGreaterThanOrEqual(500);
      expect(endReply(r)).toMatch(/foreign domain/);
    } finally {
      onHost(['mailctl', 'spam', 'unlist', SUE.user, SAM.user]);
    }
  });

  it('signs what the login owns with its domain, and nothing a local process submits', () => {
    const t = uniqueTag();
    const sent = submit('vpn', 587, { from: ALONE, tag: t });
    expect(sent.codes.end).toBe(250);
    expect(waitForMessage(SUE, t)).toMatch(/^DKIM-Signature: [^]*?\bd=example\.net;/m);

    // Root may submit (cron), but nothing local is signed (dkim_signing sign_local = false).
    const local = uniqueTag();
    const r = onHost(
      ['/usr/sbin/sendmail', '-f', SAM.user, SUE.user],
      testMessage(SAM.user, SUE.user, local),
    );
    expect(r.code, r.stderr).toBe(0);
    const got = waitForMessage(SUE, local);
    expect(got).toBeDefined();
    expect(got).not.toMatch(/^DKIM-Signature:/m);
  });

  it('lets no web or database process submit mail, nor relay through loopback', () => {
    for (const user of ['nobody', 'www-data', 'postgres']) {
      const r = onHost(
        ['runuser', '-u', user, '--', '/usr/sbin/sendmail', '-f', 'cfo@example.com', SUE.user],
        testMessage('cfo@example.com', SUE.user, uniqueTag()),
      );
      expect(r.code, user).not.toBe(0);
      expect(r.stderr).toMatch(/is not allowed to submit mail/);
    }
    // A plain connection to 127.0.0.1:25 is one from the internet: no relay.
    const relay = smtpSend(LAB, 'host', {
      host: '127.0.0.1',
      port: 25,
      tls: 'none',
      from: 'cfo@example.com',
      to: ['someone@example.org'],
      data: testMessage('cfo@example.com', 'someone@example.org', uniqueTag()),
    });
    expect(relay.codes.mail).toBe(250);
    expect(relay.codes.rcpt).toEqual([554]);
  });

  it("delivers root's mail to the postmaster, and takes no mail for system users from outside", () => {
    const t = uniqueTag();
    const r = onHost(['/usr/sbin/sendmail', 'root'], testMessage('root', 'root', t));
    expect(r.code, r.stderr).toBe(0);
    // postmaster@example.com is the quick start's alias for demo@example.com.
    const demo = {
      user: 'demo@example.com',
      pass: onHost(['cat', '/etc/mailctl/secrets/mailbox-demo@example.com']).stdout.trim(),
    };
    expect(waitForMessage(demo, t)).toBeDefined();

    for (const user of ['root', 'postgres', 'www-data']) {
      const refused = smtpSend(LAB, 'internet', {
        host: PUBLIC,
        port: 25,
        tls: 'none',
        from: 'someone@example.org',
        to: [`${user}@mail.example.com`],
        data: 'x',
      });
      expect(refused.codes.rcpt, user).toEqual([550]);
    }
  });

  it("strips the client's address and software from submitted mail", () => {
    const t = uniqueTag();
    const sent = smtpSend(LAB, 'vpn', {
      host: VPN,
      port: 587,
      tls: 'starttls',
      auth: SAM,
      from: SAM.user,
      to: [SUE.user],
      data: testMessage(SAM.user, SUE.user, t).replace(
        'MIME-Version',
        'X-Mailer: Tattler 1.0\r\nUser-Agent: Tattler/1.0\r\nMIME-Version',
      ),
    });
    expect(sent.codes.end).toBe(250);
    const got = waitForMessage(SUE, t) ?? '';
    expect(got).toContain(`Message-ID: <${t}@client.example.org>`);
    expect(got).not.toMatch(/^(X-Mailer|User-Agent):/im);
    expect(got).not.toContain(VPN_CLIENT);
    expect(got).not.toMatch(/^Received: from client\.example\.org/m);
    // Signed after the headers went (a signature over them would not verify).
    expect(got).toMatch(/^DKIM-Signature:/m);
    expect(got).not.toMatch(/^DKIM-Signature: [^]*?h=[^;]*(x-mailer|user-agent)/im);
  });

  it('refuses from outside a HELO that is a bare word, localhost, our name or our address', () => {
    const greet = (helo: string) =>
      dialogFrom(LAB, 'internet', {
        host: PUBLIC,
        port: 25,
        tls: false,
        steps: [
          { send: `EHLO ${helo}`, until: '^\\d{3} ' },
          { send: 'MAIL FROM:<someone@example.org>', until: '^\\d{3} ' },
          { send: `RCPT TO:<${SUE.user}>`, until: '^\\d{3} ' },
          { send: 'QUIT', until: '^\\d{3} ' },
        ],
      }).replies[2] ?? '';
    for (const helo of ['laptop', 'localhost', 'mail.example.com', `[${PUBLIC}]`])
      expect(greet(helo), helo).toMatch(/^5\d\d /m);
    expect(greet('client.example.org')).toMatch(/^250 /m);
  });
});
