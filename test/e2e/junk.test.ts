import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LAB_DMARC_DOMAINS } from '../../src/lab/dns.js';
import { labHost, labSh, sh, uniqueTag } from './support/cli.js';
import {
  dialogFrom,
  imapFetchAll,
  smtpFromInternet,
  smtpSend,
  testMessage,
} from './support/mail.js';
import { PUBLIC, VPN, VPN_CLIENT } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';
import {
  sogoAnswers,
  sogoCurlArgs,
  sogoLogin as sogoLogin_,
  sogoPageStatus,
  type SogoAnswer,
} from './support/sogo-http.js';

// Issue 16's spam-to-Junk, learning and VPN password-guessing promises, checked as the
// internet (SMTP in), a user's mail client (IMAP, ManageSieve, webmail from the VPN) and a
// password guesser on the VPN would.
const LAB = SHARED_LAB;
const { run: onHost } = labHost(LAB);

type Who = { user: string; pass: string };
/** Mailboxes of this file's own; their spam thresholds and Sieve rules change here only. */
const JUNKY: Who = { user: 'junky@example.com', pass: 'correct horse battery staple 16' };
/** Everything from outside is spam to it: its own add_header threshold is 0. */
const SPAMMY: Who = { user: 'spammy@example.com', pass: 'correct horse battery staple 18' };
/**
 * Guessed at in SOGo until SOGo blocks it; a fresh name each run, since SOGo keeps a user's
 * failed logins (in memcached) after the mailbox is gone.
 */
const GUESSED = {
  user: `guessed${Date.now().toString(36)}@example.com`,
  pass: 'correct horse battery staple 17',
};

/** The VPN jails' limits in examples/cluster.yaml (the schema's defaults, fail2ban.vpn). */
const VPN_MAXRETRY = 10;
/** SOGoMaximumFailedLoginCount (src/render/sogo/sogo-conf.ts). */
const SOGO_MAX_FAILED = 10;

/** Polls `check` every 0.5 s until it holds or `seconds` pass. */
function waitFor(check: () => boolean, seconds: number): boolean {
  for (let i = 0; i < seconds * 2; i++) {
    if (check()) return true;
    sh('sleep 0.5');
  }
  return check();
}

/** A message long enough for Bayes (min_tokens), unique to one tag. */
function wordyMessage(tag: string, subject = 'Quarterly figures', to = JUNKY.user): string {
  const body =
    `Report ${tag}: the warehouse inventory figures, shipping schedules and supplier ` +
    'invoices for the northern region are below, for the finance team to review before ' +
    'Friday, together with the minutes of the planning meeting and next month’s rota.';
  return testMessage('someone@example.org', to, tag, body).replace(
    `Subject: mailctl test ${tag}`,
    `Subject: ${subject} ${tag}`,
  );
}

/** Which of the folders holds the message carrying `tag`, once it arrived (bounded). */
function folderOf(tag: string, folders: readonly string[], who = JUNKY): string | undefined {
  let found: string | undefined;
  waitFor(() => {
    found = folders.find((f) =>
      imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass, 993, f).messages.some((m) =>
        m.includes(`<${tag}@client.example.org>`),
      ),
    );
    return found !== undefined;
  }, 15);
  return found;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** One IMAP session as JUNKY over 993: `commands` after LOGIN, each with its reply. */
function imapAs(commands: string[]): string[] {
  const r = dialogFrom(LAB, 'vpn', {
    host: VPN,
    port: 993,
    tls: true,
    steps: [
      {
        send: `a0 LOGIN ${quote(JUNKY.user)} ${quote(JUNKY.pass)}`,
        until: '^a0 ',
        expect: '^a0 OK',
      },
      ...commands.map((c, i) => ({ send: `b${i} ${c}`, until: `^b${i} ` })),
      { send: 'z LOGOUT', until: '^z ' },
    ],
  });
  expect(r.replies[0], 'IMAP login').toMatch(/^a0 OK/m);
  return r.replies.slice(1, 1 + commands.length);
}

