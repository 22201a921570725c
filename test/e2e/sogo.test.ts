import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  renderSogoFail2banFilter,
  SOGO_FAILREGEX,
  SOGO_LOG_FILE,
} from '../../src/render/sogo/index.js';
import { labHost, labSh, uniqueTag } from './support/cli.js';
import { dialogFrom, imapFetchAll, smtpSend, testMessage } from './support/mail.js';
import { httpFrom } from './support/http.js';
import { clientIn } from './support/ns-client.js';
import type { DavRequest, DavResult } from './support/dav-client.js';
import type { EasRequest, EasResult } from './support/eas-client.js';
import type { WebmailRequest, WebmailResult } from './support/webmail-client.js';
import { ALICE, BOB, PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 4's SOGo promises, checked as a user's browser, calendar app and phone would.
const LAB = SHARED_LAB;
// A fresh mailbox each run for the password change, so a rerun starts from its first password.
const CAROL = {
  user: `carol${Date.now().toString(36)}@example.com`,
  pass: 'correct horse battery staple 3',
};

/**
 * The clients are the VPN client (10.100.0.2): mail.example.com resolves to the VPN
 * address there, and nginx's VPN-only server proxies SOGo. Node's clients verify the lab's
 * certificate (NODE_EXTRA_CA_CERTS); the browser is told to accept it.
 */
const SIDE = {
  ns: `mailctl-${LAB}-vpn`,
  web: 'https://mail.example.com',
  /** What a user types into a CalDAV/CardDAV client: discovery goes by /.well-known/. */
  dav: 'https://mail.example.com/',
  eas: 'https://mail.example.com/Microsoft-Server-ActiveSync',
  /** The address sogod logs for a refused login (from nginx's x-webobjects-remote-host). */
  clientAddress: '10.100.0.2',
};

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/sogo');
const { run: onHost } = labHost(LAB);
const tag = () => uniqueTag();
const CA_FILE = `${ARTIFACTS}/lab-ca.crt`;
const trustLab = { env: { NODE_EXTRA_CA_CERTS: CA_FILE } };
const webmail = (req: Omit<WebmailRequest, 'base'>) =>
  clientIn<WebmailResult>(
    SIDE.ns,
    'webmail-client.ts',
    { base: SIDE.web, ...req },
    {
      timeoutMs: 300_000,
    },
  );
const dav = (req: Omit<DavRequest, 'serverUrl'>) =>
  clientIn<DavResult>(SIDE.ns, 'dav-client.ts', { serverUrl: SIDE.dav, ...req }, trustLab);
const eas = (who: { user: string; pass: string }) =>
  clientIn<EasResult>(
    SIDE.ns,
    'eas-client.ts',
    { url: SIDE.eas, ...who } satisfies EasRequest,
    trustLab,
  );

/** Waits (bounded) until a message carrying `marker` is in the mailbox. */
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

/** Waits (bounded) until sogod answers on its loopback port after a start. */
function waitForSogo(): boolean {
  const r = labSh(
    LAB,
    'host',
    'for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/20000) 2>/dev/null && exit 0; sleep 1; done; exit 1',
    90_000,
  );
  return r.code === 0;
}

/** sogod's log lines that the Fail2ban filter matches, with the address it would ban. */
function bannedAddresses(log: string): string[] {
  const regexes = SOGO_FAILREGEX.map((r) => new RegExp(r.replace('<HOST>', '(?<host>\\S+)'), 'm'));
  return log
    .split('\n')
    .map((line) => line.replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d/, ''))
    .flatMap((line) => regexes.map((r) => r.exec(line)?.groups?.host ?? []).flat());
}

