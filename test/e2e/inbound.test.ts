import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DMARC_DOMAINS, LAB_OUTSIDE_DOMAIN } from '../../src/lab/dns.js';
import { labHost, labRun, sh, uniqueTag } from './support/cli.js';
import { imapFetchAll, smtpSend, testMessage, type SmtpOutcome } from './support/mail.js';
import { PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';
import { handshake } from './support/tls.js';

// Issue 16, inbound authenticity: what the MX refuses from the internet, and why.
const LAB = SHARED_LAB;
const OLGA = { user: 'olga@example.com', pass: 'correct horse battery staple 31' };
const OTTO = { user: 'otto@example.net', pass: 'correct horse battery staple 32' };
/** The quick start's mailbox: the address a forger outside claims. */
const DEMO = 'demo@example.com';

const { run: onHost } = labHost(LAB);

/** A message from the internet to the MX (port 25, STARTTLS as MTAs do), to Olga. */
const fromInternet = (envelope: string, header: string, tag: string, data?: string) =>
  smtpSend(LAB, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'starttls',
    from: envelope,
    to: [OLGA.user],
    data: data ?? testMessage(header, OLGA.user, tag),
  });

/** The reply to the message itself (end of DATA). */
const endReply = (r: SmtpOutcome) => r.result.replies.at(-2) ?? '';

/** Waits (bounded, 20 s) for the message carrying `marker` in INBOX or Junk; says where. */
function waitForMessage(who: { user: string; pass: string }, marker: string) {
  for (let i = 0; i < 40; i++) {
    for (const folder of ['INBOX', 'Junk']) {
      const found = imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass, 993, folder).messages.find(
        (m) => m.includes(marker),
      );
      if (found) return Object.assign(found, { folder });
    }
    sh('sleep 0.5');
  }
  return undefined;
}

/** The header block of a message (its first lines up to the empty one). */
const headers = (m: string | undefined) => (m ?? '').split(/\r?\n\r?\n/)[0] ?? '';

function cleanUp() {
  for (const who of [OLGA, OTTO]) onHost(['mailctl', 'mailbox', 'remove', who.user]);
}

