import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAZUH_DECODERS } from '../../src/render/wazuh/index.js';
import { pcre2Available } from '../support/pcre2.js';
import { decodeEntries, type Decoded, type LogEntry } from '../support/wazuh-decode.js';
import { labHost, labRun, labSh, uniqueTag } from './support/cli.js';
import { sogoLogin } from './support/sogo-http.js';
import { dialogFrom, smtpFromInternet, smtpSend, testMessage } from './support/mail.js';
import { ATTACKER, PUBLIC, VPN, VPN_CLIENT } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 12, "Wazuh": the agent cannot be installed here (Wazuh's repository is out of
// reach), so this file proves what can be proven on the lab: apply refuses the cluster
// file that asks for the agent and changes nothing, and the decoders mailctl gives the
// manager take the lines the lab's real daemons write, extracting user and source address.
const LAB = SHARED_LAB;
const PROBE = { user: 'wz-probe@example.com', pass: 'correct horse battery staple 12' };
const BANNED = '192.0.2.123'; // TEST-NET-1: no lab machine has it
const FILE_LOGS = ['/var/log/rspamd/rspamd.log', '/var/log/sogo/sogo.log', '/var/log/fail2ban.log'];

const { run: onHost } = labHost(LAB);
const ok = (r: { code: number; stderr: string }) => expect(r.code, r.stderr).toBe(0);

describe('monitoring.wazuh on a host that cannot reach Wazuh', () => {
  let dir: string;
  beforeAll(() => {
    useSharedLab();
    dir = mkdtempSync(join(tmpdir(), 'mailctl-wazuh-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans the agent, refuses to apply with one line naming the repository, and changes nothing', () => {
    const cluster = onHost(['cat', '/etc/mailctl/cluster.yaml']);
    ok(cluster);
    const variant = '/etc/mailctl/wazuh-e2e-cluster.yaml';
    // Into the file's own monitoring block, if it has one (the quick start's does).
    const doc = parseDocument(cluster.stdout);
    doc.setIn(['monitoring', 'wazuh'], { manager: '10.100.0.50' });
    const text = doc.toString();
    writeFileSync(join(dir, 'cluster.yaml'), text);
    ok(labRun(LAB, 'host', ['sh', '-c', `cat > ${variant}`], { input: text }));
    try {
      const plan = onHost(['mailctl', 'plan', '--cluster', variant]);
      ok(plan);
      expect(plan.stdout).toContain('wazuh-agent');
      expect(plan.stdout).toContain('/var/ossec/etc/ossec.conf');
      expect(plan.stdout).toContain('https://packages.wazuh.com/4.x/apt/');

      const apply = onHost(['mailctl', 'apply', '--cluster', variant]);
      expect(apply.code).toBe(1);
      const lines = apply.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(
        /^mailctl: E_WAZUH_REPO_UNREACHABLE: the Wazuh apt repository https:\/\/packages\.wazuh\.com\/4\.x\/apt\/ cannot be reached \(.+\); apply changed nothing$/,
      );
      // Progress lines aside, the error is that one line.
      expect(lines.filter((l) => l.startsWith('mailctl:'))).toHaveLength(1);

      const after = onHost([
        'sh',
        '-c',
        'ls /etc/apt/sources.list.d/wazuh.sources /etc/apt/keyrings/wazuh.asc /var/ossec /etc/mailctl/secrets/wazuh-authd-pass /etc/mailctl/wazuh 2>&1; true',
      ]);
      expect(after.stdout.match(/No such file or directory/g)).toHaveLength(5);
      const again = onHost(['mailctl', 'plan']);
      ok(again);
      expect(again.stdout).toMatch(/No changes/);
    } finally {
      onHost(['rm', '-f', variant]);
    }
  });
});

// What an agent installed while monitoring.wazuh was on leaves behind. Wazuh's package
// cannot be had here, so a stand-in package of the same name (built with dpkg-deb: a unit
// that sleeps, a file under /var/ossec) takes its place, and the repository's files are
// written as the wazuh-repository step writes them; dpkg, apt and systemd are the real ones.
const STANDIN = String.raw`set -e
d=$(mktemp -d)
mkdir -p $d/DEBIAN $d/usr/lib/systemd/system $d/var/ossec/etc
printf 'Package: wazuh-agent
Version: 4.9.0-0mailctl1
Architecture: all
Maintainer: mailctl e2e <postmaster@example.com>
Description: stand-in for the Wazuh agent (mailctl e2e)
' > $d/DEBIAN/control
printf '[Unit]
Description=stand-in for the Wazuh agent
[Service]
ExecStart=/bin/sleep infinity
[Install]
WantedBy=multi-user.target
' > $d/usr/lib/systemd/system/wazuh-agent.service
echo '<ossec_config/>' > $d/var/ossec/etc/ossec.conf
dpkg-deb -b $d /tmp/wazuh-agent-standin.deb >/dev/null
dpkg -i /tmp/wazuh-agent-standin.deb >/dev/null
rm -rf $d /tmp/wazuh-agent-standin.deb
systemctl daemon-reload
systemctl enable --now wazuh-agent.service 2>/dev/null
mkdir -p /etc/apt/keyrings
echo 'stand-in key' > /etc/apt/keyrings/wazuh.asc
printf 'Types: deb
URIs: https://packages.wazuh.com/4.x/apt/
Suites: stable
Components: main
Signed-By: /etc/apt/keyrings/wazuh.asc
' > /etc/apt/sources.list.d/wazuh.sources
printf 'Package: *
Pin: origin packages.wazuh.com
Pin-Priority: -1
' > /etc/apt/preferences.d/wazuh.pref
: > /var/lib/apt/lists/packages.wazuh.com_4.x_apt_dists_stable_InRelease`;
const LEFT = [
  '/var/ossec',
  '/etc/apt/keyrings/wazuh.asc',
  '/etc/apt/sources.list.d/wazuh.sources',
  '/etc/apt/preferences.d/wazuh.pref',
  '/var/lib/apt/lists/packages.wazuh.com_4.x_apt_dists_stable_InRelease',
];

describe('monitoring.wazuh taken out of the cluster file', () => {
  beforeAll(() => useSharedLab());
  afterAll(() => {
    // Whatever a failed run left: the stand-in and the repository's files.
    labSh(
      LAB,
      'host',
      `systemctl disable --now wazuh-agent.service 2>/dev/null; dpkg --purge wazuh-agent >/dev/null 2>&1; rm -rf ${LEFT.join(' ')}; systemctl daemon-reload; true`,
    );
  });

  it('stops and disables the agent, purges its package and removes the repository', () => {
    ok(labSh(LAB, 'host', STANDIN));
    expect(onHost(['systemctl', 'is-active', 'wazuh-agent.service']).stdout.trim()).toBe('active');

    const plan = onHost(['mailctl', 'plan']);
    ok(plan);
    expect(plan.stdout).toContain('- disable unit wazuh-agent.service');
    expect(plan.stdout).toContain('- remove package wazuh-agent');
    expect(plan.stdout).toContain("- remove repository Wazuh's apt repository");

    const apply = onHost(['mailctl', 'apply']);
    ok(apply);
    expect(onHost(['systemctl', 'is-active', 'wazuh-agent.service']).stdout.trim()).not.toBe(
      'active',
    );
    expect(onHost(['systemctl', 'is-enabled', 'wazuh-agent.service']).stdout.trim()).not.toBe(
      'enabled',
    );
    const pkg = onHost(['dpkg-query', '-W', '-f=${db:Status-Status}', 'wazuh-agent']);
    expect(pkg.code !== 0 || pkg.stdout.trim() === 'not-installed', pkg.stdout).toBe(true);
    const gone = onHost(['sh', '-c', `ls -d ${LEFT.join(' ')} 2>&1; true`]);
    expect(gone.stdout.match(/No such file or directory/g)).toHaveLength(LEFT.length);
    const again = onHost(['mailctl', 'plan']);
    ok(again);
    expect(again.stdout).toMatch(/No changes/);
  });
});

/** Journal entries (identifier and message) and file log lines written since the marks. */
interface Marks {
  since: string;
  lines: Record<string, number>;
}

function mark(): Marks {
  const r = labSh(
    LAB,
    'host',
    `echo $(($(date +%s) - 1)); for f in ${FILE_LOGS.join(' ')}; do wc -l < "$f" 2>/dev/null || echo 0; done`,
  );
  ok(r);
  const [since = '', ...counts] = r.stdout.trim().split('\n');
  return {
    since,
    lines: Object.fromEntries(FILE_LOGS.map((f, i) => [f, Number(counts[i] ?? 0)])),
  };
}

function entriesSince(m: Marks): LogEntry[] {
  const journal = onHost([
    'journalctl',
    '-q',
    '--no-pager',
    '-o',
    'json',
    '--since',
    `@${m.since}`,
  ]);
  ok(journal);
  const entries: LogEntry[] = journal.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { SYSLOG_IDENTIFIER?: string; MESSAGE?: unknown })
    .filter((e) => typeof e.MESSAGE === 'string')
    .map((e) => ({ program: e.SYSLOG_IDENTIFIER ?? '', message: e.MESSAGE as string }));
  for (const f of FILE_LOGS) {
    const r = onHost(['tail', '-n', `+${(m.lines[f] ?? 0) + 1}`, f]);
    ok(r);
    entries.push(
      ...r.stdout
        .split('\n')
        .filter(Boolean)
        .map((message) => ({ message })),
    );
  }
  return entries;
}

describe.skipIf(!pcre2Available())("the manager's decoders on the lab's real log lines", () => {
  let decoded: { entry: LogEntry; d: Decoded | undefined }[] = [];
  const find = (decoder: string, fields: Record<string, string>) =>
    decoded.filter(
      (x) =>
        x.d?.decoder === decoder && Object.entries(fields).every(([k, v]) => x.d?.fields[k] === v),
    );

  beforeAll(() => {
    useSharedLab();
    ok(onHost(['mailctl', 'mailbox', 'add', PROBE.user, '--password-stdin'], `${PROBE.pass}\n`));
    const m = mark();
    const imap = (pass: string) =>
      dialogFrom(LAB, 'vpn', {
        host: VPN,
        port: 993,
        tls: true,
        steps: [
          { send: `a1 LOGIN "${PROBE.user}" "${pass}"`, until: '^a1 ' },
          { send: 'a2 LOGOUT', until: '^a2 ' },
        ],
      });
    // A successful login and a failed one, from the VPN side (Fail2ban never bans it).
    expect(imap(PROBE.pass).replies[0]).toMatch(/^a1 OK/m);
    expect(imap('not the password').replies[0]).toMatch(/^a1 NO/m);
    // Relaying and an unknown recipient refused, GTUBE rejected by Rspamd: from the internet.
    const tag = uniqueTag('wz');
    expect(
      smtpFromInternet(
        LAB,
        'someone@elsewhere.example',
        testMessage('someone@example.org', 'x@y.example', tag),
      ).codes.rcpt[0],
    ).toBe(554);
    expect(
      smtpFromInternet(
        LAB,
        `nobody-${tag}@example.com`,
        testMessage('someone@example.org', 'x@y.example', tag),
      ).codes.rcpt[0],
    ).toBe(550);
    const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
    expect(
      smtpFromInternet(LAB, PROBE.user, testMessage('someone@example.org', PROBE.user, tag, gtube))
        .codes.end,
    ).toBe(554);
    // SMTP AUTH refused on submission, from the host's own public address (no other test's
    // client: one failure stays far below the postfix-sasl jail's maxretry).
    const sasl = smtpSend(LAB, 'host', {
      host: PUBLIC,
      port: 587,
      tls: 'starttls',
      auth: { user: PROBE.user, pass: 'not the password' },
      from: PROBE.user,
      to: [PROBE.user],
      data: 'x',
    });
    expect(sasl.codes.auth).toBe(535);
    // A delivery that cannot be made now: example.org's MX in the lab world listens on 25
    // only while a test runs a receiver there, so the connection is refused and the message
    // deferred (a name that does not exist bounces at once, now that the host resolves
    // through unbound). Taken out of the queue again in afterAll; a null sender gets no
    // delay notice.
    ok(
      labRun(LAB, 'host', ['/usr/sbin/sendmail', '-f', '', `wz-${tag}@example.org`], {
        input: `Subject: ${tag}\n\nx\n`,
      }),
    );
    // A refused SOGo login, through nginx on the VPN side.
    expect(sogoLogin(LAB, VPN, PROBE.user, 'not the password').status).toBe('403');
    // A ban and its end, of an address no lab machine has; a backup failure's log line.
    ok(onHost(['fail2ban-client', 'set', 'dovecot', 'banip', BANNED]));
    ok(onHost(['fail2ban-client', 'set', 'dovecot', 'unbanip', BANNED]));
    ok(onHost(['systemctl', 'start', 'mailctl-backup-failed@wazuh-e2e-probe.service']));
    // The daemons write asynchronously: wait (bounded) until the last of them is there.
    const wanted = () => {
      const entries = entriesSince(m);
      return entries.some((e) => e.message.includes(`Unban ${BANNED}`)) &&
        entries.some((e) => e.message.includes('might not have worked')) &&
        entries.some((e) => e.message.includes('status=deferred'))
        ? entries
        : undefined;
    };
    let entries: LogEntry[] | undefined;
    for (let i = 0; i < 30 && !(entries = wanted()); i++) labSh(LAB, 'host', 'sleep 1');
    expect(entries, 'the log lines of the provoked events').toBeDefined();
    // The boot's wg-quick lines: the VPN interface coming up.
    const wg = onHost(['journalctl', '-q', '--no-pager', '-o', 'cat', '-b', '-t', 'wg-quick']);
    ok(wg);
    // mailctl's own events since boot: the lab's first apply, the refused one above.
    const own = onHost(['journalctl', '-q', '--no-pager', '-o', 'cat', '-b', '-t', 'mailctl']);
    ok(own);
    const lines = (text: string, program: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((message) => ({ program, message }));
    const all: LogEntry[] = [
      ...(entries ?? []),
      ...lines(wg.stdout, 'wg-quick'),
      ...lines(own.stdout, 'mailctl'),
    ];
    const d = decodeEntries(WAZUH_DECODERS, all);
    decoded = all.map((entry, i) => ({ entry, d: d[i] }));
  }, 180_000);

  afterAll(() => {
    labSh(
      LAB,
      'host',
      "mailq | awk '/^[0-9A-F]/ { id = $1 } /^ *wz-wz.*@example[.]org/ { print id }' | tr -d '*!' | xargs -r -n1 postsuper -d",
    );
    onHost(['mailctl', 'mailbox', 'remove', PROBE.user]);
    // Our one failure each stays below the jails' maxretry, but other files' failures from
    // the same clients add up within findtime, and the recidive jail counts our test ban on
    // every run: leave none of them banned.
    for (const client of [VPN_CLIENT, PUBLIC, BANNED]) onHost(['fail2ban-client', 'unban', client]);
  });

  it('Dovecot 2.4: the successful and the failed IMAP login, with user and source address', () => {
    const who = { user: PROBE.user, srcip: VPN_CLIENT, dstip: VPN, protocol: 'imap' };
    expect(find('dovecot-logged-in', who)).toHaveLength(1);
    expect(find('dovecot-login-failed', who)).toHaveLength(1);
  });

  it('Postfix: the relay attempt, the unknown recipient, GTUBE, refused AUTH and a deferral', () => {
    expect(
      find('postfix-relay-denied', { srcip: ATTACKER, dstuser: 'someone@elsewhere.example' }),
    ).toHaveLength(1);
    expect(find('postfix-reject', { srcip: ATTACKER, status: '550', dsn: '5.1.1' })).toHaveLength(
      1,
    );
    expect(find('postfix-milter-reject', { srcip: ATTACKER, dstuser: PROBE.user })).toHaveLength(1);
    expect(find('postfix-sasl-failed', { srcip: PUBLIC, user: PROBE.user })).toHaveLength(1);
    expect(
      find('postfix-deferred', { dsn: '4.4.1' }).some(
        (x) =>
          x.d?.fields.dstuser?.startsWith('wz-') &&
          x.d.fields.dstuser.endsWith('@example.org') &&
          x.d.fields.reason?.includes('Connection refused'),
      ),
    ).toBe(true);
  });

  it("Rspamd: GTUBE's reject action, with the sender's address", () => {
    expect(
      find('rspamd-action', {
        srcip: ATTACKER,
        rspamd_action: 'reject',
        srcuser: 'someone@example.org',
      }),
    ).toHaveLength(1);
  });

  it('SOGo, Fail2ban, WireGuard and the backup failure', () => {
    expect(find('sogo-login-failed', { srcip: VPN_CLIENT, user: PROBE.user })).toHaveLength(1);
    expect(find('fail2ban-ban', { jail: 'dovecot', srcip: BANNED })).toHaveLength(1);
    expect(find('fail2ban-unban', { jail: 'dovecot', srcip: BANNED })).toHaveLength(1);
    expect(find('wg-quick-up', { interface: 'wg0' }).length).toBeGreaterThan(0);
    expect(find('mailctl-backup-failed', { unit: 'wazuh-e2e-probe' })).toHaveLength(1);
  });

  it("mailctl's own events: the applies, the refused one with its error code", () => {
    expect(
      find('mailctl-apply-failed', { error: 'E_WAZUH_REPO_UNREACHABLE' }).length,
    ).toBeGreaterThan(0);
    expect(find('mailctl-apply-changed', {}).length).toBeGreaterThan(0);
  });

  it('leaves no line of a known daemon to a child decoder whose regex fails', () => {
    const broken = decoded.filter((x) => x.d && x.d.candidates.length > 0 && !x.d.regexMatched);
    expect(broken.map((x) => x.entry.message)).toEqual([]);
    const ambiguous = decoded.filter((x) => (x.d?.candidates.length ?? 0) > 1);
    expect(ambiguous.map((x) => x.entry.message)).toEqual([]);
  });
});