/** Moves the message carrying `tag` from one folder to another (SEARCHRES: `$` is the match). */
function move(tag: string, from: string, to: string): void {
  const [, found = '', moved = ''] = imapAs([
    `SELECT ${quote(from)}`,
    `UID SEARCH RETURN (SAVE ALL) HEADER Message-ID ${quote(`<${tag}@client.example.org>`)}`,
    `UID MOVE $ ${quote(to)}`,
  ]);
  expect(found, `${tag} in ${from}`).toMatch(/^\* ESEARCH .* ALL \d+/m);
  expect(moved, `move ${tag} to ${to}`).toMatch(/^b2 OK/m);
}

/** A statfile's learned count in Rspamd's controller (`rspamc stat`; Redis behind it). */
function learned(statfile: 'BAYES_SPAM' | 'BAYES_HAM'): number {
  const out = onHost(['rspamc', 'stat']).stdout;
  return Number(new RegExp(`^Statfile: ${statfile} .*learned: (\\d+);`, 'm').exec(out)?.[1] ?? -1);
}

/** Rspamd's controller logs each message it learned, by Message-ID. */
const learnedAs = (kind: 'spam' | 'ham', tag: string): boolean =>
  onHost([
    'grep',
    '-q',
    `learned message as ${kind}: ${tag}@client.example.org`,
    '/var/log/rspamd/rspamd.log',
  ]).code === 0;

/** ManageSieve (4190, STARTTLS): uploads `script` and makes it the user's active one. */
function putActiveSieve(who: Who, name: string, script: string): string[] {
  const token = Buffer.from(`\0${who.user}\0${who.pass}`).toString('base64');
  const ok = '^(OK|NO|BYE)';
  const r = dialogFrom(LAB, 'vpn', {
    host: VPN,
    port: 4190,
    greeting: ok,
    steps: [
      { send: 'STARTTLS', until: ok, expect: '^OK' },
      { starttls: true },
      // After TLS the server sends its capabilities again, ending with OK.
      { raw: '', until: ok },
      { send: `AUTHENTICATE "PLAIN" "${token}"`, until: ok, expect: '^OK' },
      { send: `PUTSCRIPT "${name}" {${Buffer.byteLength(script)}+}\r\n${script}`, until: ok },
      { send: `SETACTIVE "${name}"`, until: ok },
      { send: 'LOGOUT', until: ok },
    ],
  });
  return r.replies;
}

/** One IMAP login over 993 from the VPN client; whether it got in, and how long it took. */
function imapLogin(pass: string): { ok: boolean; seconds: number } {
  const start = Date.now();
  const r = dialogFrom(LAB, 'vpn', {
    host: VPN,
    port: 993,
    tls: true,
    steps: [{ send: `a1 LOGIN ${quote(JUNKY.user)} ${quote(pass)}`, until: '^a1 ' }],
    timeoutMs: 40_000,
  });
  return {
    ok: /^a1 OK/m.test(r.replies[0] ?? ''),
    seconds: (Date.now() - start) / 1000,
  };
}

/** `count` wrong IMAP passwords at once from the VPN client (curl), each a different one. */
function guessImap(count: number): void {
  const r = labSh(
    LAB,
    'vpn',
    `for i in $(seq 1 ${count}); do curl -sk --max-time 40 -o /dev/null -u "${JUNKY.user}:guess-$i-$RANDOM" imaps://${VPN}/ & done; wait`,
    90_000,
  );
  expect(r.code, r.stderr).toBe(0);
}

/** sogoCurlArgs as one shell word list, for the guessing loop below. */
const SOGO_CURL = [
  ...sogoCurlArgs(VPN).map((a) => `'${a}'`),
  `-H 'Content-Type: application/json' https://mail.example.com/SOGo/connect`,
].join(' ');

const sogoLogin = (user: string, pass: string): SogoAnswer => sogoLogin_(LAB, VPN, user, pass);

/**
 * Up to `count` wrong webmail passwords in a row from the VPN client, for `user` (or for a
 * made-up user each time when `user` is "*"), stopping once SOGo no longer answers. The
 * pause between them gives Fail2ban (which polls sogod's log) time to act on each.
 */
function guessSogo(user: string, count: number): SogoAnswer[] {
  const who = user === '*' ? 'nobody-$i@example.com' : user;
  const r = labSh(
    LAB,
    'vpn',
    `for i in $(seq 1 ${count}); do ` +
      `out=$(${SOGO_CURL} --data-binary "{\\"userName\\":\\"${who}\\",\\"password\\":\\"guess $i\\"}"); ` +
      'printf "%s\\n" "$out"; case "$out" in *000) break ;; esac; sleep 0.3; done',
    120_000,
  );
  return sogoAnswers(r.stdout);
}