describe('inbound authenticity on the MX', () => {
  beforeAll(() => {
    useSharedLab();
    cleanUp();
    for (const who of [OLGA, OTTO]) {
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    // Olga's own thresholds are out of reach: no score greylists, marks or refuses her
    // mail, so whatever happens below is the policy's doing.
    const set = onHost(
      ['mailctl', 'spam', 'set', OLGA.user].concat([
        '--greylist',
        '1000',
        '--add-header',
        '1000',
        '--reject',
        '1000',
      ]),
    );
    expect(set.code, set.stderr).toBe(0);
  });

  afterAll(cleanUp);

  it("refuses mail failing a sender's DMARC p=reject at the end of DATA, saying why", () => {
    const forger = `ceo@${LAB_DMARC_DOMAINS.reject}`;
    const r = fromInternet(forger, forger, uniqueTag());
    expect(r.codes.data).toBe(354);
    expect(r.codes.end, endReply(r)).toBeGreaterThanOrEqual(500);
    expect(endReply(r)).toMatch(
      /From: domain reject\.example\.org publishes DMARC p=reject, and this message passes neither/,
    );
  });

  it('files mail failing p=quarantine into Junk as spam (X-Spam: Yes), and p=none only scores', () => {
    const q = uniqueTag();
    const quarantined = fromInternet(
      `ceo@${LAB_DMARC_DOMAINS.quarantine}`,
      `ceo@${LAB_DMARC_DOMAINS.quarantine}`,
      q,
    );
    expect(quarantined.codes.end, endReply(quarantined)).toBe(250);
    const n = uniqueTag();
    const none = fromInternet(`ceo@${LAB_DMARC_DOMAINS.none}`, `ceo@${LAB_DMARC_DOMAINS.none}`, n);
    expect(none.codes.end, endReply(none)).toBe(250);

    const quarantinedCopy = waitForMessage(OLGA, q);
    // The global Sieve script files what Rspamd marked as spam into Junk.
    expect(quarantinedCopy?.folder).toBe('Junk');
    const gotQ = headers(quarantinedCopy);
    expect(gotQ).toMatch(/^X-Spam: Yes/m);
    expect(gotQ).toMatch(/dmarc=fail reason="No valid SPF, No valid DKIM" header\.from=quarantine/);
    const noneCopy = waitForMessage(OLGA, n);
    expect(noneCopy?.folder).toBe('INBOX');
    const gotN = headers(noneCopy);
    expect(gotN).toMatch(/dmarc=fail .*header\.from=none\./);
    expect(gotN).not.toMatch(/^X-Spam: Yes/m);
  });

  it('refuses outside mail claiming one of our domains without its DKIM signature', () => {
    const envelope = fromInternet(DEMO, DEMO, uniqueTag());
    expect(envelope.codes.end, endReply(envelope)).toBeGreaterThanOrEqual(500);
    expect(endReply(envelope)).toMatch(
      /envelope sender <demo@example\.com> is a domain hosted here.*DKIM signature of example\.com/,
    );

    const header = fromInternet(`someone@${LAB_OUTSIDE_DOMAIN}`, DEMO, uniqueTag());
    expect(header.codes.end, endReply(header)).toBeGreaterThanOrEqual(500);
    expect(endReply(header)).toMatch(/From: <demo@example\.com> is a domain hosted here/);
  });

  it('refuses them even when the recipient allow-lists the address they claim', () => {
    const allow = onHost([
      'mailctl',
      'spam',
      'allow',
      OLGA.user,
      '@example.com',
      '@reject.example.org',
    ]);
    expect(allow.code, allow.stderr).toBe(0);
    try {
      const own = fromInternet(DEMO, DEMO, uniqueTag());
      expect(own.codes.end, endReply(own)).toBeGreaterThanOrEqual(500);
      expect(endReply(own)).toMatch(/is a domain hosted here/);
      const forger = `ceo@${LAB_DMARC_DOMAINS.reject}`;
      const dmarc = fromInternet(forger, forger, uniqueTag());
      expect(dmarc.codes.end, endReply(dmarc)).toBeGreaterThanOrEqual(500);
      expect(endReply(dmarc)).toMatch(/publishes DMARC p=reject/);
    } finally {
      onHost(['mailctl', 'spam', 'unlist', OLGA.user, '@example.com', '@reject.example.org']);
    }
  });

  it('still takes our users’ mail on 587, and a forwarded copy with our valid signature', () => {
    const t = uniqueTag();
    const sent = smtpSend(LAB, 'vpn', {
      host: VPN,
      port: 587,
      tls: 'starttls',
      auth: OLGA,
      from: OLGA.user,
      to: [OTTO.user],
      data: testMessage(OLGA.user, OTTO.user, t),
    });
    expect(sent.codes.end, endReply(sent)).toBe(250);
    // waitForMessage hands back a String object (it carries the folder): compare its text.
    const got = waitForMessage(OTTO, t)?.toString();
    expect(got).toMatch(/^DKIM-Signature: [^]*?\bd=example\.com;/m);

    // The same message, signed here, comes back from outside (a list or a forward that
    // keeps it intact): its valid example.com signature lets it in.
    const back = fromInternet(`list@${LAB_OUTSIDE_DOMAIN}`, OLGA.user, t, got);
    expect(back.codes.end, endReply(back)).toBe(250);
  });

  it('resolves through its own unbound, which Rspamd asks and the internet cannot reach', () => {
    const lookup = (server: string) =>
      `const r = new (require('node:dns').promises.Resolver)({ timeout: 2000, tries: 1 });` +
      `r.setServers(['${server}']);` +
      `r.resolveMx('${LAB_OUTSIDE_DOMAIN}').then((x) => console.log(JSON.stringify(x)),` +
      ` (e) => { console.error(e.code); process.exit(1); });`;
    const mx = onHost(['node', '-e', lookup('127.0.0.1')]);
    expect(mx.code, mx.stderr).toBe(0);
    expect(JSON.parse(mx.stdout)).toEqual([{ exchange: `mx.${LAB_OUTSIDE_DOMAIN}`, priority: 10 }]);
    // Not an open resolver: from the internet, the host's address answers no DNS.
    const outside = labRun(LAB, 'internet', ['node', '-e', lookup(PUBLIC)]);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/ECONNREFUSED|ETIMEOUT/);

    // Rspamd's DMARC lookup for a sender domain is a query unbound logs (log-queries, on
    // for this test only: the lab world's answers have TTL 0, so nothing stays in a cache).
    const none = LAB_DMARC_DOMAINS.none;
    const since = onHost(['date', '+%Y-%m-%d %H:%M:%S']).stdout.trim();
    expect(onHost(['unbound-control', 'set_option', 'log-queries:', 'yes']).stdout).toMatch(/ok/);
    try {
      expect(fromInternet(`ceo@${none}`, `ceo@${none}`, uniqueTag()).codes.end).toBe(250);
      let logged = '';
      for (let i = 0; i < 20 && !logged.includes(`_dmarc.${none}. TXT IN`); i++) {
        if (i) sh('sleep 0.5');
        logged = onHost(['journalctl', '-u', 'unbound', '--since', since, '--no-pager']).stdout;
      }
      expect(logged).toContain(`info: 127.0.0.1 _dmarc.${none}. TXT IN`);
    } finally {
      onHost(['unbound-control', 'set_option', 'log-queries:', 'no']);
    }
  });

  it('speaks TLS 1.2 or later on port 25, without anonymous suites', () => {
    const on25 = { host: PUBLIC, port: 25, starttls: 'smtp' } as const;
    expect(handshake(LAB, 'internet', { ...on25, version: 'tls1_2' }).ok).toBe(true);
    for (const version of ['tls1', 'tls1_1'] as const) {
      const old = handshake(LAB, 'internet', { ...on25, version });
      expect(old.ok, `${version}: ${old.output}`).toBe(false);
    }
    const anon = handshake(LAB, 'internet', { ...on25, version: 'tls1_2', cipher: 'aNULL' });
    expect(anon.ok, anon.output).toBe(false);
  });
});
