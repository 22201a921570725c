import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labHost, labRun, labSh, uniqueTag } from './support/cli.js';
import {
  dialogFrom,
  imapFetchAll,
  pop3FetchAll,
  smtpCode,
  smtpFromInternet,
  smtpSend,
  testMessage,
} from './support/mail.js';
import { ALICE, BOB, PUBLIC, VPN } from './support/lab-world.js';
import { dkimVerify, startOutsideMx } from './support/outside-mx.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 3's promises, checked as the internet and a user's mail client would.
const LAB = SHARED_LAB;
// A fresh name each run: mail left on disk by an earlier run would count against its quota.
const TINY = {
  user: `tiny${Date.now().toString(36)}@example.com`,
  pass: 'correct horse battery staple 3',
};

// Per-user spam settings are tried on a mailbox of their own, so other tests never see them.
const ERIN = { user: 'erin@example.com', pass: 'correct horse battery staple 4' };
const BURST = { user: 'burst@example.com', pass: 'correct horse battery staple 5' };

const { run: onHost, applyWithFault } = labHost(LAB);
const tag = () => uniqueTag();

/** A message from the outside world (example.org) to the MX on port 25. */
const fromInternet = (to: string, data: string) => smtpFromInternet(LAB, to, data);

/** Waits (bounded) until a message carrying `marker` is in the mailbox; returns it byte for byte. */
function waitForMessage(who: { user: string; pass: string }, marker: string): string | undefined {
  for (let i = 0; i < 40; i++) {
    const found = imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass).messages.find((m) =>
      m.includes(marker),
    );
    if (found) return found;
    labSh(LAB, 'vpn', 'sleep 0.5');
  }
  return undefined;
}