describe('SOGo on a lab host: webmail, CalDAV, CardDAV, ActiveSync', () => {
  beforeAll(() => {
    useSharedLab();
    for (const who of [ALICE, BOB, CAROL]) {
      onHost(['mailctl', 'mailbox', 'remove', who.user]);
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    expect(waitForSogo()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    // The lab's self-signed certificate (until ACME), for the clients to verify.
    writeFileSync(CA_FILE, onHost(['cat', '/etc/mailctl/tls/mail.example.com.crt']).stdout);
  });

  it('runs sogod and memcached on loopback only, with its tables in a schema of its own', () => {
    const listening = onHost(['ss', '-Hltn']).stdout;
    expect(listening).toMatch(/ 127\.0\.0\.1:20000 /);
    expect(listening).not.toMatch(/ (?!127\.0\.0\.1)\S+:20000 /);
    expect(listening).toMatch(/ 127\.0\.0\.1:11211 /);
    expect(listening).not.toMatch(/ (?!127\.0\.0\.1)\S+:11211 /);
    const sql = (q: string, user = 'postgres') =>
      onHost(['runuser', '-u', user, '--', 'psql', '-X', '-A', '-t', '-d', 'mailctl', '-c', q]);
    const tables = sql(
      "SELECT schemaname, tableowner FROM pg_tables WHERE tablename LIKE 'sogo%' GROUP BY 1, 2;",
    );
    expect(tables.stdout.trim()).toBe('sogo|sogo');
    expect(
      sql("SELECT count(*) FROM pg_tables WHERE tablename = 'sogo_user_profile';").stdout.trim(),
    ).toBe('1');
    // Role sogo (logged in as the OS user sogo, by peer authentication) reads its view and
    // nothing of the mail tables, and cannot create anything outside its schema.
    expect(
      sql(`SELECT c_uid FROM sogo_users WHERE c_uid = '${ALICE.user}';`, 'sogo').stdout.trim(),
    ).toBe(ALICE.user);
    const denied = sql('SELECT password FROM mailboxes LIMIT 1;', 'sogo');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('permission denied');
    const noCreate = sql('CREATE TABLE public.sogo_intruder (x int);', 'sogo');
    expect(noCreate.code).not.toBe(0);
    expect(noCreate.stderr).toContain('permission denied');
  });

  it('shows a message delivered over SMTP in webmail, and sends one that arrives in another mailbox', () => {
    const inbound = tag();
    const delivered = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 25,
      tls: 'starttls',
      from: 'someone@example.org',
      to: [ALICE.user],
      data: testMessage('someone@example.org', ALICE.user, inbound),
    });
    expect(delivered.codes.end).toBe(250);
    expect(waitForMessage(ALICE, inbound)).toBeDefined();
    const outbound = tag();
    const r = webmail({
      ...ALICE,
      expectSubject: `mailctl test ${inbound}`,
      send: { to: BOB.user, subject: `from webmail ${outbound}`, body: `Sent by SOGo ${outbound}` },
      screenshot: `${ARTIFACTS}/webmail.png`,
    });
    expect(r.error).toBeUndefined();
    expect(r.loginStatus).toBe(200);
    expect(r.loggedIn).toBe(true);
    expect(r.sawSubject).toBe(true);
    // The session and XSRF cookies travel over HTTPS only, and never with another site's requests.
    expect(r.cookies?.['0xHIGHFLYxSOGo']).toEqual({
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    });
    expect(r.cookies?.['XSRF-TOKEN']).toMatchObject({ secure: true, sameSite: 'Lax' });
    expect(r.sent).toBe(true);
    const got = waitForMessage(BOB, outbound);
    expect(got).toBeDefined();
    expect(got).toMatch(new RegExp(`^Subject: from webmail ${outbound}`, 'm'));
    expect(got).toMatch(new RegExp(`^From: .*<?${ALICE.user}>?`, 'm'));
    // Submitted with ALICE's own login through Postfix, and signed on the way out.
    expect(got).toMatch(/^DKIM-Signature: .*d=example\.com/m);
  });

  it('refuses a wrong password in webmail and logs it for Fail2ban with the client address', () => {
    const before = Number(onHost(['stat', '-c', '%s', '/var/log/sogo/sogo.log']).stdout.trim());
    const r = webmail({ user: ALICE.user, pass: 'not the password' });
    expect(r.error).toBeUndefined();
    expect(r.loginStatus).toBe(403);
    expect(r.loggedIn).toBe(false);
    const log = onHost(['tail', '-c', `+${before + 1}`, '/var/log/sogo/sogo.log']).stdout;
    expect(log).toContain(`for user '${ALICE.user}' might not have worked`);
    expect(bannedAddresses(log)).toContain(SIDE.clientAddress);
  });

  it("lets Fail2ban's own fail2ban-regex find the client of refused logins, and nothing in good ones", () => {
    // apply installs Fail2ban (the hardening work) with this filter in a live jail; its
    // regex tester reads the filter as rendered here, over a slice of sogod's log.
    expect(onHost(['dpkg-query', '-W', '-f=${Status}', 'fail2ban']).stdout).toContain(
      'install ok installed',
    );
    const filter = '/run/mailctl-e2e-sogo-filter.conf';
    onHost(['sh', '-c', `cat > ${filter}`], renderSogoFail2banFilter().content);
    const logSize = () => Number(onHost(['stat', '-c', '%s', SOGO_LOG_FILE]).stdout.trim());
    /** fail2ban-regex over what sogod logged since `from`: how many lines matched, and which. */
    const regexTest = (from: number) => {
      const r = labSh(
        LAB,
        'host',
        `tail -c +${from + 1} ${SOGO_LOG_FILE} > /run/mailctl-e2e-sogo.log && fail2ban-regex --print-all-matched /run/mailctl-e2e-sogo.log ${filter}`,
      );
      expect(r.code, r.stderr).toBe(0);
      return {
        matched: Number(/^Lines: \d+ lines, \d+ ignored, (\d+) matched/m.exec(r.stdout)?.[1] ?? -1),
        // The block it prints after "|- Matched line(s):" (the missed ones follow it).
        lines: (/^\|- Matched line\(s\):\n([^]*?)^`-/m.exec(r.stdout)?.[1] ?? '')
          .split('\n')
          .filter((l) => l.startsWith('|  ')),
      };
    };

    const good = logSize();
    expect(eas(ALICE).folderSync.easStatus).toBe('1');
    expect(dav({ ...ALICE, op: 'read', uid: tag(), title: '' }).error).toBeUndefined();
    expect(regexTest(good).matched).toBe(0);

    const bad = logSize();
    expect(webmail({ user: ALICE.user, pass: 'not the password' }).loginStatus).toBe(403);
    expect(eas({ user: ALICE.user, pass: 'not the password' }).options.status).toBe(401);
    const found = regexTest(bad);
    // The web login, and ActiveSync's OPTIONS and FolderSync.
    expect(found.matched).toBe(3);
    expect(found.lines).toHaveLength(3);
    for (const line of found.lines) expect(line).toContain(SIDE.clientAddress);
  });

  it('syncs an event and a contact with CalDAV and CardDAV clients, and sees a change made by another', () => {
    const uid = tag();
    const created = dav({ ...ALICE, op: 'create', uid, title: `Planning ${uid}` });
    expect(created.error).toBeUndefined();
    expect(created.status).toEqual({ event: 201, contact: 201 });
    expect(created.event?.status).toBe(200);
    expect(created.event?.etag).toBeDefined();
    expect(created.event?.data).toContain(`SUMMARY:Planning ${uid}`);
    expect(created.contact?.data).toContain(`FN:Planning ${uid}`);
    // A second client, with its own discovery, changes both.
    const changed = dav({ ...ALICE, op: 'update', uid, title: `Moved ${uid}` });
    expect(changed.error).toBeUndefined();
    expect(changed.status.event).toBeGreaterThanOrEqual(200);
    expect(changed.status.event).toBeLessThan(300);
    expect(changed.status.contact).toBeGreaterThanOrEqual(200);
    expect(changed.status.contact).toBeLessThan(300);
    // The first client reads the change.
    const read = dav({ ...ALICE, op: 'read', uid, title: '' });
    expect(read.error).toBeUndefined();
    expect(read.event?.status).toBe(200);
    expect(read.event?.data).toContain(`SUMMARY:Moved ${uid}`);
    expect(read.contact?.data).toContain(`FN:Moved ${uid}`);
    expect(read.event?.etag).not.toBe(created.event?.etag);
    // Another user sees neither.
    const bob = dav({ ...BOB, op: 'read', uid, title: '' });
    expect(bob.error).toBeUndefined();
    expect(bob.event?.status).toBe(404);
    expect(bob.contact?.status).toBe(404);
  });

  it('removes a mailbox with its calendars and contacts: a new mailbox at that address starts empty', () => {
    const dave = { user: `dave${Date.now().toString(36)}@example.com`, pass: 'correct horse 5' };
    const add = () =>
      onHost(['mailctl', 'mailbox', 'add', dave.user, '--password-stdin'], `${dave.pass}\n`);
    expect(add().code).toBe(0);
    const uid = tag();
    const created = dav({ ...dave, op: 'create', uid, title: `Private ${uid}` });
    expect(created.status).toEqual({ event: 201, contact: 201 });
    const removed = onHost(['mailctl', 'mailbox', 'remove', dave.user]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(add().code).toBe(0);
    const fresh = dav({ ...dave, op: 'read', uid, title: '' });
    expect(fresh.error).toBeUndefined();
    expect(fresh.event?.status).toBe(404);
    expect(fresh.contact?.status).toBe(404);
    onHost(['mailctl', 'mailbox', 'remove', dave.user]);
  });

  it('refuses CalDAV with a wrong password and logs the 401 for Fail2ban', () => {
    const before = Number(onHost(['stat', '-c', '%s', '/var/log/sogo/sogo.log']).stdout.trim());
    const r = dav({ user: ALICE.user, pass: 'not the password', op: 'read', uid: 'x', title: '' });
    expect(r.error).toBeDefined();
    expect(r.calendars).toEqual([]);
    const log = onHost(['tail', '-c', `+${before + 1}`, '/var/log/sogo/sogo.log']).stdout;
    expect(log).toMatch(/ "PROPFIND \/SOGo\/dav\/\S* HTTP\/1\.[01]" 401 /);
    expect(bannedAddresses(log)).toContain(SIDE.clientAddress);
  });

  it('answers ActiveSync OPTIONS and a FolderSync with the mailbox, calendar and contacts; a wrong password gets 401', () => {
    const r = eas(ALICE);
    expect(r.error).toBeUndefined();
    expect(r.options.status).toBe(200);
    expect(r.options.versions?.split(',')).toContain('14.1');
    expect(r.options.commands).toContain('FolderSync');
    expect(r.folderSync.status).toBe(200);
    expect(r.folderSync.easStatus).toBe('1');
    // [MS-ASCMD] folder types: 2 Inbox, 8 Calendar, 9 Contacts.
    const types = r.folderSync.folders.map((f) => f.type);
    expect(types).toEqual(expect.arrayContaining(['2', '8', '9']));
    expect(r.folderSync.folders.map((f) => f.name)).toEqual(expect.arrayContaining(['Sent']));
    const wrong = eas({ user: ALICE.user, pass: 'not the password' });
    expect(wrong.options.status).toBe(401);
    expect(wrong.folderSync.status).toBe(401);
  });

  it('takes the password set with mailctl mailbox passwd in SOGo, IMAP and SMTP alike', () => {
    const next = 'a new horse battery staple 4';
    const r = onHost(['mailctl', 'mailbox', 'passwd', CAROL.user, '--password-stdin'], `${next}\n`);
    expect(r.code, r.stderr).toBe(0);
    for (const [pass, ok] of [
      [next, true],
      [CAROL.pass, false],
    ] as const) {
      const e = eas({ user: CAROL.user, pass });
      expect(e.options.status, `ActiveSync with ${ok ? 'new' : 'old'} password`).toBe(
        ok ? 200 : 401,
      );
      expect(imapFetchAll(LAB, 'vpn', VPN, CAROL.user, pass).loginOk).toBe(ok);
      const smtp = smtpSend(LAB, 'vpn', {
        host: VPN,
        port: 587,
        tls: 'starttls',
        auth: { user: CAROL.user, pass },
        from: CAROL.user,
        to: [BOB.user],
        data: testMessage(CAROL.user, BOB.user, tag()),
      });
      expect(smtp.codes.auth).toBe(ok ? 235 : 535);
    }
    const web = webmail({ user: CAROL.user, pass: next });
    expect(web.loginStatus).toBe(200);
    expect(web.loggedIn).toBe(true);
  });

  it('cannot be reached from the internet, nor on its own ports from the VPN', () => {
    for (const port of [20000, 11211]) {
      const r = dialogFrom(LAB, 'internet', { host: PUBLIC, port, steps: [], timeoutMs: 5000 });
      expect(r.connected, `internet -> ${PUBLIC}:${port}`).toBe(false);
      const v = dialogFrom(LAB, 'vpn', { host: VPN, port, steps: [], timeoutMs: 5000 });
      expect(v.connected, `vpn -> ${VPN}:${port}`).toBe(false);
    }
    // The public HTTPS server knows none of SOGo's paths; the VPN server's port is not
    // reachable from the internet at all.
    for (const path of [
      '/SOGo/',
      '/SOGo/dav/',
      '/Microsoft-Server-ActiveSync',
      '/.well-known/caldav',
    ]) {
      const pub = httpFrom(LAB, 'internet', `https://mail.example.com${path}`);
      expect(pub.status, path).toBe(404);
      expect(pub.body).not.toMatch(/SOGo/i);
      expect(httpFrom(LAB, 'internet', `https://${VPN}${path}`, { timeoutS: 5 }).status).toBe(0);
    }
  });

  it('never installs a sogo.conf or memcached.conf their parsers refuse, and SOGo keeps serving', () => {
    for (const [path, fault] of [
      ['/etc/sogo/sogo.conf', 'SOGoTimeZone = "UTC"'],
      ['/etc/memcached.conf', '--no-such-option'],
    ] as const) {
      const before = onHost(['sha256sum', path]).stdout;
      const r = onHost([
        'env',
        'MAILCTL_TEST_HOOKS=1',
        `MAILCTL_TEST_FAULT=${path}=${fault}`,
        'mailctl',
        'apply',
        '--cluster',
        '/etc/mailctl/cluster.yaml',
      ]);
      expect(r.code, path).toBe(1);
      expect(r.stderr).toContain('E_CHECK_FAILED');
      expect(onHost(['sha256sum', path]).stdout).toBe(before);
    }
    expect(onHost(['systemctl', 'is-active', 'sogo', 'memcached']).stdout.trim()).toBe(
      'active\nactive',
    );
    expect(eas(ALICE).folderSync.easStatus).toBe('1');
  });

  it('rolls back a memcached.conf that passes its check but crash-loops at start, and SOGo keeps serving', () => {
    const before = onHost(['sha256sum', '/etc/memcached.conf']).stdout;
    // -Z (TLS) parses, but memcached exits at start without a certificate; systemd's
    // Restart=always runs it into its start limit before apply sees it failed.
    const r = onHost([
      'env',
      'MAILCTL_TEST_HOOKS=1',
      'MAILCTL_TEST_FAULT=/etc/memcached.conf=-Z',
      'mailctl',
      'apply',
      '--cluster',
      '/etc/mailctl/cluster.yaml',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_APPLY_ROLLED_BACK');
    expect(onHost(['sha256sum', '/etc/memcached.conf']).stdout).toBe(before);
    expect(onHost(['systemctl', 'is-active', 'memcached']).stdout.trim()).toBe('active');
    expect(eas(ALICE).folderSync.easStatus).toBe('1');
  });

  it('changes nothing and restarts nothing on a second apply', () => {
    const started = () =>
      onHost(['systemctl', 'show', '-p', 'ExecMainStartTimestamp', 'sogo', 'memcached']).stdout;
    const before = started();
    const again = onHost(['mailctl', 'apply', '--cluster', '/etc/mailctl/cluster.yaml']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/no changes/i);
    expect(started()).toBe(before);
  });
});