/**
 * Restarts the VPN jails: no failure and no ban left on record, for this file's counts and
 * for the files after it, which log in from the same VPN client. A restarted jail reads on
 * from where it was; it does not count old log lines again.
 */
function resetVpnJails(): void {
  for (const jail of ['dovecot-vpn', 'mailctl-sogo-vpn']) {
    const r = onHost(['fail2ban-client', 'reload', '--restart', jail]);
    expect(r.code, r.stderr).toBe(0);
  }
}

const banned = (jail: string): string =>
  onHost(['fail2ban-client', 'status', jail]).stdout.split('Banned IP list:')[1] ?? '';

describe('spam to Junk, learning from the user, and password guessing from the VPN', () => {
  beforeAll(() => {
    useSharedLab();
    for (const who of [JUNKY, SPAMMY, GUESSED]) {
      onHost(['mailctl', 'mailbox', 'remove', who.user]);
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    // Set now: Rspamd re-reads its settings map by itself, within seconds.
    expect(onHost(['mailctl', 'spam', 'set', SPAMMY.user, '--add-header', '0']).code).toBe(0);
  });

  afterAll(() => {
    resetVpnJails();
    onHost(['mailctl', 'spam', 'set', SPAMMY.user, '--reset']);
    for (const who of [JUNKY, SPAMMY, GUESSED]) onHost(['mailctl', 'mailbox', 'remove', who.user]);
  });

  it("files what Rspamd marks as spam (a score past add_header, a failed DMARC p=quarantine) into Junk before the user's own Sieve rules, which still file the rest", () => {
    // The user's own rule, uploaded over ManageSieve as a mail client does.
    const rule = [
      'require ["fileinto", "mailbox"];',
      'if header :contains "Subject" "invoice" {',
      '  fileinto :create "Invoices";',
      '}',
      '',
    ].join('\r\n');
    for (const who of [JUNKY, SPAMMY]) {
      const replies = putActiveSieve(who, 'mine', rule);
      expect(replies.slice(-3).map((r) => r.slice(0, 2))).toEqual(['OK', 'OK', 'OK']);
    }
    const folders = ['INBOX', 'Invoices', 'Junk'];

    // Ham: the plain message in INBOX, the invoice in the user's own folder.
    const plain = uniqueTag('ham');
    expect(smtpFromInternet(LAB, JUNKY.user, wordyMessage(plain)).codes.end).toBe(250);
    expect(folderOf(plain, folders)).toBe('INBOX');
    const invoice = uniqueTag('inv');
    expect(smtpFromInternet(LAB, JUNKY.user, wordyMessage(invoice, 'Your invoice')).codes.end).toBe(
      250,
    );
    expect(folderOf(invoice, folders)).toBe('Invoices');

    // SPAMMY's own add_header threshold is 0: every message from outside is spam to Rspamd
    // (X-Spam: Yes), between add_header and reject. Rspamd picks the change up by itself,
    // so the first message may still be ham: retry a few times (bounded).
    let spamFolder: string | undefined;
    let spam = '';
    for (let i = 0; i < 10 && spamFolder !== 'Junk'; i++) {
      spam = uniqueTag('spam');
      // An invoice too: the global script runs first and stops, so the user's rule never
      // sees it.
      const msg = wordyMessage(spam, 'Your invoice', SPAMMY.user);
      expect(smtpFromInternet(LAB, SPAMMY.user, msg).codes.end).toBe(250);
      spamFolder = folderOf(spam, folders, SPAMMY);
    }
    expect(spamFolder).toBe('Junk');
    const got = imapFetchAll(LAB, 'vpn', VPN, SPAMMY.user, SPAMMY.pass, 993, 'Junk').messages.find(
      (m) => m.includes(spam),
    );
    expect(got).toMatch(/^X-Spam: Yes\r$/m);

    // A sender domain's DMARC p=quarantine, failed, is Rspamd's add_header too: into Junk,
    // with the cluster file's thresholds (JUNKY's).
    const q = uniqueTag('dmarc');
    const forger = `ceo@${LAB_DMARC_DOMAINS.quarantine}`;
    const quarantined = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 25,
      tls: 'starttls',
      from: forger,
      to: [JUNKY.user],
      data: wordyMessage(q).replace('From: <someone@example.org>', `From: <${forger}>`),
    });
    expect(quarantined.codes.end).toBe(250);
    expect(folderOf(q, folders)).toBe('Junk');
  });

  it('learns spam from a move or an upload into Junk, ham from a move out of it, and nothing from deleting spam', () => {
    const spamBefore = learned('BAYES_SPAM');
    const hamBefore = learned('BAYES_HAM');
    expect(spamBefore).toBeGreaterThanOrEqual(0);

    // A message the user calls spam: from INBOX into Junk.
    const first = uniqueTag('learn');
    expect(smtpFromInternet(LAB, JUNKY.user, wordyMessage(first)).codes.end).toBe(250);
    expect(folderOf(first, ['INBOX'])).toBe('INBOX');
    move(first, 'INBOX', 'Junk');
    expect(learnedAs('spam', first)).toBe(true);

    // ... and back: the user says it is not spam after all.
    move(first, 'Junk', 'INBOX');
    expect(learnedAs('ham', first)).toBe(true);

    // Spam deleted from Junk (moved to Trash) teaches nothing.
    const second = uniqueTag('trash');
    expect(smtpFromInternet(LAB, JUNKY.user, wordyMessage(second)).codes.end).toBe(250);
    expect(folderOf(second, ['INBOX'])).toBe('INBOX');
    move(second, 'INBOX', 'Junk');
    expect(learnedAs('spam', second)).toBe(true);
    move(second, 'Junk', 'Trash');
    expect(learnedAs('ham', second)).toBe(false);

    // A client that reports spam by uploading the message into Junk (APPEND).
    const third = uniqueTag('append');
    const msg = wordyMessage(third);
    const [appended = ''] = imapAs([`APPEND Junk {${Buffer.byteLength(msg)}+}\r\n${msg}`]);
    expect(appended).toMatch(/^b0 OK/m);
    expect(learnedAs('spam', third)).toBe(true);

    // Bayes kept it all in Redis: Rspamd's statistics show it once they refresh (seconds).
    expect(
      waitFor(() => learned('BAYES_SPAM') > spamBefore && learned('BAYES_HAM') > hamBefore, 40),
    ).toBe(true);
  });

  it("slows a VPN address's password guessing down (Dovecot's auth penalty), then bans it from IMAP and POP3 for a while", () => {
    resetVpnJails();
    // Two wrong passwords in a row: the second answer waits for the penalty, well past
    // auth_failure_delay (2 s) alone.
    const times = [1, 2].map((i) => imapLogin(`wrong ${i}`));
    expect(times.map((t) => t.ok)).toEqual([false, false]);
    expect(times[1]?.seconds).toBeGreaterThanOrEqual(4);

    // More wrong passwords than the VPN jail allows: the VPN client is banned.
    guessImap(VPN_MAXRETRY + 1);
    expect(waitFor(() => banned('dovecot-vpn').includes(VPN_CLIENT), 20)).toBe(true);
    try {
      const refused = (port: number) =>
        dialogFrom(LAB, 'vpn', { host: VPN, port, tls: true, steps: [], timeoutMs: 4000 });
      for (const port of [993, 995]) {
        const r = refused(port);
        expect(r.connected, String(port)).toBe(false);
        expect(r.error, String(port)).toMatch(/ECONNREFUSED/);
      }
      // ... from those ports only: submission still greets it.
      expect(
        dialogFrom(LAB, 'vpn', { host: VPN, port: 587, steps: [], timeoutMs: 4000 }).greeting,
      ).toMatch(/^220 /);
      // The ban is a short one (fail2ban.vpn.bantime, 10 minutes).
      expect(onHost(['fail2ban-client', 'get', 'dovecot-vpn', 'bantime']).stdout.trim()).toBe(
        '600',
      );
    } finally {
      onHost(['fail2ban-client', 'set', 'dovecot-vpn', 'unbanip', VPN_CLIENT]);
    }
    // Unbanned, it reaches IMAP again.
    expect(
      dialogFrom(LAB, 'vpn', { host: VPN, port: 993, tls: true, steps: [], timeoutMs: 4000 })
        .greeting,
    ).toMatch(/^\* OK/);
  });

  it("blocks a user in SOGo after repeated wrong passwords, and never bans an address the cluster file names as the administrator's", () => {
    const cluster = parse(onHost(['cat', '/etc/mailctl/cluster.yaml']).stdout) as {
      fail2ban?: Record<string, unknown>;
    };
    cluster.fail2ban = { ...cluster.fail2ban, admin_addresses: [`${VPN_CLIENT}/32`] };
    const path = '/root/junk-test-cluster.yaml';
    expect(onHost(['bash', '-c', `cat > ${path}`], stringify(cluster)).code).toBe(0);
    const mark = Number(onHost(['bash', '-c', 'wc -l < /var/log/fail2ban.log']).stdout.trim());
    const ignored = (jail: string) =>
      onHost(['tail', '-n', `+${mark + 1}`, '/var/log/fail2ban.log']).stdout.split(
        `[${jail}] Ignore ${VPN_CLIENT} by ip`,
      ).length - 1;
    try {
      const applied = onHost(['mailctl', 'apply', '--cluster', path]);
      expect(applied.code, applied.stderr).toBe(0);

      // More wrong passwords than either VPN jail allows, from the administrator's address.
      guessImap(VPN_MAXRETRY + 1);
      expect(guessSogo(GUESSED.user, SOGO_MAX_FAILED)).toEqual(
        Array(SOGO_MAX_FAILED).fill({ status: '403', policy: '65535' }),
      );
      // SOGo blocks the user, whoever asks: even the right password is refused, as
      // "account locked" (1).
      expect(sogoLogin(GUESSED.user, GUESSED.pass)).toEqual({ status: '403', policy: '1' });

      // Fail2ban saw every failure and let the administrator's address go.
      expect(
        waitFor(
          () =>
            ignored('dovecot-vpn') >= VPN_MAXRETRY + 1 &&
            ignored('mailctl-sogo-vpn') >= SOGO_MAX_FAILED + 1,
          20,
        ),
        `${ignored('dovecot-vpn')} ${ignored('mailctl-sogo-vpn')}`,
      ).toBe(true);
      for (const jail of ['dovecot-vpn', 'mailctl-sogo-vpn'])
        expect(banned(jail), jail).not.toContain(VPN_CLIENT);
      // The right password still gets in (after the penalty, which it ends for later tests).
      expect(imapLogin(JUNKY.pass).ok).toBe(true);
    } finally {
      const restored = onHost(['mailctl', 'apply']);
      expect(restored.code, restored.stderr).toBe(0);
      onHost(['rm', '-f', path]);
    }
    expect(onHost(['grep', '-c', VPN_CLIENT, '/etc/fail2ban/jail.local']).stdout.trim()).toBe('0');
  });

  it('bans a VPN address that keeps guessing SOGo passwords from the web ports for a while', () => {
    resetVpnJails();
    // Twice the VPN's maxretry for SOGo (DAV clients' requests without credentials), then
    // the ban: SOGo no longer answers (000).
    const answers = guessSogo('*', 2 * VPN_MAXRETRY + 10);
    expect(answers.slice(0, 2 * VPN_MAXRETRY).map((a) => a.status)).toEqual(
      Array(2 * VPN_MAXRETRY).fill('403'),
    );
    expect(answers.at(-1)?.status).toBe('000');
    try {
      expect(waitFor(() => banned('mailctl-sogo-vpn').includes(VPN_CLIENT), 20)).toBe(true);
      expect(sogoLogin(GUESSED.user, GUESSED.pass).status).toBe('000');
      // IMAP is another jail's business: still open.
      expect(
        dialogFrom(LAB, 'vpn', { host: VPN, port: 993, tls: true, steps: [], timeoutMs: 4000 })
          .greeting,
      ).toMatch(/^\* OK/);
    } finally {
      onHost(['fail2ban-client', 'set', 'mailctl-sogo-vpn', 'unbanip', VPN_CLIENT]);
    }
    // Unbanned, SOGo answers again (its login page; no failed login left on record).
    expect(sogoPageStatus(LAB, VPN)).toBe('200');
  });
});