describe('the core mail path on a lab host', () => {
  beforeAll(() => {
    useSharedLab();
    for (const who of [ALICE, BOB, TINY, ERIN, BURST])
      onHost(['mailctl', 'mailbox', 'remove', who.user]);
    for (const who of [ALICE, BOB, ERIN, BURST]) {
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const t = onHost(
      ['mailctl', 'mailbox', 'add', TINY.user, '--password-stdin', '--quota', '40K'],
      `${TINY.pass}\n`,
    );
    expect(t.code, t.stderr).toBe(0);
    // Not info@example.com: the cluster file declares that alias, so the CLI may not change it.
    const a = onHost(['mailctl', 'alias', 'add', 'sales@example.com', ALICE.user]);
    expect(a.code, a.stderr).toBe(0);
  });

  it('accepts mail for a mailbox on port 25 and serves it back over IMAP byte for byte, in both domains', () => {
    for (const who of [ALICE, BOB]) {
      const t = tag();
      const msg = testMessage('someone@example.org', who.user, t);
      const sent = smtpSend(LAB, 'internet', {
        host: PUBLIC,
        port: 25,
        tls: 'starttls',
        from: 'someone@example.org',
        to: [who.user],
        data: msg,
      });
      expect(sent.codes.rcpt).toEqual([250]);
      expect(sent.codes.end).toBe(250);
      const got = waitForMessage(who, `<${t}@client.example.org>`);
      expect(got).toBeDefined();
      // Delivery adds trace headers (Received, Return-Path) and Rspamd's results; the
      // message's own header lines and its body arrive byte for byte.
      const [sentHead = '', sentBody] = msg.split('\r\n\r\n');
      const [gotHead = '', ...gotBody] = (got ?? '').split('\r\n\r\n');
      expect(gotBody.join('\r\n\r\n')).toBe(sentBody);
      const gotLines = gotHead.split('\r\n');
      for (const line of sentHead.split('\r\n')) expect(gotLines).toContain(line);
    }
  });

  it('delivers mail for an alias to its destination', () => {
    const t = tag();
    const sent = fromInternet(
      'sales@example.com',
      testMessage('someone@example.org', 'sales@example.com', t),
    );
    expect(sent.codes.end).toBe(250);
    expect(waitForMessage(ALICE, t)).toBeDefined();
  });

  it('refuses an unknown recipient with 550 and relaying without AUTH', () => {
    const unknown = fromInternet('nobody@example.com', 'x');
    expect(unknown.codes.rcpt[0]).toBe(550);
    const relay = fromInternet('victim@example.org', 'x');
    expect(relay.codes.rcpt[0]).toBeGreaterThanOrEqual(450);
    expect(relay.codes.rcpt[0]).not.toBe(250);
  });

  it('rejects GTUBE through Rspamd', () => {
    const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
    const sent = fromInternet(
      ALICE.user,
      testMessage('someone@example.org', ALICE.user, tag(), gtube),
    );
    expect(sent.codes.end).toBe(554);
  });

  it('honours per-user spam settings from the database at once, with no Rspamd restart', () => {
    const rspamdPid = () =>
      onHost(['systemctl', 'show', '--property=MainPID', '--value', 'rspamd']).stdout.trim();
    const pidBefore = rspamdPid();
    const spam = (...args: string[]) => {
      const r = onHost(['mailctl', 'spam', ...args]);
      expect(r.code, r.stderr).toBe(0);
    };
    /** Sends the same kind of plain message until the end-of-data reply is `want` (bounded). */
    const sendUntil = (to: string, want: number) => {
      let last = 0;
      for (let i = 0; i < 20 && last !== want; i++) {
        if (i) labSh(LAB, 'internet', 'sleep 0.5');
        last = fromInternet(to, testMessage('someone@example.org', to, tag())).codes.end ?? 0;
      }
      return last;
    };

    // With the cluster file's thresholds a plain message from the internet is delivered;
    // its score (the lab's internet has no reverse DNS, so it scores a few points) is in
    // the X-Spamd-Result header Rspamd added.
    const t = tag();
    expect(
      fromInternet(ERIN.user, testMessage('someone@example.org', ERIN.user, t)).codes.end,
    ).toBe(250);
    const got = waitForMessage(ERIN, t) ?? '';
    const score = Number(/^X-Spamd-Result: default: \w+ \[(-?[\d.]+) \//im.exec(got)?.[1]);
    expect(score, 'the plain message scores at least 0').toBeGreaterThanOrEqual(0);

    // Erin's own reject score below it: the same kind of message is now refused at SMTP time.
    spam('set', ERIN.user, '--reject', String(Math.max(0, Math.floor(score) - 1)));
    expect(sendUntil(ERIN.user, 554)).toBe(554);
    // ... for Erin only: Alice still gets it.
    expect(
      fromInternet(ALICE.user, testMessage('someone@example.org', ALICE.user, tag())).codes.end,
    ).toBe(250);

    // An allowed sender gets through despite her threshold.
    spam('allow', ERIN.user, 'someone@example.org');
    expect(sendUntil(ERIN.user, 250)).toBe(250);

    // A blocked domain is refused even with her thresholds back to the cluster file's.
    spam('unlist', ERIN.user, 'someone@example.org');
    spam('set', ERIN.user, '--reset');
    expect(sendUntil(ERIN.user, 250)).toBe(250);
    spam('block', ERIN.user, '@example.org');
    expect(sendUntil(ERIN.user, 554)).toBe(554);
    const shown = JSON.parse(onHost(['mailctl', 'spam', 'show', ERIN.user, '--json']).stdout);
    expect(shown).toEqual([
      expect.objectContaining({
        address: ERIN.user,
        rejectScore: null,
        blockSenders: ['@example.org'],
      }),
    ]);

    // Bad input is one line naming the problem, and changes nothing.
    for (const [args, code] of [
      [['set', ERIN.user, '--reject', 'ten'], 'E_BAD_SCORE'],
      [['set', ERIN.user, '--reject', '3', '--add-header', '5'], 'E_BAD_SCORE'],
      [['block', 'nobody@example.com', 'x@example.org'], 'E_UNKNOWN_MAILBOX'],
      [['allow', ERIN.user, 'not-an-address'], 'E_BAD_ADDRESS'],
      [['unlist', ERIN.user, 'stranger@example.org'], 'E_UNKNOWN_SENDER'],
    ] as const) {
      const r = onHost(['mailctl', 'spam', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(code)]);
    }
    expect(JSON.parse(onHost(['mailctl', 'spam', 'show', ERIN.user, '--json']).stdout)).toEqual(
      shown,
    );

    // Rspamd re-read its settings map by itself: the same process served every message.
    expect(rspamdPid()).toBe(pidBefore);
  });

  it('keeps IMAP, POP3, ManageSieve and PostgreSQL off the public address', () => {
    for (const port of [143, 993, 110, 995, 4190, 5432]) {
      const r = dialogFrom(LAB, 'internet', { host: PUBLIC, port, steps: [], timeoutMs: 3000 });
      expect(r.connected, `port ${port}`).toBe(false);
    }
    for (const port of [143, 993, 110, 995, 4190]) {
      const r = dialogFrom(LAB, 'vpn', {
        host: VPN,
        port,
        tls: port === 993 || port === 995,
        steps: [],
        timeoutMs: 5000,
      });
      expect(r.connected, `port ${port} over the VPN`).toBe(true);
    }
  });

  it('serves the Rspamd web interface on the VPN side only with its password', () => {
    const password = onHost([
      'cat',
      '/etc/mailctl/secrets/rspamd-controller-password',
    ]).stdout.trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    const status = (side: 'vpn' | 'internet', host: string, headers: string[] = []) =>
      labRun(LAB, side, [
        'curl',
        '-sk',
        '--max-time',
        '5',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        ...headers,
        `https://${host}/rspamd/stat`,
      ]).stdout;
    // nginx passes the VPN client's address on, so the controller does not take nginx's
    // loopback connection for a trusted local one.
    expect(status('vpn', VPN)).toBe('401');
    expect(status('vpn', VPN, ['-H', 'Password: not-the-password'])).toBe('401');
    expect(status('vpn', VPN, ['-H', `Password: ${password}`])).toBe('200');
    expect(status('internet', PUBLIC, ['-H', `Password: ${password}`])).toBe('404');
  });

  it('takes a Sieve script over ManageSieve (VPN only, TLS before AUTH) and files mail by it', () => {
    const auth = `AUTHENTICATE "PLAIN" "${Buffer.from(`\0${BOB.user}\0${BOB.pass}`).toString('base64')}"`;
    const reply = '^(OK|NO|BYE)\\b';
    const script = [
      'require ["fileinto", "mailbox"];',
      'if header :contains "subject" "sieve-me" { fileinto :create "Filed"; stop; }',
      '',
    ].join('\r\n');
    const broken = 'require ["fileinto"];\r\nfileinto "x" oops;\r\n';
    const literal = (s: string) => `{${Buffer.byteLength(s)}+}\r\n${s}`;

    const cleartext = dialogFrom(LAB, 'vpn', {
      host: VPN,
      port: 4190,
      steps: [{ send: auth, until: reply }],
    });
    expect(cleartext.replies[0]).toMatch(/^NO /m);

    const r = dialogFrom(LAB, 'vpn', {
      host: VPN,
      port: 4190,
      steps: [
        { send: 'STARTTLS', until: reply },
        { starttls: true },
        { send: 'NOOP', until: reply },
        { send: auth, until: reply, expect: '^OK' },
        { send: `PUTSCRIPT "broken" ${literal(broken)}`, until: reply },
        { send: `PUTSCRIPT "mailctl-test" ${literal(script)}`, until: reply },
        { send: 'SETACTIVE "mailctl-test"', until: reply },
        { send: 'LOGOUT', until: reply },
      ],
    });
    expect(r.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.replies[3]).toMatch(/^OK/m);
    expect(r.replies[4], 'a script with a syntax error is refused').toMatch(/^NO /m);
    expect(r.replies[5]).toMatch(/^OK/m);
    expect(r.replies[6]).toMatch(/^OK/m);

    const filed = tag();
    const plain = tag();
    for (const [t, subject] of [
      [filed, `sieve-me ${filed}`],
      [plain, `plain ${plain}`],
    ] as const) {
      const msg = testMessage('someone@example.org', BOB.user, t).replace(
        /^Subject: .*$/m,
        `Subject: ${subject}`,
      );
      expect(fromInternet(BOB.user, msg).codes.end).toBe(250);
    }
    expect(waitForMessage(BOB, plain), 'unmatched mail stays in INBOX').toBeDefined();
    let inFiled: string[] = [];
    for (let i = 0; i < 20 && !inFiled.some((m) => m.includes(filed)); i++) {
      inFiled = imapFetchAll(LAB, 'vpn', VPN, BOB.user, BOB.pass, 993, 'Filed').messages;
    }
    expect(inFiled.some((m) => m.includes(filed))).toBe(true);
    const inbox = imapFetchAll(LAB, 'vpn', VPN, BOB.user, BOB.pass).messages;
    expect(inbox.some((m) => m.includes(filed))).toBe(false);
  });

  it('guards submission on 587: no AUTH before STARTTLS, wrong password refused, right one accepted', () => {
    const plain = dialogFrom(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      steps: [
        { send: 'EHLO client.example.org', until: '^\\d{3} ' },
        {
          send: `AUTH PLAIN ${Buffer.from(`\0${ALICE.user}\0${ALICE.pass}`).toString('base64')}`,
          until: '^\\d{3} ',
        },
      ],
    });
    expect(plain.replies[0]).not.toMatch(/AUTH/);
    expect(smtpCode(plain.replies[1])).toBeGreaterThanOrEqual(500);
    const wrong = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      tls: 'starttls',
      auth: { user: ALICE.user, pass: 'wrong' },
      from: ALICE.user,
      to: [BOB.user],
      data: 'x',
    });
    expect(wrong.codes.auth).toBe(535);
    const t = tag();
    const ok = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      tls: 'starttls',
      auth: ALICE,
      from: ALICE.user,
      to: [BOB.user],
      data: testMessage(ALICE.user, BOB.user, t),
    });
    expect(ok.codes.auth).toBe(235);
    expect(ok.codes.end).toBe(250);
    expect(waitForMessage(BOB, t)).toBeDefined();
  });

  it('refuses sending as another user, and works on 465 with implicit TLS', () => {
    const spoof = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 465,
      tls: 'implicit',
      auth: ALICE,
      from: BOB.user,
      to: [BOB.user],
      data: 'x',
    });
    expect(spoof.codes.auth).toBe(235);
    expect([spoof.codes.mail, ...spoof.codes.rcpt].some((c) => c === 553 || c === 550)).toBe(true);
    const t = tag();
    const ok = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 465,
      tls: 'implicit',
      auth: ALICE,
      from: ALICE.user,
      to: [BOB.user],
      data: testMessage(ALICE.user, BOB.user, t),
    });
    expect(ok.result.tls?.protocol).toMatch(/TLSv1\.[23]/);
    expect(ok.codes.end).toBe(250);
  });

  it('serves POP3 and IMAP to the VPN client, and refuses a wrong password', () => {
    expect(pop3FetchAll(LAB, 'vpn', VPN, ALICE.user, ALICE.pass).loginOk).toBe(true);
    expect(pop3FetchAll(LAB, 'vpn', VPN, ALICE.user, 'wrong').loginOk).toBe(false);
    expect(imapFetchAll(LAB, 'vpn', VPN, ALICE.user, 'wrong').loginOk).toBe(false);
  });

  it('delivers a burst to one mailbox at once, with no delivery left waiting for a queue run', () => {
    // Scanned as usual, but never greylisted: the burst comes from one unknown client.
    const set = onHost([
      'mailctl',
      'spam',
      'set',
      BURST.user,
      '--greylist',
      '1000',
      '--add-header',
      '1000',
      '--reject',
      '1000',
    ]);
    expect(set.code, set.stderr).toBe(0);
    // 200 messages over 16 connections: more parallel deliveries than Dovecot grants one
    // user unless Postfix holds back (lmtp_destination_concurrency_limit).
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        `mailctl-${LAB}-vpn`,
        'node',
        resolve('dist/mailctl.mjs'),
        'bench',
        'smtp',
        '--server',
        PUBLIC,
        '--port',
        '25',
        '--tls',
        'starttls',
        '--insecure',
        '--helo',
        'client.example.org',
        '--from',
        'someone@example.org',
        '--to',
        BURST.user,
        '--count',
        '200',
        '--concurrency',
        '16',
        '--imap',
        VPN,
        '--timeout',
        '60',
        '--json',
      ],
      { input: `${BURST.pass}\n`, encoding: 'utf8', timeout: 180_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout) as { sent: number; failed: number };
    expect([figures.sent, figures.failed]).toEqual([200, 0]);
    expect(onHost(['postqueue', '-p']).stdout).toContain('Mail queue is empty');
  });

  it('refuses mail to a mailbox over quota at SMTP time, and keeps what it had', () => {
    // 36 KB messages into a 40 KB quota. Dovecot lets one message carry a mailbox that is
    // still under quota past its limit (quota_storage_grace); after that, Postfix asks
    // Dovecot's quota-status at RCPT time and refuses.
    const big = `${'x'.repeat(70)}\r\n`.repeat(500);
    const accepted: string[] = [];
    let refusal: number | undefined;
    for (let i = 0; i < 4 && refusal === undefined; i++) {
      const t = tag();
      const r = fromInternet(TINY.user, testMessage('someone@example.org', TINY.user, t, big));
      if (r.codes.end === 250) {
        accepted.push(t);
        expect(waitForMessage(TINY, t)).toBeDefined();
      } else refusal = r.codes.rcpt[0];
    }
    expect(refusal).toBe(552);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const kept = imapFetchAll(LAB, 'vpn', VPN, TINY.user, TINY.pass).messages;
    for (const t of accepted) expect(kept.some((m) => m.includes(t))).toBe(true);
  });

  it('signs outbound mail with DKIM that an independent verifier accepts against the record mailctl dns prints', () => {
    const mx = startOutsideMx(LAB);
    try {
      const t = tag();
      const sent = smtpSend(LAB, 'vpn', {
        host: VPN,
        port: 587,
        tls: 'starttls',
        auth: ALICE,
        from: ALICE.user,
        to: ['someone@example.org'],
        data: testMessage(ALICE.user, 'someone@example.org', t),
      });
      expect(sent.codes.end).toBe(250);
      const file = mx.waitFor(t);
      expect(file, 'the message reached the outside MX').toBeDefined();
      const message = readFileSync(file ?? '', 'latin1');
      expect(message).toMatch(/^DKIM-Signature: .*d=example\.com/m);
      const records = JSON.parse(onHost(['mailctl', 'dns', '--json']).stdout) as {
        name: string;
        type: string;
        value: string;
      }[];
      const key = records.find(
        (r) => r.type === 'TXT' && r.name.replace(/\.$/, '') === 'mail._domainkey.example.com',
      );
      expect(key).toBeDefined();
      const verify = (path: string) => dkimVerify(path, key?.name ?? '', key?.value ?? '');
      expect(verify(file ?? '')).toBe('pass');
      // The verifier can fail: the same message with its body changed does not verify.
      const tampered = join(mx.dir, 'tampered.eml');
      writeFileSync(
        tampered,
        message.replace('Hello from the mailctl tests.', 'Hello from someone else.'),
        'latin1',
      );
      expect(verify(tampered)).toBe('fail');
    } finally {
      mx.stop();
    }
  });

  it('names every error of a bad cluster file, in validate and apply, and changes nothing', () => {
    const historyBefore = onHost([
      'git',
      '-C',
      '/var/lib/mailctl/history',
      'rev-parse',
      'HEAD',
    ]).stdout;
    const mainCfBefore = onHost(['sha256sum', '/etc/postfix/main.cf']).stdout;
    const bad = onHost(['cat', '/etc/mailctl/cluster.yaml'])
      .stdout.replace('fqdn: mail.example.com', 'fqdn: Mail_Example')
      .replace('vpn_address: 10.100.0.1', 'vpn_address: 10.200.0.1');
    expect(onHost(['bash', '-c', 'cat > /tmp/bad-cluster.yaml'], bad).code).toBe(0);
    const validate = onHost(['mailctl', 'validate', '/tmp/bad-cluster.yaml']);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/hosts\[0\]\.fqdn: .*\(line \d+:\d+\)/);
    const apply = onHost(['mailctl', 'apply', '--cluster', '/tmp/bad-cluster.yaml']);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain('E_SPEC_INVALID');
    expect(onHost(['git', '-C', '/var/lib/mailctl/history', 'rev-parse', 'HEAD']).stdout).toBe(
      historyBefore,
    );
    expect(onHost(['sha256sum', '/etc/postfix/main.cf']).stdout).toBe(mainCfBefore);
  });

  it('never installs a rendered config its daemon refuses, and mail keeps flowing', () => {
    const mainCfBefore = onHost(['sha256sum', '/etc/postfix/main.cf']).stdout;
    const broken = applyWithFault(
      '/etc/postfix/main.cf',
      'smtpd_recipient_restrictions = reject_bogus_restriction',
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('E_CHECK_FAILED');
    expect(onHost(['sha256sum', '/etc/postfix/main.cf']).stdout).toBe(mainCfBefore);
    // Without the test hooks switched on, the fault variable alone does nothing.
    const ignored = onHost(['env', 'MAILCTL_TEST_FAULT=/etc/postfix/main.cf=x', 'mailctl', 'plan']);
    expect(ignored.stdout).toMatch(/No changes/);
    const t = tag();
    const sent = fromInternet(ALICE.user, testMessage('someone@example.org', ALICE.user, t));
    expect(sent.codes.end).toBe(250);
    expect(waitForMessage(ALICE, t)).toBeDefined();
  });

  it('rolls the configuration back to an earlier history revision, checked and reloaded like an apply', () => {
    const log = () =>
      JSON.parse(onHost(['mailctl', 'history', '--json']).stdout) as {
        rev: string;
        subject: string;
      }[];
    const actions = () => onHost(['cat', '/etc/rspamd/local.d/actions.conf']).stdout;
    const good = log()[0]?.rev ?? '';
    const actionsGood = actions();
    expect(actionsGood).toContain('reject = 15;');

    // An apply from a changed cluster file (reject score 14) is a new revision.
    labSh(
      LAB,
      'host',
      "sed 's/reject: 15/reject: 14/' /etc/mailctl/cluster.yaml > /root/cluster-changed.yaml",
    );
    const changed = onHost(['mailctl', 'apply', '--cluster', '/root/cluster-changed.yaml']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(actions()).toContain('reject = 14;');

    for (const rev of ['HEAD~1', '0000000']) {
      const bad = onHost(['mailctl', 'rollback', rev]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toEqual([expect.stringContaining('E_BAD_REVISION')]);
    }
    expect(actions()).toContain('reject = 14;');

    const back = onHost(['mailctl', 'rollback', good]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain(`Rolled back to ${good}`);
    expect(actions()).toBe(actionsGood);
    expect(log()[0]?.subject).toBe(`mailctl rollback to ${good}: 1 file(s) changed`);
    expect(onHost(['mailctl', 'rollback', good]).stdout).toContain('No changes');
    expect(
      fromInternet(ALICE.user, testMessage('someone@example.org', ALICE.user, tag())).codes.end,
    ).toBe(250);
    // The rollback reached the cluster file's own state, so apply has nothing to do.
    expect(onHost(['mailctl', 'apply', '--cluster', '/etc/mailctl/cluster.yaml']).stdout).toContain(
      'No changes',
    );
  });

  it('rolls back a config that passes its check but fails to go live, keeping the VPN up', () => {
    const before = onHost(['sha256sum', '/etc/wireguard/wg0.conf']).stdout;
    // wg-quick strip accepts any peer text; only wg's own parser, at reload, refuses the key.
    const r = applyWithFault(
      '/etc/wireguard/wg0.conf',
      '[Peer]\nPublicKey = not-a-key\nAllowedIPs = 10.100.0.99/32',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_APPLY_ROLLED_BACK');
    expect(onHost(['sha256sum', '/etc/wireguard/wg0.conf']).stdout).toBe(before);
    expect(onHost(['systemctl', 'is-active', 'wg-quick@wg0']).stdout.trim()).toBe('active');
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', VPN]).code).toBe(0);
    expect(imapFetchAll(LAB, 'vpn', VPN, ALICE.user, ALICE.pass).loginOk).toBe(true);
  });

  it('adds a VPN peer on the host: prints its config once and lets it in at once', () => {
    const name = `phone${Date.now().toString(36)}`;
    const add = onHost(['mailctl', 'vpn', 'peer', 'add', name]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    expect(add.stdout).toMatch(/^AllowedIPs = 10\.100\.0\.0\/24$/m);
    expect(add.stdout).toContain('Endpoint = mail.example.com:51820');
    const again = onHost(['mailctl', 'vpn', 'peer', 'add', name]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('E_VPN_PEER_EXISTS');
    // The peer is in the running interface at once, with no full apply in between.
    const publicKey = JSON.parse(onHost(['cat', `/etc/mailctl/vpn-peers/${name}.json`]).stdout) as {
      publicKey: string;
    };
    expect(onHost(['wg', 'show', 'wg0', 'peers']).stdout).toContain(publicKey.publicKey);
    // The administrator's own peer survived the change.
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', VPN]).code).toBe(0);
    // The shared lab is left as found: one more device per run would pile up in wg0.
    const remove = onHost(['mailctl', 'vpn', 'peer', 'remove', name]);
    expect(remove.code, remove.stderr).toBe(0);
    expect(onHost(['wg', 'show', 'wg0', 'peers']).stdout).not.toContain(publicKey.publicKey);
  });

  it('records each apply in its history with secret tokens, never secret values', () => {
    const log = JSON.parse(onHost(['mailctl', 'history', '--json']).stdout) as {
      rev: string;
      subject: string;
    }[];
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.at(-1)?.subject).toMatch(/^mailctl apply: \d+ file\(s\) changed/);
    const key = onHost(['cat', '/etc/mailctl/secrets/wireguard-private-key']).stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const tokens = onHost([
      'git',
      '-C',
      '/var/lib/mailctl/history',
      'grep',
      '-c',
      '@@secret:wireguard-private-key@@',
      'HEAD',
    ]);
    expect(tokens.code).toBe(0);
    const leaks = onHost([
      'git',
      '-C',
      '/var/lib/mailctl/history',
      'log',
      '-p',
      '--all',
      '-S',
      key,
    ]);
    expect(leaks.stdout).toBe('');
  });

  it('refuses to apply over SSH from an address the firewall would shut out, changing nothing', () => {
    const apply = (client: string) =>
      onHost([
        'env',
        `SSH_CONNECTION=${client} 50022 ${PUBLIC} 22`,
        'mailctl',
        'apply',
        '--cluster',
        '/etc/mailctl/cluster.yaml',
      ]);
    const history = () => onHost(['mailctl', 'history', '--json']).stdout;
    const before = history();
    const r = apply('192.0.2.50');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('E_SSH_LOCKOUT')]);
    expect(r.stderr).toContain('192.0.2.50');
    expect(history()).toBe(before);
    // From the VPN the same apply goes ahead.
    const fromVpn = apply('10.100.0.2');
    expect(fromVpn.code, fromVpn.stderr).toBe(0);
  });

  it('refuses bad account input with a one-line error and changes nothing', () => {
    const before = onHost(['mailctl', 'mailbox', 'list', '--json']).stdout;
    const cases: [string[], string, string][] = [
      [
        ['mailbox', 'add', 'carol@unknown.example', '--password-stdin'],
        'E_UNKNOWN_DOMAIN',
        'long enough password',
      ],
      [
        ['mailbox', 'add', 'not an address', '--password-stdin'],
        'E_BAD_ADDRESS',
        'long enough password',
      ],
      [
        ['mailbox', 'add', ALICE.user, '--password-stdin'],
        'E_MAILBOX_EXISTS',
        'long enough password',
      ],
      [['mailbox', 'add', 'carol@example.com', '--password-stdin'], 'E_WEAK_PASSWORD', 'short'],
      [
        ['mailbox', 'add', 'carol@example.com', '--password-stdin', '--quota', 'lots'],
        'E_BAD_SIZE',
        'long enough password',
      ],
      [['alias', 'add', 'bob@example.net', ALICE.user], 'E_ALIAS_IS_MAILBOX', ''],
    ];
    for (const [args, code, input] of cases) {
      const r = onHost(['mailctl', ...args], `${input}\n`);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain(code);
    }
    // A declared domain is the cluster file's to remove, --force or not: a failed operation
    // (exit 1) that names the line to edit. (An undeclared one with mailboxes is refused
    // E_DOMAIN_NOT_EMPTY: domains.test.ts.)
    const declared = onHost(['mailctl', 'domain', 'remove', 'example.com', '--force']);
    expect(declared.code).toBe(1);
    expect(declared.stderr.trim().split('\n')).toHaveLength(1);
    expect(declared.stderr).toMatch(/E_DECLARED_IN_CLUSTER_FILE.*cluster\.yaml:\d+/);
    expect(onHost(['mailctl', 'mailbox', 'list', '--json']).stdout).toBe(before);
    // The password never travels in argv: there is no option for it.
    expect(onHost(['mailctl', 'mailbox', 'add', 'carol@example.com', '--password', 'x']).code).toBe(
      2,
    );
  });

  it('never has a password or its hash on a command line while mailbox add and passwd run', () => {
    const who = 'argv@example.com';
    const [first, second] = ['argv test password one', 'argv test password two'];
    onHost(['mailctl', 'mailbox', 'remove', who]);
    // A sampler records every process's /proc/<pid>/cmdline, as fast as it can, while the
    // two commands run. The passwords reach the script on its stdin, so that its own
    // command line holds neither; the hashes are read back from the database after each.
    const script = `
set -eu
read -r first; read -r second
out=$(mktemp)
python3 -c '
import os, sys, time
seen, stop, end = set(), sys.argv[1] + ".stop", time.time() + 120
while time.time() < end and not os.path.exists(stop):
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                c = open("/proc/" + p + "/cmdline", "rb").read()
            except OSError:
                continue
            if c:
                seen.add(c.replace(b"\\0", b" ").decode("utf-8", "replace"))
open(sys.argv[1], "w").write("\\n".join(sorted(seen)))
' "$out" &
sampler=$!
sleep 0.5
hash() { runuser -u postgres -- psql -X -At -d mailctl -c "SELECT password FROM mailboxes WHERE address = '${who}'"; }
printf '%s\\n' "$first" | mailctl mailbox add ${who} --password-stdin
echo "hash: $(hash)"
printf '%s\\n' "$second" | mailctl mailbox passwd ${who} --password-stdin
echo "hash: $(hash)"
touch "$out.stop"; wait "$sampler"
cat "$out"; rm -f "$out" "$out.stop"
`;
    const r = onHost(['bash', '-c', script], `${first}\n${second}\n`);
    onHost(['mailctl', 'mailbox', 'remove', who]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const hashes = lines.filter((l) => l.startsWith('hash: ')).map((l) => l.slice(6));
    expect(hashes).toHaveLength(2);
    for (const h of hashes) expect(h).toMatch(/^\{SHA512-CRYPT\}\$6\$/);
    const cmdlines = lines.filter((l) => !l.startsWith('hash: '));
    // The sampler ran while both commands did: it saw them.
    expect(cmdlines.some((l) => l.includes(`mailbox add ${who}`))).toBe(true);
    expect(cmdlines.some((l) => l.includes(`mailbox passwd ${who}`))).toBe(true);
    for (const secret of [first, second, ...hashes])
      expect(cmdlines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('says E_DB_UNAVAILABLE (exit 1) in one line when PostgreSQL cannot be reached', () => {
    // An empty directory over the socket directory, in a mount namespace of its own, is
    // a PostgreSQL that is not running, for this command only: stopping the real one would
    // leave the daemons' pooled connections dead for the tests after this one.
    const r = onHost([
      'unshare',
      '--mount',
      'sh',
      '-c',
      'mount -t tmpfs tmpfs /var/run/postgresql && exec mailctl mailbox list',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /E_DB_UNAVAILABLE: the mail database is not reachable .*connect ENOENT \/var\/run\/postgresql\/\.s\.PGSQL\.5432/,
      ),
    ]);
    expect(onHost(['mailctl', 'mailbox', 'list']).code).toBe(0);
  });

  it('changes nothing and restarts nothing on a second apply', () => {
    // On Debian 13 postfix.service runs the master itself (postfix@- is an empty unit).
    const started = () =>
      onHost(['systemctl', 'show', '-p', 'ExecMainStartTimestamp', 'postfix', 'dovecot', 'rspamd'])
        .stdout;
    const before = started();
    // Three running daemons, three start times: a comparison of empty values proves nothing.
    expect(before.match(/^ExecMainStartTimestamp=\S+/gm)).toHaveLength(3);
    const again = onHost(['mailctl', 'apply', '--cluster', '/etc/mailctl/cluster.yaml']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/no changes/i);
    expect(started()).toBe(before);
  });
});
